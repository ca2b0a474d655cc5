"""Load bench for the Slack HTTP app: ack latency under concurrency, one answer per request.

Starts the fake Slack Web API (tests/fake_slack.py) in this process and the app exactly as
`canipost serve` runs it (gunicorn, gthread) in a subprocess on loopback, then sends signed
`app_mention` events and `/canipost` commands: a sequential warm-up, then rounds of
`--concurrency` requests released at the same instant. Reports ack latency p50/p95/p99
(the HTTP response Slack waits for), time to the answer, and checks that every request got
exactly one answer (a threaded reply for mentions, a response_url post for commands).

    .venv/bin/python bench/bench_slack_load.py [--requests 400] [--concurrency 50]

Exit code 1 if the p99 ack under concurrency is over budget or any answer is missing or
duplicated.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
BUDGET_P99_MS = 300.0
SECRET = "bench-signing-secret"
INCIDENT_CHANNEL = "CBENCHINC"
DRAFTS = (
    "Join us for Coffee with a Cop this Saturday, 9-11am, at the public library!",
    "Great turnout at the bike rodeo today, thanks to everyone at 12 Elm Street!",
    "The victim, Maria Gonzalez, was assaulted at 41 Oak Avenue last night.",
    "Shots fired downtown, stay away from Main and 3rd.",
    "Vote for Smith for mayor! Posting this in my uniform.",
)


def load_fake_slack() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fake_slack", REPO / "tests" / "fake_slack.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["fake_slack"] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class Sent:
    kind: str  # "mention" or "command"
    key: str  # thread ts (mention) or response_url key (command)
    started: float
    ack_ms: float
    status: int
    phase: str


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests in concurrent rounds")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn worker processes")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for answers")
    args = parser.parse_args()

    fake_slack = load_fake_slack()
    tmp = Path(tempfile.mkdtemp(prefix="canipost-bench-"))
    with fake_slack.FakeSlack() as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))}
        env.update(
            {
                "SLACK_BOT_TOKEN": "xoxb-bench",
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_APP_TOKEN": "",
                "OPENAI_API_KEY": "",
                "SLACK_API_URL": fake.api_url,
                "REVIEW_CHANNEL_ID": "CBENCHREVIEW",
                "INCIDENT_CHANNEL_IDS": INCIDENT_CHANNEL,
                "CANIPOST_DATA_DIR": str(tmp),
                "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
                "LOG_LEVEL": "WARNING",
                "GUNICORN_CMD_ARGS": f"--workers {args.workers}",
                "PYTHONPATH": str(REPO),
            }
        )
        app = fake_slack.AppProcess(
            env, cwd=str(tmp), log_path=str(tmp / "app.log"), python=sys.executable
        )
        print(f"starting the app (gunicorn, {args.workers} worker(s)) ...", flush=True)
        app.start()
        sender = fake_slack.SlackSender(app.url, SECRET)
        counter = iter(range(1, 10**9))
        lock = threading.Lock()

        def send_one(i: int, phase: str) -> Sent:
            with lock:
                n = next(counter)
            draft = DRAFTS[n % len(DRAFTS)]
            started = time.monotonic()
            if n % 2:
                ts = f"{1_700_500_000 + n}.000100"
                channel = INCIDENT_CHANNEL if n % 6 == 1 else f"CBENCH{n % 7}"
                event = {
                    "type": "app_mention",
                    "user": f"UBENCH{n % 40}",
                    "channel": channel,
                    "text": f"<@{fake_slack.BOT_USER_ID}> {draft}",
                    "ts": ts,
                }
                reply = sender.event(event, event_id=f"EvBENCH{n}")
                kind, key = "mention", ts
            else:
                key = f"bench{n}"
                reply = sender.command(
                    draft,
                    user_id=f"UBENCH{n % 40}",
                    channel_id=f"CBENCH{n % 7}",
                    response_url=fake.response_url(key),
                )
                kind = "command"
            return Sent(kind, key, started, reply.seconds * 1000, reply.status, phase)

        sent: list[Sent] = [send_one(i, "sequential") for i in range(args.warmup)]
        rounds = max(1, args.requests // args.concurrency)
        began = time.monotonic()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            for _ in range(rounds):
                barrier = threading.Barrier(args.concurrency)

                def burst(i: int, barrier: threading.Barrier = barrier) -> Sent:
                    barrier.wait()
                    return send_one(i, "concurrent")

                sent.extend(pool.map(burst, range(args.concurrency)))
        send_seconds = time.monotonic() - began

        # Wait for the answers, then for quiet (so a late duplicate would be counted).
        expected = len(sent)
        deadline = time.monotonic() + args.timeout
        last, stable_since = -1, time.monotonic()
        while time.monotonic() < deadline:
            now_count = len(fake.calls())
            if now_count != last:
                last, stable_since = now_count, time.monotonic()
            answered = answers_by_key(fake, sent)
            if sum(1 for s in sent if answered[s.key]) >= expected and (
                time.monotonic() - stable_since > 1.0
            ):
                break
            time.sleep(0.1)
        answered = answers_by_key(fake, sent)
        code = app.stop()

    by_count = Counter(answered[s.key] for s in sent)
    concurrent = [s.ack_ms for s in sent if s.phase == "concurrent"]
    sequential = [s.ack_ms for s in sent if s.phase == "sequential"]
    first_answer = first_answer_ms(fake, sent)
    errors = [c for c in fake.calls() if c.error]
    bad_status = [s for s in sent if s.status != 200]

    print()
    print(
        f"requests: {len(sent)} ({args.warmup} sequential warm-up, {rounds} rounds of "
        f"{args.concurrency} concurrent), mentions {sum(s.kind == 'mention' for s in sent)}, "
        f"commands {sum(s.kind == 'command' for s in sent)}"
    )
    print(
        f"concurrent rounds took {send_seconds:.2f}s "
        f"({len(concurrent) / send_seconds:.0f} requests/s)"
    )
    print()
    print(f"{'ack latency (ms)':<28}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}")
    for label, values in (("sequential", sequential), (f"{args.concurrency} at once", concurrent)):
        print(
            f"{label:<28}{percentile(values, 50):>8.1f}{percentile(values, 95):>8.1f}"
            f"{percentile(values, 99):>8.1f}{max(values):>8.1f}"
        )
    print(
        f"{'time to answer (ms)':<28}{percentile(first_answer, 50):>8.1f}"
        f"{percentile(first_answer, 95):>8.1f}{percentile(first_answer, 99):>8.1f}"
        f"{max(first_answer or [0]):>8.1f}"
    )
    print()
    print(f"answers per request: {dict(sorted(by_count.items()))} (want {{1: {len(sent)}}})")
    print(f"non-200 acks: {len(bad_status)}; Slack API errors: {len(errors)}; app exit: {code}")

    p99 = percentile(concurrent, 99)
    ok = p99 < BUDGET_P99_MS and by_count == Counter({1: len(sent)}) and not bad_status
    verdict = "PASS" if ok else "FAIL"
    print(
        f"{verdict}: p99 ack at {args.concurrency} concurrent = {p99:.1f} ms "
        f"(budget {BUDGET_P99_MS:.0f} ms); exactly one answer each: "
        f"{by_count == Counter({1: len(sent)})}"
    )
    if not ok:
        print(f"app log: {tmp / 'app.log'}")
    return 0 if ok else 1


def answers_by_key(fake: object, sent: list[Sent]) -> Counter[str]:
    keys = {s.key for s in sent}
    counts: Counter[str] = Counter({key: 0 for key in keys})
    for call in fake.calls():  # type: ignore[attr-defined]
        if call.method == "chat.postMessage":
            key = call.body.get("thread_ts")
        elif call.method == "response_url":
            key = call.path.rsplit("/", 1)[-1]
        else:
            continue
        if key in keys:
            counts[key] += 1
    return counts


def first_answer_ms(fake: object, sent: list[Sent]) -> list[float]:
    started = {s.key: s.started for s in sent}
    seen: dict[str, float] = {}
    for call in fake.calls():  # type: ignore[attr-defined]
        key = (
            call.body.get("thread_ts")
            if call.method == "chat.postMessage"
            else call.path.rsplit("/", 1)[-1]
            if call.method == "response_url"
            else None
        )
        if key in started and key not in seen:
            seen[key] = (call.at - started[key]) * 1000
    return list(seen.values()) or [float("nan")]


if __name__ == "__main__":
    raise SystemExit(main())
