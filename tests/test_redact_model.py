"""What leaves the machine: every evasion in evals/redaction.jsonl, checked on the model
path against a local OpenAI-compatible server, reaches it (chat and embeddings) without the
identifiers, and the officer's answer has them back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Reply, default_answer, settings_for

from bot.core.engine import Engine
from bot.core.models import CheckRequest
from bot.core.redaction_eval import load_redaction_cases
from bot.llm import LLMAdvisor, LLMOptions

POLICY_DIR = Path(__file__).resolve().parent.parent / "policy_docs"
FAST = LLMOptions(backoff_seconds=0.001, max_backoff_seconds=0.01)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(POLICY_DIR)


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


def test_no_evasion_reaches_the_model(server: FakeOpenAI, engine: Engine, tmp_path: Path) -> None:
    advisor = LLMAdvisor(settings_for(server, tmp_path), engine, options=FAST)
    cases = [case for case in load_redaction_cases() if case.redact]
    leaked = []
    for case in cases:
        server.clear()
        advisor.check(CheckRequest(text=case.text, account="personal"))
        sent = "".join(r.text for r in [*server.chat_requests, *server.embedding_requests])
        assert server.chat_requests, case.id
        leaked += [(case.id, value) for value in case.redact if value in sent]
    assert not leaked


def test_the_answer_names_what_the_model_saw_as_a_placeholder(
    server: FakeOpenAI, engine: Engine, tmp_path: Path
) -> None:
    draft = "The victim's mom asked us to call five five five, one two three, four five six seven."

    def revise(body: dict) -> dict:
        assert "[PHONE_1]" in body["messages"][1]["content"]
        return default_answer(body, verdict="revise", summary="Remove [PHONE_1] first.")

    server.script_chat(Reply.answer(revise))
    advisor = LLMAdvisor(settings_for(server, tmp_path), engine, options=FAST)
    decision = advisor.check(CheckRequest(text=draft, account="personal"))
    assert "five five five" not in server.chat_requests[0].text
    assert decision.summary == "Remove five five five, one two three, four five six seven first."
