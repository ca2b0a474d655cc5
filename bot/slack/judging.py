"""Where a draft is judged: in this process, or in a pool of worker processes.

The judgment (the rules, the judge's sentence embedding, the model path, the search for a
question's passages) costs 5-20 times the CPU of an ack. Done in the process that acks, it
competes for the interpreter with the request threads, and under a burst the acks wait. So
`serve` hands it to `JudgePool`: JUDGE_WORKERS processes (spawned, not forked from a
threaded server), each at a lower OS priority (os.nice) and each loading the engine and the
advisor once. The web process keeps everything else: the store, the in-memory drafts for
"Ask a reviewer", rendering and the Slack calls, so a button click finds what it needs.

`judge_with` does the same work in the calling thread (JUDGE_WORKERS=0, tests that swap
the advisor, and any check the pool cannot take).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Protocol

from bot.config import Settings
from bot.core.engine import Engine
from bot.core.errors import UserError
from bot.core.models import Advisor, CheckRequest, Citation, Decision
from bot.slack.blocks import is_identifying
from bot.slack.outcome import PolicyAnswer

log = logging.getLogger(__name__)

QUESTION_PASSAGES = 3
WORKER_NICE = 10
READY_SECONDS = 180.0  # added to the worker's OS priority: acks come first
# How long a check may take in a worker beyond the model's own budget before the web
# process stops waiting (a worker stuck in a loop must not hold the officer for ever).
EXTRA_WAIT_SECONDS = 20.0


@dataclass(frozen=True)
class Judged:
    """What judging a message produced: the decision, and for a question about the policy
    (that names nobody) the passages that answer it."""

    decision: Decision
    answer: PolicyAnswer | None = None
    where: str = "local"  # "local" or "worker"


class Judging(Protocol):
    """Judges a request for the web process's current policy version."""

    def judge(self, request: CheckRequest, *, question: bool, policy_version: str) -> Judged: ...

    def close(self) -> None: ...


def carries_details(decision: Decision) -> bool:
    """A question that names someone, or says something that must never be posted, is
    judged like a draft: the officer is about to share those words."""
    return any(
        finding.span and (is_identifying(finding.code) or finding.severity == "do_not_post")
        for finding in decision.findings
    )


def policy_answer(engine: Engine, question: str, decision: Decision | None = None) -> PolicyAnswer:
    """The passages that answer a question: those the check of the question cited for
    its own findings (a rule that fired on "in uniform"), then the best retrieved."""
    cited: list[Citation] = []
    if decision is not None:
        spanned = {f.code for f in decision.findings if f.span}
        for finding in decision.findings:
            if finding.code in spanned:
                citation = engine.finding_citation(finding, question)
                if citation:
                    cited.append(citation)
    hits = [scored.passage for scored in engine.retrieve(question, k=8)]
    sections = {(p.source, p.section) for p in hits}
    for passage in hits:
        # A section's introduction, when one of its subsections was found, adds nothing.
        if any(
            other[0] == passage.source and other[1].startswith(passage.section + "(")
            for other in sections
        ):
            continue
        cited.append(engine.citation_for(passage, question))
    unique: dict[tuple[str, str], Citation] = {}
    for citation in cited:
        unique.setdefault((citation.source, citation.section), citation)
    chosen = tuple(list(unique.values())[:QUESTION_PASSAGES])
    return PolicyAnswer(chosen, engine.policy_version)


def judge_with(
    advisor: Advisor, engine: Engine, request: CheckRequest, question: bool, where: str
) -> Judged:
    decision = advisor.check(request)
    if question and not carries_details(decision):
        return Judged(decision, policy_answer(engine, request.text, decision), where)
    return Judged(decision, None, where)


# ------------------------------------------------------------------ the worker process

_worker: dict[str, object] = {}


