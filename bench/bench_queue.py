"""Benchmark the review queue: create and decide N escalations on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_queue.py [--n 10000] [--pg-url URL] [--json]

PostgreSQL runs against --pg-url or TEST_DATABASE_URL, in a throwaway schema that is dropped
afterwards; without either it is skipped with a message. SQLite runs on a temporary file
(WAL mode, as in production). Each operation is its own transaction, as in the bot.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine  # noqa: E402

from bot.core.models import Citation, Decision, Finding  # noqa: E402
from bot.store import OUTCOMES, Store, StoreError  # noqa: E402
from bot.store.engine import normalize_url  # noqa: E402

DRAFT = (
    "Officers responded to a collision at 5th and Main this morning. Two drivers were "
    "treated at the scene. Please avoid the area while the road is cleared. " * 4
)


@dataclass
class OpStats:
    count: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    ops_per_s: float


@dataclass
class BackendResult:
    backend: str
    n: int
    create: OpStats
    decide: OpStats
    total_seconds: float
    throughput_ops_per_s: float


def _decision() -> Decision:
    return Decision(
        verdict="needs_review",
        summary="A human should look at this.",
        findings=(Finding("incident.details", "needs_review", "Describes an incident.", "Wait."),),
        citations=(Citation("social-media-policy.md", "1058.5", "Incidents", "Members shall..."),),
        escalate=True,
        confidence=0.5,
        policy_version="bench",
    )


def _stats(samples: list[float], seconds: float) -> OpStats:
    ordered = sorted(samples)

    def pct(p: float) -> float:
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index] * 1000

    return OpStats(
        count=len(samples),
        p50_ms=pct(50),
        p95_ms=pct(95),
        p99_ms=pct(99),
        mean_ms=statistics.fmean(samples) * 1000,
        ops_per_s=len(samples) / seconds if seconds else 0.0,
    )


def _timed(n: int, op: Callable[[int], object]) -> tuple[list[float], float]:
    samples: list[float] = []
    started = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        op(i)
        samples.append(time.perf_counter() - t0)
    return samples, time.perf_counter() - started


def run(store: Store, backend: str, n: int) -> BackendResult:
    decision = _decision()
    ids: list[int] = []

    def create(i: int) -> None:
        esc = store.create_escalation(
            draft_text=DRAFT,
            decision=decision,
            requester_id=f"U{i % 97:04d}",
            surface="dm",
            reason="needs_review verdict",
            reply_channel="D0001",
            reply_thread_ts=f"1700000000.{i:06d}",
        )
        ids.append(esc.id)

    def decide(i: int) -> None:
        result = store.decide(
            ids[i], reviewer_id="UPIO", outcome=OUTCOMES[i % len(OUTCOMES)], note=None
        )
        if not result.applied:
            raise RuntimeError(f"decision {i} was not applied: {result.reason}")

    create_samples, create_s = _timed(n, create)
    decide_samples, decide_s = _timed(n, decide)
    total = create_s + decide_s
    return BackendResult(
        backend=backend,
        n=n,
        create=_stats(create_samples, create_s),
        decide=_stats(decide_samples, decide_s),
        total_seconds=total,
        throughput_ops_per_s=2 * n / total if total else 0.0,
    )


def bench_sqlite(n: int) -> BackendResult:
    with (
        tempfile.TemporaryDirectory(prefix="canipost-bench-") as folder,
        Store.open(f"sqlite:///{Path(folder) / 'bench.db'}") as store,
    ):
        return run(store, "sqlite", n)


def bench_postgres(n: int, url: str) -> BackendResult:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    try:
        with Store.open(url, schema=schema) as store:
            return run(store, "postgresql", n)
    finally:
        admin = create_engine(normalize_url(url))
        try:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        except Exception as exc:  # cleanup is best effort; the run already reported
            print(f"warning: could not drop schema {schema}: {exc}".splitlines()[0])
        finally:
            admin.dispose()


def _print(result: BackendResult) -> None:
    print(f"\n{result.backend}: {result.n} escalations created and decided")
    print(f"  {'op':<8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'mean ms':>9}{'ops/s':>10}")
    for name, s in (("create", result.create), ("decide", result.decide)):
        print(
            f"  {name:<8}{s.p50_ms:>9.3f}{s.p95_ms:>9.3f}{s.p99_ms:>9.3f}"
            f"{s.mean_ms:>9.3f}{s.ops_per_s:>10.0f}"
        )
    print(
        f"  total {result.total_seconds:.2f} s, throughput "
        f"{result.throughput_ops_per_s:.0f} ops/s (create + decide)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="escalations (default 10000)")
    parser.add_argument("--pg-url", default=None, help="PostgreSQL URL (default TEST_DATABASE_URL)")
    parser.add_argument("--skip-sqlite", action="store_true", help="only run PostgreSQL")
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")

    results: list[BackendResult] = []
    skipped = ""
    try:
        if not args.skip_sqlite:
            results.append(bench_sqlite(args.n))
        pg_url = args.pg_url or os.environ.get("TEST_DATABASE_URL", "").strip()
        if pg_url:
            results.append(bench_postgres(args.n, pg_url))
        else:
            skipped = "PostgreSQL skipped: pass --pg-url or set TEST_DATABASE_URL"
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1

    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))
    else:
        for result in results:
            _print(result)
    if skipped:
        print(f"\n{skipped}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
