"""A model that hangs does not hold officers: one answer's model path fits in its time
budget (the local answer after it), and after repeated failures a circuit breaker stops
calling the endpoint for a while, saying so in the log once. Against the fake OpenAI
server made to hang or fail."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Reply, settings_for

from bot.core.engine import Engine
from bot.core.models import CheckRequest
from bot.llm import LLMAdvisor, LLMOptions
from bot.llm.breaker import CircuitBreaker

POLICY_DIR = Path(__file__).resolve().parent.parent / "policy_docs"
FAST = LLMOptions(backoff_seconds=0.001, max_backoff_seconds=0.01, max_retries=2)
DRAFT = "Fun run on Saturday at the park, everyone welcome!"
HANG = 30.0  # longer than any test waits: the server never answers in time


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine = Engine.load(POLICY_DIR)
    # One answer first, so one-time loads (the judge's model, the tokenizer) are not timed.
    with FakeOpenAI() as fake:
        LLMAdvisor(settings_for(fake, tmp_path_factory.mktemp("warm")), engine).check(
            CheckRequest(text=DRAFT)
        )
    return engine


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


def timed_check(advisor: LLMAdvisor, text: str = DRAFT) -> tuple[float, object]:
    started = time.monotonic()
    decision = advisor.check(CheckRequest(text=text))
    return time.monotonic() - started, decision


def test_a_hung_model_costs_one_budget_not_three_timeouts(
    server: FakeOpenAI, engine: Engine, tmp_path: Path
) -> None:
    # The per-request timeout (20 s, the default) would allow a minute with retries.
    settings = settings_for(
        server, tmp_path, openai_timeout_seconds=20.0, openai_budget_seconds=1.0
    )
    advisor = LLMAdvisor(settings, engine, options=FAST)
    server.script_embeddings(*[Reply.delay(HANG)] * 3)
    server.script_chat(*[Reply.delay(HANG)] * 3)

    seconds, decision = timed_check(advisor)

    assert seconds < 2.0, seconds
    assert decision.engine == "local"  # type: ignore[attr-defined]
    assert decision.notes[-1] == (  # type: ignore[attr-defined]
        "The model was unavailable (over the 1 s time budget); this is the local engine's answer."
    )
    assert len(server.chat_requests) == 1  # no retry started that could not finish


def test_a_slow_embedding_leaves_the_chat_its_share(
    server: FakeOpenAI, engine: Engine, tmp_path: Path
) -> None:
    settings = settings_for(server, tmp_path, openai_budget_seconds=2.0)
    advisor = LLMAdvisor(settings, engine, options=FAST)
    server.script_embeddings(*[Reply.delay(HANG)] * 3)  # the passage index never comes

    seconds, decision = timed_check(advisor)

    assert decision.engine == "gpt-4.1-mini"  # type: ignore[attr-defined]  # BM25 alone
    assert 0.9 < seconds < 1.9, seconds  # half the budget went to the embeddings


def test_the_breaker_stops_calling_a_failing_endpoint_and_logs_once(
    server: FakeOpenAI, engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    breaker = CircuitBreaker(failures_to_open=3, open_seconds=60.0, clock=clock)
    advisor = LLMAdvisor(settings_for(server, tmp_path), engine, options=FAST, breaker=breaker)
    advisor.warm_up()  # the passage index, so only chat calls remain
    server.script_chat(*[Reply.status(503)] * 9)

    with caplog.at_level(logging.DEBUG, logger="bot.llm"):
        failed = [advisor.check(CheckRequest(text=DRAFT)) for _ in range(3)]
        calls = len(server.chat_requests)
        paused = [timed_check(advisor) for _ in range(5)]

    assert calls == 9  # three answers, each tried three times
    assert len(server.chat_requests) == calls  # then no call at all
    assert all("HTTP 503" in d.notes[-1] for d in failed)
    for seconds, decision in paused:
        assert seconds < 0.5 and decision.engine == "local"  # type: ignore[attr-defined]
        assert decision.notes[-1].startswith(  # type: ignore[attr-defined]
            "The model is paused after repeated failures (next try in about 60 s)"
        )
    opened = [r for r in caplog.records if "model endpoint failing" in r.getMessage()]
    assert len(opened) == 1 and opened[0].levelno == logging.WARNING
    assert "HTTP 503" in opened[0].getMessage() and "60s" in opened[0].getMessage()
    assert "Fun run" not in caplog.text

    # A failed trial after the pause: one more call, paused again, no new warning line.
    clock.now += 61
    server.script_chat(*[Reply.status(503)] * 3)
    with caplog.at_level(logging.DEBUG, logger="bot.llm"):
        trial = advisor.check(CheckRequest(text=DRAFT))
        after_trial = advisor.check(CheckRequest(text=DRAFT))
    assert "HTTP 503" in trial.notes[-1] and "paused" in after_trial.notes[-1]
    assert len(server.chat_requests) == calls + 3
    assert len([r for r in caplog.records if "model endpoint failing" in r.getMessage()]) == 1

    # The endpoint recovers: the next trial uses the model, and the log says so.
    clock.now += 61
    with caplog.at_level(logging.INFO, logger="bot.llm"):
        recovered = advisor.check(CheckRequest(text=DRAFT))
        normal = advisor.check(CheckRequest(text=DRAFT))
    assert recovered.engine == normal.engine == "gpt-4.1-mini"
    assert any("answering again" in r.getMessage() for r in caplog.records)


def test_a_hung_endpoint_under_load_holds_each_officer_once_then_not_at_all(
    server: FakeOpenAI, engine: Engine, tmp_path: Path
) -> None:
    settings = settings_for(server, tmp_path, openai_budget_seconds=0.5)
    breaker = CircuitBreaker(failures_to_open=3, open_seconds=60.0)
    advisor = LLMAdvisor(settings, engine, options=FAST, breaker=breaker)
    advisor.warm_up()
    server.script_chat(*[Reply.delay(HANG)] * 20)
    timings: list[float] = []
    lock = threading.Lock()

    def officer() -> None:
        seconds, decision = timed_check(advisor)
        assert decision.engine == "local"  # type: ignore[attr-defined]
        with lock:
            timings.append(seconds)

    threads = [threading.Thread(target=officer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(timings) == 6 and max(timings) < 1.5, timings
    assert breaker.is_open
    seconds, _ = timed_check(advisor)
    assert seconds < 0.2  # the breaker answers locally at once