def _worker_start(settings: Settings, nice: int) -> None:
    """Runs once in each worker process: lower its priority, load the engine and advisor."""
    from bot.llm import build_advisor
    from bot.slack.logsetup import configure_logging
    from bot.slack.workproc import warm_up

    configure_logging(settings.log_level)
    raise_by = nice - os.nice(0)  # to `nice` at least (a work process may have set some)
    if raise_by > 0:
        try:
            os.nice(raise_by)
        except OSError as exc:  # not allowed here: still correct, only slower acks
            log.warning("judge worker: os.nice(%d) refused (%s)", nice, type(exc).__name__)
    started = time.perf_counter()
    engine = Engine.load(settings.policy_docs_dir, settings.index_dir)
    _worker.update(settings=settings, engine=engine, advisor=build_advisor(settings, engine))
    warm_up(engine)
    log.info(
        "judge worker %d ready: policy %s, nice %d, loaded in %.1fs",
        os.getpid(),
        engine.policy_version,
        os.nice(0),
        time.perf_counter() - started,
    )


def _worker_judge(request: CheckRequest, question: bool, policy_version: str) -> Judged:
    """Runs in a worker. When the web process serves a newer policy than this worker
    loaded (a reload), the worker loads it first; if that fails it keeps its own."""
    engine = _worker["engine"]
    assert isinstance(engine, Engine)
    if engine.policy_version != policy_version:
        engine = _reload_worker_engine(engine)
    advisor = _worker["advisor"]
    return judge_with(advisor, engine, request, question, "worker")  # type: ignore[arg-type]


def _reload_worker_engine(current: Engine) -> Engine:
    from bot.llm import build_advisor

    settings = _worker["settings"]
    assert isinstance(settings, Settings)
    try:
        engine = Engine.load(settings.policy_docs_dir, settings.index_dir)
    except UserError as exc:
        log.warning("judge worker %d: policy reload failed, kept %s (%s)", os.getpid(),
                    current.policy_version, exc)  # fmt: skip
        return current
    _worker.update(engine=engine, advisor=build_advisor(settings, engine))
    log.info("judge worker %d: policy %s loaded", os.getpid(), engine.policy_version)
    return engine


def _worker_ping() -> int:
    return os.getpid()


class JudgePool:
    """`workers` judge processes. A worker that dies takes the pool with it; the pool is
    then built again and that one check is judged in this process, so nobody waits for a
    broken worker. A check that outlives the model budget plus EXTRA_WAIT_SECONDS is
    judged here too."""

    def __init__(
        self,
        settings: Settings,
        fallback: Callable[[CheckRequest, bool], Judged],
        *,
        workers: int,
        nice: int = WORKER_NICE,
    ) -> None:
        self.settings = settings
        self.fallback = fallback  # judges in this process
        self.workers = workers
        self.nice = nice
        self.wait_seconds = settings.openai_budget_seconds + EXTRA_WAIT_SECONDS
        self._lock = threading.Lock()
        self._closed = False
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_start,
            initargs=(self.settings, self.nice),
        )
        # Start them now, not on the first officer's check; the first pool is waited for.
        pings = [pool.submit(_worker_ping) for _ in range(self.workers)]
        if not getattr(self, "_pool", None):
            try:
                for ping in pings:
                    ping.result(timeout=READY_SECONDS)
            except (BrokenProcessPool, FutureTimeout) as exc:
                pool.shutdown(wait=False, cancel_futures=True)
                raise UserError(
                    f"the judge workers did not start ({type(exc).__name__}); "
                    "their error is in the log above"
                ) from None
        return pool

    def judge(self, request: CheckRequest, *, question: bool, policy_version: str) -> Judged:
        with self._lock:
            pool = self._pool
        try:
            future = pool.submit(_worker_judge, request, question, policy_version)
        except (BrokenProcessPool, RuntimeError):  # broken, or shutting down
            log.warning("judge pool: not taking work; judging here")
            self._replace(pool)
            return self.fallback(request, question)
        try:
            return future.result(timeout=self.wait_seconds)
        except BrokenProcessPool:
            log.error("judge pool: a worker died; starting new workers, judging here")
            self._replace(pool)
        except FutureTimeout:
            future.cancel()
            log.error("judge pool: no answer in %.0fs; judging here", self.wait_seconds)
        return self.fallback(request, question)

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken and not self._closed:
                broken.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pool = self._pool
        pool.shutdown(wait=True, cancel_futures=True)
