"""The judgment runs away from the process that acks: the app as `serve` runs it (gunicorn,
real HTTP on loopback, the fake Slack Web API), in each WORK_MODE that moves work out of
the web process, answers every mention exactly once, and its log shows where the check ran."""

from __future__ import annotations

import itertools
import os
import re
import sys
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import conftest
import pytest
from conftest import SLACK_SECRET, slack_env
from fake_slack import BOT_USER_ID, AppProcess, FakeSlack, SlackSender

from bot.config import REPO_ROOT

HARMLESS = "Join us for Coffee with a Cop this Saturday, 9-11am, at the public library!"
VICTIM = "The victim, Maria Gonzalez, was assaulted at 41 Oak Avenue last night."
_n = itertools.count(1)


@pytest.fixture(params=["process", "pool"])
def app(
    request: pytest.FixtureRequest, fake_slack: FakeSlack, tmp_path: Path
) -> Iterator[tuple[AppProcess, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))}
    env.update(slack_env(fake_slack, tmp_path))
    env.update({"PYTHONPATH": str(REPO_ROOT), "WORK_MODE": request.param, "JUDGE_WORKERS": "1"})
    process = AppProcess(
        env, cwd=str(tmp_path), log_path=str(tmp_path / "app.log"), python=sys.executable
    )
    process.start(timeout=120)
    try:
        yield process, request.param
    finally:
        code = process.stop()
        assert code == 0, f"the app exited with {code}:\n{process.log()}"


def pid_of(log: str, pattern: str) -> str:
    match = re.search(r"\[(\d+)\] [\w.]+: " + pattern, log)
    assert match, f"no log line matching {pattern!r}:\n{log}"
    return match.group(1)


def test_mentions_are_answered_once_each_by_a_process_that_does_not_ack(
    app: tuple[AppProcess, str], fake_slack: FakeSlack
) -> None:
    process, mode = app
    sender = SlackSender(process.url, SLACK_SECRET)
    channel = f"CWORK{next(_n):04d}X"
    threads = []
    for draft in (HARMLESS, VICTIM, HARMLESS):
        ts = f"{1_970_000_000 + next(_n)}.000600"
        event = {
            "type": "app_mention",
            "user": f"UWORK{next(_n):04d}X",
            "channel": channel,
            "text": f"<@{BOT_USER_ID}> {draft}",
            "ts": ts,
        }
        reply = sender.event(event)
        assert reply.status == 200
        threads.append(ts)
    fake_slack.wait_for("chat.postMessage", lambda c: c.body.get("channel") == channel, count=3)
    time.sleep(0.3)  # a late duplicate would land in this time
    posts = [c for c in fake_slack.calls("chat.postMessage") if c.body.get("channel") == channel]
    assert sorted(c.body.get("thread_ts") for c in posts) == sorted(threads)
    victim_answer = next(c for c in posts if c.body.get("thread_ts") == threads[1])
    assert "Maria" not in victim_answer.text_dump  # the channel never hears the details

    log = process.log()
    web = pid_of(log, "worker ready")
    if mode == "process":
        worker = pid_of(log, r"work process \d+ ready")
        checks = set(re.findall(r"\[(\d+)\] bot\.slack\.service: check \d+: surface=mention", log))
        assert checks == {worker} and worker != web
    else:
        worker = pid_of(log, r"judge worker \d+ ready")
        assert worker != web
        assert len(re.findall(r"surface=mention .* judged=worker", log)) == 3


def test_a_signed_review_command_replayed_to_another_instance_queues_one_review(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    # Two instances on one database, each with its work process: both ack (nothing is
    # written before an ack), and the work process that finds the job claimed skips it.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))}
    env.update(slack_env(fake_slack, tmp_path))
    env.update({"PYTHONPATH": str(REPO_ROOT), "WORK_MODE": "process", "JUDGE_WORKERS": "1"})
    apps = [
        AppProcess(
            env, cwd=str(tmp_path), log_path=str(tmp_path / f"app{i}.log"), python=sys.executable
        )
        for i in (1, 2)
    ]
    with ThreadPoolExecutor(2) as starting:  # side by side: each start is mostly waiting
        list(starting.map(lambda process: process.start(timeout=120), apps))
    try:
        user = f"UREPLAY{next(_n):04d}X"
        fields = {
            "team_id": "T0FAKE",
            "channel_id": f"CWORK{next(_n):04d}X",
            "user_id": user,
            "command": "/canipost",
            "text": f"review {HARMLESS} #{user}",
            "response_url": fake_slack.response_url(f"replay{next(_n)}"),
            "trigger_id": f"trig.{next(_n)}",
        }
        raw, stamp = urllib.parse.urlencode(fields).encode(), int(time.time())
        senders = [SlackSender(process.url, SLACK_SECRET) for process in apps]
        for sender in senders:
            reply = sender.post(raw, "application/x-www-form-urlencoded", timestamp=stamp)
            assert reply.status == 200

        def on_card(call: Any) -> bool:
            return bool(
                call.body.get("channel") == conftest.REVIEW_CHANNEL and user in call.text_dump
            )

        fake_slack.wait_for("chat.postMessage", on_card, timeout=20)
        skipped = "job slash_review skipped: its request was already handled"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any(skipped in p.log() for p in apps):
            time.sleep(0.1)
        time.sleep(0.3)  # a second card, if one were coming, comes in this time
        assert len(fake_slack.calls("chat.postMessage", on_card)) == 1
        # whichever work process claimed the job first ran it; the other skipped it
        assert sum(skipped in p.log() for p in apps) == 1
    finally:
        with ThreadPoolExecutor(2) as stopping:
            assert list(stopping.map(lambda process: process.stop(), apps)) == [0, 0]
