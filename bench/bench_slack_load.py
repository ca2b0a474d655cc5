"""Load bench for the Slack HTTP app: ack and answer latency under concurrency, the
previous designs (drafts judged in the process that acks; judged in a pool of processes
beside it) and the current one (all the work after the ack in a work process, which
judges in its own pool) side by side, with short and 2,000-character drafts.

Starts the fake Slack Web API (tests/fake_slack.py) in this process and, for each design
and draft length, the app exactly as `canipost serve` runs it (gunicorn, gthread) in a
subprocess on loopback; then sends signed `app_mention` events and `/canipost` commands:
a sequential warm-up, then rounds of `--concurrency` requests released at the same
instant. Reports ack latency p50/p95/p99 (the HTTP response Slack waits for), time to the
answer, and checks that every request got exactly one answer (a threaded reply for
mentions, a response_url post for commands).

    .venv/bin/python bench/bench_slack_load.py [--requests 300] [--concurrency 50]

Exit code 1 if the current design's p99 ack under concurrency is over budget, or any
answer (in either design) is missing or duplicated.
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BUDGET_P99_MS = 100.0
SECRET = "bench-signing-secret"
BOT_USER_ID = "U0BOT"  # tests/fake_slack.py's bot
INCIDENT_CHANNEL = "CBENCHINC"
DRAFTS = (
    "Join us for Coffee with a Cop this Saturday, 9-11am, at the public library!",
    "Great turnout at the bike rodeo today, thanks to everyone at 12 Elm Street!",
    "The victim, Maria Gonzalez, was assaulted at 41 Oak Avenue last night.",
    "Shots fired downtown, stay away from Main and 3rd.",
    "Vote for Smith for mayor! Posting this in my uniform.",
)


def load_fake_slack() -> ModuleType:
    """tests/fake_slack.py, which imports its sibling tests/loopback.py."""
    sys.path.insert(0, str(REPO / "tests"))
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


DESIGNS = (  # name, WORK_MODE
    ("threads (before)", "threads"),  # everything on threads next to the acks
    ("judge pool", "pool"),  # judged in JUDGE_WORKERS processes, the rest on threads
    ("work process", "process"),  # all the work after the ack in one process
)
LONG_CHARS = 2000


def long_drafts() -> tuple[str, ...]:
    """2,000-character drafts: each short draft padded with the others, so the finding
    that matters may sit anywhere in a long post."""
    out = []
    for i, draft in enumerate(DRAFTS):
        others = [d for j, d in enumerate(DRAFTS) if j != i]
        text = draft
        k = 0
        while len(text) < LONG_CHARS:
            text += " " + others[k % len(others)]
            k += 1
        out.append(text[:LONG_CHARS])
    return tuple(out)


@dataclass
class Result:
    design: str
    mode: str
    drafts: str
    sent: list[Sent]
    answered: Counter[str]
    first_answer: list[float]
    send_seconds: float
    api_errors: int
    exit_code: int | None
    log_path: Path
    web_cpu_ms: float  # CPU time of the acking process per request, answers included
    load: float  # the machine's 1-minute load average at the end

    @property
    def concurrent(self) -> list[float]:
        return [s.ack_ms for s in self.sent if s.phase == "concurrent"]

    def acks(self, kind: str) -> list[float]:
        return [s.ack_ms for s in self.sent if s.phase == "concurrent" and s.kind == kind]

    @property
    def exactly_once(self) -> bool:
        return Counter(self.answered[s.key] for s in self.sent) == Counter({1: len(self.sent)})

    @property
    def bad_status(self) -> int:
        return sum(1 for s in self.sent if s.status != 200)


def send_one(
    sender: Any, n: int, phase: str, drafts: tuple[str, ...], response_prefix: str
) -> Sent:
    """Request number `n`: odd numbers are @-mentions (the key is the thread ts), even
    numbers /canipost commands (the key is the response_url's last part)."""
    draft = drafts[n % len(drafts)]
    started = time.monotonic()  # system-wide clock: comparable across processes
    if n % 2:
        ts = f"{1_700_500_000 + n}.000100"
        channel = INCIDENT_CHANNEL if n % 6 == 1 else f"CBENCH{n % 7}"
        event = {
            "type": "app_mention",
            "user": f"UBENCH{n % 40}",
            "channel": channel,
            "text": f"<@{BOT_USER_ID}> {draft}",
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
            response_url=response_prefix + key,
        )
        kind = "command"
    return Sent(kind, key, started, reply.seconds * 1000, reply.status, phase)


# The concurrent rounds are sent from --client-processes processes, so that the clients'
# own interpreter (and the fake Slack's, which stays in the main process) do not add
# their waits to the latency measured, as Slack's many senders would not.
_client: dict[str, Any] = {}


def _client_ready(_i: int) -> int:
    if "fake_slack" not in _client:
        _client["fake_slack"] = load_fake_slack()
    return os.getpid()


def _client_burst(
    chunk: tuple[str, list[int], float, tuple[str, ...], str],
) -> list[tuple[str, str, float, float, int, str]]:
    url, numbers, release_at, drafts, response_prefix = chunk
    fake_slack = _client.get("fake_slack") or load_fake_slack()
    sender = fake_slack.SlackSender(url, SECRET)

    def one(n: int) -> tuple[str, str, float, float, int, str]:
        time.sleep(max(0.0, release_at - time.monotonic()))
        sent = send_one(sender, n, "concurrent", drafts, response_prefix)
        return (sent.kind, sent.key, sent.started, sent.ack_ms, sent.status, sent.phase)

    with ThreadPoolExecutor(max_workers=len(numbers) or 1) as threads:
        return list(threads.map(one, numbers))


def run_design(
    fake_slack: ModuleType,
    fake: object,
    args: argparse.Namespace,
    *,
    design: str,
    work_mode: str,
    drafts: tuple[str, ...],
    drafts_label: str,
    counter: Iterator[int],
) -> Result:
    tmp = Path(tempfile.mkdtemp(prefix="canipost-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))}
    env.update(
        {
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_APP_TOKEN": "",
            "OPENAI_API_KEY": "",
            "SLACK_API_URL": fake.api_url,  # type: ignore[attr-defined]
            "REVIEW_CHANNEL_ID": "CBENCHREVIEW",
            "INCIDENT_CHANNEL_IDS": INCIDENT_CHANNEL,
            "CANIPOST_DATA_DIR": str(tmp),
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
            "LOG_LEVEL": "WARNING",
            "GUNICORN_CMD_ARGS": f"--workers {args.workers}",
            "WORK_MODE": work_mode,
            "JUDGE_WORKERS": str(args.judge_workers),
            "PYTHONPATH": str(REPO),
        }
    )
    app = fake_slack.AppProcess(
        env, cwd=str(tmp), log_path=str(tmp / "app.log"), python=sys.executable
    )
    print(f"{design}, {drafts_label} drafts: starting the app ...", flush=True)
    app.start(timeout=120)
    response_prefix = fake.response_url("")  # type: ignore[attr-defined]
    sender = fake_slack.SlackSender(app.url, SECRET)
    sent: list[Sent] = [
        send_one(sender, next(counter), "sequential", drafts, response_prefix)
        for _ in range(args.warmup)
    ]
    # The warm-up's answers first: the workers are loaded and the caches warm.
    wait_answers(fake, sent, timeout=args.timeout, quiet=0.2)
    rounds = max(1, args.requests // args.concurrency)
    processes = max(1, min(args.client_processes, args.concurrency))
    send_seconds = 0.0  # from each round's release to its last ack
    web_pid = gunicorn_worker(app.process.pid)
    cpu_before = cpu_seconds(web_pid)
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes) as pool:
        pool.map(_client_ready, range(processes))
        for _ in range(rounds):
            numbers = [next(counter) for _ in range(args.concurrency)]
            release_at = time.monotonic() + 0.2  # every client thread sends at this instant
            chunks = [
                (app.url, numbers[i::processes], release_at, drafts, response_prefix)
                for i in range(processes)
            ]
            for part in pool.map(_client_burst, chunks):
                sent.extend(Sent(*row) for row in part)
            send_seconds += max(s.started + s.ack_ms / 1000 for s in sent) - release_at
            time.sleep(args.pause)
    answered = wait_answers(fake, sent, timeout=args.timeout, quiet=1.0)
    web_cpu_ms = (cpu_seconds(web_pid) - cpu_before) * 1000 / (rounds * args.concurrency)
    load = os.getloadavg()[0]
    code = app.stop()
    errors = sum(1 for c in fake.calls() if c.error)  # type: ignore[attr-defined]
    return Result(
        design,
        work_mode,
        drafts_label,
        sent,
        answered,
        first_answer_ms(fake, [s for s in sent if s.phase == "concurrent"]),
        send_seconds,
        errors,
        code,
        tmp / "app.log",
        web_cpu_ms,
        load,
    )


def gunicorn_worker(master: int) -> int:
    """The pid of the gunicorn worker (the process that acks) under `master`."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return -1
    return int(children[0]) if children else -1


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` alone (not its children), NaN where unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_answers(fake: object, sent: list[Sent], *, timeout: float, quiet: float) -> Counter[str]:
    """Wait for an answer to each request, then for `quiet` seconds without a new call (so
    a late duplicate would be counted)."""
    deadline = time.monotonic() + timeout
    last, stable_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now_count = len(fake.calls())  # type: ignore[attr-defined]
        if now_count != last:
            last, stable_since = now_count, time.monotonic()
        answered = answers_by_key(fake, sent)
        if all(answered[s.key] for s in sent) and time.monotonic() - stable_since > quiet:
            break
        time.sleep(0.05)
    return answers_by_key(fake, sent)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="requests in concurrent rounds")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between rounds")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn worker processes")
    parser.add_argument("--judge-workers", type=int, default=2, help="JUDGE_WORKERS (pool)")
    parser.add_argument("--only", help="comma-separated WORK_MODEs to run (default: all three)")
    parser.add_argument("--current", default="process", help="the WORK_MODE held to the budget")
    parser.add_argument(
        "--drafts", choices=("short", "long", "both"), default="both", help="draft lengths"
    )
    parser.add_argument(
        "--client-processes", type=int, default=5, help="processes sending each round"
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for answers")
    args = parser.parse_args()

    fake_slack = load_fake_slack()
    designs = [
        (name, mode) for name, mode in DESIGNS if args.only is None or mode in args.only.split(",")
    ]
    draft_sets = [
        (label, drafts)
        for label, drafts in (("short", DRAFTS), (f"{LONG_CHARS}-char", long_drafts()))
        if args.drafts == "both" or (args.drafts == "short") == (label == "short")
    ]
    counter = iter(range(1, 10**9))
    results: list[Result] = []
    with fake_slack.FakeSlack() as fake:
        for label, drafts in draft_sets:
            for name, mode in designs:
                results.append(
                    run_design(
                        fake_slack,
                        fake,
                        args,
                        design=name,
                        work_mode=mode,
                        drafts=drafts,
                        drafts_label=label,
                        counter=counter,
                    )
                )
                fake.reset()

    rounds = max(1, args.requests // args.concurrency)
    print()
    print(
        f"{rounds} rounds of {args.concurrency} concurrent requests (after {args.warmup} "
        f"sequential), half app_mention events, half /canipost commands; "
        f"JUDGE_WORKERS={args.judge_workers} for the judge pool; {os.cpu_count()} CPUs"
    )
    print()
    head = f"{'design':<22}{'drafts':<12}"
    print(
        head + f"{'ack p50':>8}{'p95':>7}{'p99':>7}{'max':>7}{'p99 mention':>12}{'command':>8}"
        f"{'answer p50':>12}{'p95':>7}{'p99':>7}{'web CPU/req':>12}{'load':>6}  once"
    )
    for r in results:
        ack, ans = r.concurrent, r.first_answer
        print(
            f"{r.design:<22}{r.drafts:<12}"
            f"{percentile(ack, 50):>8.0f}{percentile(ack, 95):>7.0f}{percentile(ack, 99):>7.0f}"
            f"{max(ack):>7.0f}{percentile(r.acks('mention'), 99):>12.0f}"
            f"{percentile(r.acks('command'), 99):>8.0f}"
            f"{percentile(ans, 50):>12.0f}{percentile(ans, 95):>7.0f}"
            f"{percentile(ans, 99):>7.0f}{r.web_cpu_ms:>12.1f}{r.load:>6.1f}  "
            f"{'yes' if r.exactly_once else 'NO'}"
        )
    print(
        "(milliseconds; answer = from sending the request to Slack receiving the answer; "
        "web CPU/req = CPU time of the process that acks, per request, answers included; "
        "load = the machine's 1-minute load average)"
    )
    ok = True
    for r in results:
        counts = dict(sorted(Counter(r.answered[s.key] for s in r.sent).items()))
        if not r.exactly_once or r.bad_status or r.exit_code != 0:
            ok = False
            print(
                f"FAIL {r.design}, {r.drafts}: answers per request {counts} "
                f"(want {{1: {len(r.sent)}}}), non-200 acks {r.bad_status}, "
                f"app exit {r.exit_code}; app log: {r.log_path}"
            )
        if r.api_errors:
            print(f"note {r.design}, {r.drafts}: {r.api_errors} Slack API errors")
    for r in results:
        if r.mode == args.current:
            p99 = percentile(r.concurrent, 99)
            within = p99 < BUDGET_P99_MS
            ok = ok and within
            print(
                f"{'PASS' if within else 'FAIL'}: {r.drafts} drafts, p99 ack at "
                f"{args.concurrency} concurrent = {p99:.1f} ms (budget {BUDGET_P99_MS:.0f} ms)"
            )
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
