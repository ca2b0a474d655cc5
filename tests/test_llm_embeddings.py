"""Embeddings: cached on disk by content hash and model, fused with BM25 (RRF)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, settings_for

from bot.core.engine import Engine
from bot.core.models import CheckRequest
from bot.llm import LLMAdvisor, LLMOptions, index_embeddings
from bot.llm.context import PromptBuilder
from bot.llm.embeddings import cache_file, embeddings_dir, reciprocal_rank_fusion
from bot.llm.prompts import PromptSet
from bot.llm.tokens import counter_for

POLICY_DIR = Path(__file__).resolve().parent.parent / "policy_docs"
FAST = LLMOptions(backoff_seconds=0.001, max_backoff_seconds=0.01)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(POLICY_DIR)


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


def test_second_index_run_makes_no_embedding_calls(
    server: FakeOpenAI, engine: Engine, tmp_path: Path
) -> None:
    settings = settings_for(server, tmp_path)
    first = index_embeddings(settings, engine, options=FAST)
    assert first.embedded == first.passages == len(engine.passages)
    assert first.calls == len(server.embedding_requests) >= 1
    assert first.tokens > 0 and first.cost_usd > 0
    assert server.embedding_requests[0].body["model"] == "text-embedding-3-small"
    path = cache_file(embeddings_dir(settings), "text-embedding-3-small", settings.openai_base_url)
    assert path.exists() and path.parent == tmp_path / "index" / "embeddings"

    server.clear()
    second = index_embeddings(settings, engine, options=FAST)
    assert server.embedding_requests == []
    assert (second.cached, second.embedded, second.calls) == (second.passages, 0, 0)


def test_cache_is_per_model(server: FakeOpenAI, engine: Engine, tmp_path: Path) -> None:
    index_embeddings(settings_for(server, tmp_path), engine, options=FAST)
    server.clear()
    other = settings_for(server, tmp_path, openai_embedding_model="text-embedding-3-large")
    stats = index_embeddings(other, engine, options=FAST)
    assert stats.embedded == len(engine.passages)
    assert server.embedding_requests[0].body["model"] == "text-embedding-3-large"


def test_changed_policy_embeds_only_the_changed_passages(
    server: FakeOpenAI, engine: Engine, tmp_path: Path
) -> None:
    settings = settings_for(server, tmp_path)
    index_embeddings(settings, engine, options=FAST)
    policy = tmp_path / "policy"
    shutil.copytree(POLICY_DIR, policy)
    document = policy / "social-media-policy.md"
    text = document.read_text()
    marker = "Employees must not post a readable license plate"
    assert marker in text
    document.write_text(text.replace(marker, "Employees must never post a readable license plate"))
    changed = Engine.load(policy)

    server.clear()
    stats = index_embeddings(settings, changed, options=FAST)
    assert stats.embedded == 1 and stats.calls == 1
    [request] = server.embedding_requests
    assert "Employees must never post a readable license plate" in request.body["input"][0]


def test_advisor_reuses_the_cache_and_embeds_the_redacted_query(
    server: FakeOpenAI, engine: Engine, tmp_path: Path
) -> None:
    settings = settings_for(server, tmp_path)
    index_embeddings(settings, engine, options=FAST)
    server.clear()
    advisor = LLMAdvisor(settings, engine, options=FAST)
    advisor.check(CheckRequest(text="Suspect John Smith was arrested at 12 Elm Street."))

    [query] = server.embedding_requests  # the passages came from the cache
    assert query.body["input"] == ["Suspect [NAME_1] was arrested at [ADDRESS_1]."]


def test_warm_up_builds_the_index_once(server: FakeOpenAI, engine: Engine, tmp_path: Path) -> None:
    advisor = LLMAdvisor(settings_for(server, tmp_path), engine, options=FAST)
    stats = advisor.warm_up()
    assert stats is not None and stats.embedded == len(engine.passages)
    calls = len(server.embedding_requests)
    advisor.check(CheckRequest(text="Fun run on Saturday!"))
    assert len(server.embedding_requests) == calls + 1  # only the query


def test_embeddings_can_be_switched_off(server: FakeOpenAI, engine: Engine, tmp_path: Path) -> None:
    options = LLMOptions(use_embeddings=False, backoff_seconds=0.001)
    advisor = LLMAdvisor(settings_for(server, tmp_path), engine, options=options)
    advisor.check(CheckRequest(text="Fun run on Saturday!"))
    assert server.embedding_requests == []
    assert len(server.chat_requests) == 1


def test_reciprocal_rank_fusion() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "a", "d"]], k=60)
    assert fused[0] == "a"  # ranks 1 and 2 beat ranks 3 and 1
    assert set(fused) == {"a", "b", "c", "d"}
    assert fused.index("c") < fused.index("b") < fused.index("d")
    assert reciprocal_rank_fusion([]) == []


def test_dense_ranking_brings_in_passages_bm25_missed(engine: Engine) -> None:
    builder = PromptBuilder(engine, PromptSet.load(), counter_for("gpt-4.1-mini"), FAST)
    request = CheckRequest(text="Great turnout at the fun run!")
    local = engine.check(request)
    bm25_only = builder.candidates(request, local)
    outsider = next(p for p in engine.passages if p.id not in {c.id for c in bm25_only})
    fused = builder.candidates(request, local, dense_ranking=[outsider.id])
    assert outsider.id in {p.id for p in fused}
