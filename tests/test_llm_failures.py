"""Failures of the model path: retries, then the local decision with a one-line note."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Reply, settings_for

from bot.config import ConfigError, Settings
from bot.core.engine import Engine
from bot.core.models import CheckRequest, Decision
from bot.llm import LLMAdvisor, LLMOptions, build_advisor, check_llm_settings

POLICY_DIR = Path(__file__).resolve().parent.parent / "policy_docs"
FAST = LLMOptions(backoff_seconds=0.001, max_backoff_seconds=0.01, max_retries=2)
DRAFT = "Suspect John Smith was arrested at 123 Main Street. Plate 7ABC123."


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(POLICY_DIR)


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


def comparable(decision: Decision) -> Decision:
    return replace(decision, notes=(), latency_ms=0.0, prompt_version=None)


@pytest.mark.parametrize(
    ("replies", "attempts", "note"),
    [
        ([Reply.status(429)] * 3, 3, "The model was unavailable (HTTP 429); this is the local"),
        ([Reply.status(500)] * 3, 3, "The model was unavailable (HTTP 500); this is the local"),
        ([Reply.status(503)] * 3, 3, "The model was unavailable (HTTP 503); this is the local"),
        ([Reply.delay(1.0)] * 3, 3, "The model was unavailable (timeout); this is the local"),
        ([Reply.garbage()], 1, "The model's answer could not be used (the answer was not valid"),
        (
            [Reply.answer({"verdict": "maybe", "summary": 3})],
            1,
            "The model's answer could not be used",
        ),
        ([Reply.status(400)], 1, "The model was unavailable (HTTP 400)"),
    ],
    ids=["429", "500", "503", "timeout", "garbage", "wrong-schema", "400"],
)
def test_failure_falls_back_to_the_local_decision(
    server: FakeOpenAI,
    engine: Engine,
    tmp_path: Path,
    replies: list[Reply],
    attempts: int,
    note: str,
) -> None:
    settings = settings_for(server, tmp_path, openai_timeout_seconds=0.25)
    advisor = LLMAdvisor(settings, engine, options=FAST)
    server.script_chat(*replies)
    request = CheckRequest(text=DRAFT, account="personal")

    decision = advisor.check(request)

    assert len(server.chat_requests) == attempts
    assert comparable(decision) == comparable(engine.check(request))
    assert decision.engine == "local"
    assert decision.notes[-1].startswith(note)
    assert decision.notes[-1].endswith("this is the local engine's answer.")
    assert decision.prompt_version == advisor.prompt_version
    assert advisor.disabled_reason is None  # a passing failure: the next check tries again


def test_retry_then_success_uses_the_model(
    server: FakeOpenAI, engine: Engine, tmp_path: Path
) -> None:
    advisor = LLMAdvisor(settings_for(server, tmp_path), engine, options=FAST)
    server.script_chat(Reply.status(429, retry_after="0"), Reply.status(502), Reply.answer())
    decision = advisor.check(CheckRequest(text="Join us for Coffee with a Cop this Saturday!"))
    assert len(server.chat_requests) == 3
    assert decision.engine == "gpt-4.1-mini"
    assert decision.verdict == "ok"


def test_rejected_key_logs_one_line_and_turns_the_model_off(
    engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with FakeOpenAI(valid_keys={"sk-right"}) as server:
        settings = settings_for(server, tmp_path, openai_api_key="sk-wrong")
        advisor = build_advisor(settings, engine)
        assert isinstance(advisor, LLMAdvisor)
        with caplog.at_level(logging.INFO, logger="bot.llm"):
            first = advisor.check(CheckRequest(text=DRAFT, account="personal"))
            calls = len(server.requests)
            second = advisor.check(CheckRequest(text="Fun run on Saturday!"))
        assert len(server.requests) == calls == 1  # the first call failed; no more calls
    assert first.engine == second.engine == "local"
    expected = (
        "The model server rejected the API key (HTTP 401); this is the local engine's answer."
    )
    assert first.notes[-1] == second.notes[-1] == expected
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "OPENAI_API_KEY" in errors[0].getMessage() and "401" in errors[0].getMessage()
    assert "John" not in caplog.text and "Main Street" not in caplog.text


def test_unknown_model_turns_the_model_off(
    server: FakeOpenAI, engine: Engine, tmp_path: Path
) -> None:
    advisor = LLMAdvisor(settings_for(server, tmp_path), engine, options=FAST)
    server.script_chat(Reply.status(404, "The model does not exist"))
    decision = advisor.check(CheckRequest(text="Fun run on Saturday!"))
    assert "HTTP 404" in decision.notes[-1] and "OPENAI_MODEL" in decision.notes[-1]
    assert advisor.disabled_reason == "HTTP 404"


def test_embedding_failure_keeps_the_model_answer_with_bm25(
    server: FakeOpenAI, engine: Engine, tmp_path: Path
) -> None:
    server.script_embeddings(*[Reply.status(500)] * 3)
    advisor = LLMAdvisor(settings_for(server, tmp_path), engine, options=FAST)
    decision = advisor.check(CheckRequest(text="Fun run on Saturday!"))
    assert decision.engine == "gpt-4.1-mini"
    assert len(server.embedding_requests) == 3  # passage index tried (with retries), no query
    assert len(server.chat_requests) == 1


def test_drafts_are_never_logged(
    server: FakeOpenAI, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    advisor = LLMAdvisor(settings_for(server, tmp_path), engine, options=FAST)
    server.script_chat(Reply.status(500), Reply.answer(verdict="do_not_post"))
    with caplog.at_level(logging.DEBUG):
        advisor.check(CheckRequest(text=DRAFT, account="personal"))
    assert caplog.records
    for secret in ("John Smith", "123 Main", "7ABC123", "[NAME_1]", "Suspect"):
        assert secret not in caplog.text


# ------------------------------------------------------------------- settings


def test_no_key_means_the_local_engine(engine: Engine) -> None:
    assert build_advisor(Settings(), engine) is engine
    assert check_llm_settings(Settings()) == []


def test_malformed_base_url_is_a_one_line_config_error(engine: Engine) -> None:
    settings = Settings(openai_api_key="sk-x", openai_base_url="ftp://models.example")
    with pytest.raises(ConfigError, match=r"^OPENAI_BASE_URL must be an http\(s\) URL") as error:
        build_advisor(settings, engine)
    assert "\n" not in str(error.value)
    # with no key the setting is unused: a warning, and the local engine still starts
    assert build_advisor(replace(settings, openai_api_key=None), engine) is engine


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("sk-abc def", "error: OPENAI_API_KEY contains spaces"),
        ('"sk-abc"', "error: OPENAI_API_KEY is wrapped in quotes"),
        ("abc123", "warning: OPENAI_API_KEY does not look like an OpenAI key"),
    ],
)
def test_key_problems_are_reported(key: str, message: str) -> None:
    assert any(
        line.startswith(message) for line in check_llm_settings(Settings(openai_api_key=key))
    )


def test_settings_warnings(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(
        openai_api_key="sk-x",
        openai_base_url="http://models.internal.example/v1",
        openai_model="my-llama",
        redact_before_llm=False,
    )
    lines = check_llm_settings(settings)
    assert all(line.startswith("warning: ") for line in lines)
    assert any("unencrypted" in line for line in lines)
    assert any("no price known for OPENAI_MODEL=my-llama" in line for line in lines)
    with caplog.at_level(logging.WARNING, logger="bot.llm"):
        advisor = build_advisor(settings, engine)
    assert isinstance(advisor, LLMAdvisor)
    assert any("REDACT_BEFORE_LLM=false" in r.getMessage() for r in caplog.records)
    azure = Settings(openai_api_key="k", openai_base_url="https://x.openai.azure.com/openai/")
    assert any("/openai/v1/" in line for line in check_llm_settings(azure))
    bare = Settings(openai_api_key="k", openai_base_url="http://localhost:8000")
    assert any("no path" in line for line in check_llm_settings(bare))


def test_settings_from_env_point_at_a_compatible_server(
    server: FakeOpenAI, engine: Engine, tmp_path: Path
) -> None:
    env = {
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": server.base_url,
        "OPENAI_MODEL": "local-llama",
        "OPENAI_TIMEOUT_SECONDS": "3",
        "CANIPOST_DATA_DIR": str(tmp_path),
    }
    advisor = build_advisor(Settings.from_env(env, dotenv=False), engine)
    decision = advisor.check(CheckRequest(text="Fun run on Saturday!"))
    assert decision.engine == "local-llama"
    assert decision.usage is not None
    assert decision.usage.cost_usd < 1e-6  # the chat costs 0; only the query embedding counts
    assert any("no price is known for model local-llama" in note for note in decision.notes)
    assert server.chat_requests[0].headers["authorization"] == "Bearer sk-test"
