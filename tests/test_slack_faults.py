"""Failure paths, in-process (the same WSGI app `serve()` runs, behind a loopback HTTP
server) so the advisor, the store and the logs can be swapped or read."""

from __future__ import annotations

import io
import itertools
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import REVIEW_CHANNEL, SlackHarness
from fake_slack import BOT_USER_ID, dm_event, find_actions

from bot.core.engine import Engine
from bot.core.models import CheckRequest, Citation, Decision, Finding
from bot.slack import ids
from bot.slack.logsetup import FORMAT, RedactFilter
from bot.store import StoreError

MARKER = "Zebediah Quattlebaum"  # a name that must never reach the logs
_ts = itertools.count(1)


def new_ts() -> str:
    return f"{1_900_000_000 + next(_ts)}.000300"


def answer_in(slack: SlackHarness, ts: str) -> Any:
    return slack.fake.wait_for("chat.postMessage", lambda c: c.body.get("thread_ts") == ts)[0]


class Exploding:
    def check(self, request: CheckRequest) -> Decision:
        raise RuntimeError(f"model crashed on: {request.text}")


class Slow:
    def __init__(self, engine: Engine, seconds: float) -> None:
        self.engine, self.seconds = engine, seconds

    def check(self, request: CheckRequest) -> Decision:
        time.sleep(self.seconds)
        return self.engine.check(request)


class Huge:
    def check(self, request: CheckRequest) -> Decision:
        findings = tuple(
            Finding(f"rule_{i}", "revise", "m" * 2900, "f" * 2900, (0, 3)) for i in range(80)
        )
        citations = tuple(Citation("p.md", f"{i}.{i}", "t" * 300, "q" * 5000) for i in range(40))
        return Decision("revise", "s" * 5000, findings, citations, False, 0.8, "v1")


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Everything logged at DEBUG through the app's own redacting handler."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_engine_exception_apologises_and_offers_a_reviewer(
    make_slack_app: Any, captured_logs: io.StringIO
) -> None:
    slack = make_slack_app(advisor=Exploding())
    user, ts = slack.user(), new_ts()
    slack.sender.event(dm_event(user, f"Photo of {MARKER} at the scene", ts=ts))
    answer = answer_in(slack, ts)
    assert "Sorry, something went wrong" in answer.text_dump
    button = next(find_actions(answer.blocks))
    assert button["action_id"] == ids.ACTION_ASK_REVIEWER and MARKER not in button["value"]

    payload = {
        "type": "block_actions",
        "user": {"id": user},
        "container": {
            "type": "message",
            "channel_id": "D" + user,
            "message_ts": ts,
            "thread_ts": ts,
        },
        "channel": {"id": "D" + user},
        "message": {"ts": new_ts(), "thread_ts": ts},
        "trigger_id": "t",
        "response_url": slack.fake.response_url("err"),
        "actions": [{**button, "block_id": "error_actions", "action_ts": "1"}],
    }
    slack.sender.interaction(payload)
    notice = slack.fake.wait_for(
        "chat.postMessage", lambda c: c.body.get("thread_ts") == ts and "request #" in c.text_dump
    )[0]
    assert notice.body["channel"] == "D" + user  # in the DM thread, not ephemeral
    escalation = slack.store.list_escalations(requester_id=user)[0]
    assert escalation.decision.engine == "error" and MARKER in escalation.draft_text
    slack.fake.wait_for("chat.postMessage", lambda c: c.body.get("channel") == REVIEW_CHANNEL)
    slack.wait_idle()
    logs = captured_logs.getvalue()
    assert "check failed: surface=dm" in logs and "RuntimeError" in logs
    assert MARKER not in logs


def test_slow_engine_and_slow_slack_do_not_delay_the_ack(
    make_slack_app: Any, slack_engine: Engine
) -> None:
    slack = make_slack_app(advisor=Slow(slack_engine, 1.0))
    user, channel, ts = slack.user(), slack.channel(), new_ts()
    slack.fake.delay("chat.postMessage", 1.0, where=lambda c: c.body.get("channel") == channel)
    mention = {"type": "app_mention", "user": user, "channel": channel, "ts": ts}
    event = slack.sender.event({**mention, "text": f"<@{BOT_USER_ID}> Coffee with a Cop!"})
    command = slack.sender.command(
        "Coffee with a Cop!",
        user_id=user,
        channel_id=channel,
        response_url=slack.fake.response_url("s"),
    )
    assert event.status == command.status == 200
    assert event.seconds < 0.5 and command.seconds < 0.5
    assert answer_in(slack, ts).header() == "✅ OK to post"
    slack.fake.wait_for("response_url", lambda c: c.path.endswith("/s"))


def test_duplicate_event_across_instances_is_answered_once(
    make_slack_app: Any, tmp_path: Any
) -> None:
    shared = {"DATABASE_URL": f"sqlite:///{tmp_path / 'shared.db'}"}
    first, second = make_slack_app(**shared), make_slack_app(**shared)
    user, ts = first.user(), new_ts()
    event = dm_event(user, "Coffee with a Cop this Saturday!", ts=ts)
    replies: list[Any] = []
    threads = [
        threading.Thread(
            target=lambda s=s: replies.append(s.sender.event(event, event_id="EvTWICE"))
        )
        for s in (first, second)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status for r in replies] == [200, 200]
    first.wait_idle()
    second.wait_idle()
    assert len(first.fake.calls("chat.postMessage", lambda c: c.body.get("thread_ts") == ts)) == 1


def test_store_outage_still_answers(make_slack_app: Any, monkeypatch: Any) -> None:
    slack = make_slack_app()

    def down(**_kwargs: Any) -> int:
        raise StoreError("database error during record_check (sqlite): database is locked")

    monkeypatch.setattr(slack.store, "record_check", down)
    monkeypatch.setattr(
        slack.store, "mark_event_seen", lambda _key: (_ for _ in ()).throw(StoreError("down"))
    )
    user, ts = slack.user(), new_ts()
    slack.sender.event(dm_event(user, "Coffee with a Cop this Saturday!", ts=ts))
    answer = answer_in(slack, ts)
    assert answer.header() == "✅ OK to post"
    action_ids = {e["action_id"] for e in find_actions(answer.blocks)}
    assert ids.ACTION_ASK_REVIEWER in action_ids and ids.ACTION_FEEDBACK not in action_ids


def test_huge_decision_is_posted_within_limits(make_slack_app: Any) -> None:
    slack = make_slack_app(advisor=Huge())
    user, ts = slack.user(), new_ts()
    slack.sender.event(dm_event(user, "anything", ts=ts))
    answer = answer_in(slack, ts)
    assert answer.error is None and len(answer.blocks) <= 50


def test_invalid_blocks_fall_back_to_text(make_slack_app: Any) -> None:
    slack = make_slack_app()
    user, ts = slack.user(), new_ts()
    slack.fake.fail(
        "chat.postMessage",
        "invalid_blocks",
        where=lambda c: c.body.get("thread_ts") == ts and len(c.blocks) > 1,
    )
    slack.sender.event(dm_event(user, "Coffee with a Cop this Saturday!", ts=ts))
    calls = slack.fake.wait_for(
        "chat.postMessage", lambda c: c.body.get("thread_ts") == ts, count=2
    )
    assert calls[0].error == "invalid_blocks" and calls[1].error is None
    assert "OK to post" in calls[1].body["text"]


def test_logs_hold_ids_and_verdicts_but_no_drafts(
    make_slack_app: Any, captured_logs: io.StringIO
) -> None:
    slack = make_slack_app()
    user, channel, ts = slack.user(), slack.channel(), new_ts()
    draft = f"The victim, {MARKER}, was assaulted at 12 Elm Street."
    slack.sender.event(dm_event(user, draft, ts=ts))
    answer_in(slack, ts)
    slack.sender.command(
        f"review {draft}",
        user_id=user,
        channel_id=channel,
        response_url=slack.fake.response_url("l"),
    )
    slack.fake.wait_for("response_url", lambda c: c.path.endswith("/l"))
    slack.wait_idle()
    logs = captured_logs.getvalue()
    assert "verdict=do_not_post" in logs and f"user={user}" in logs and "escalation" in logs
    assert MARKER not in logs and "Elm" not in logs


def test_reviewer_group_may_set_incident_mode(make_slack_app: Any) -> None:
    slack = make_slack_app(REVIEWER_GROUP_ID="S0PIO", REVIEWER_IDS="")
    member, channel = "UPIOMEMBER", slack.channel()
    slack.fake.group_members[:] = [member]
    try:
        slack.sender.command(
            "incident on",
            user_id=member,
            channel_id=channel,
            response_url=slack.fake.response_url("g"),
        )
        call = slack.fake.wait_for("response_url", lambda c: c.path.endswith("/g"))[0]
    finally:
        slack.fake.group_members.clear()
    assert call.body["response_type"] == "in_channel"
    assert slack.runtime.deps.incidents.is_incident(channel)
    assert slack.fake.calls("usergroups.users.list", lambda c: c.body.get("usergroup") == "S0PIO")


def test_socket_mode_app_handles_unsigned_socket_requests(
    fake_slack: Any, slack_engine: Engine, tmp_path: Any
) -> None:
    import json

    from conftest import slack_env
    from slack_bolt.request import BoltRequest

    from bot.config import Settings
    from bot.slack.runtime import Runtime
    from bot.store import Store

    env = {**slack_env(fake_slack, tmp_path), "SLACK_APP_TOKEN": "xapp-1-test"}
    settings = Settings.from_env(env, dotenv=False)
    store = Store.open(settings.effective_database_url)
    runtime = Runtime.start(settings, socket_mode=True, store=store, engine=slack_engine)
    try:
        ts = new_ts()
        body = {
            "type": "event_callback",
            "event_id": "EvSOCKET1",
            "team_id": "T0FAKE",
            "event": dm_event("USOCKET1", "Coffee with a Cop this Saturday!", ts=ts),
        }
        response = runtime.app.dispatch(BoltRequest(body=json.dumps(body), mode="socket_mode"))
        assert response.status == 200
        answer = fake_slack.wait_for("chat.postMessage", lambda c: c.body.get("thread_ts") == ts)
        assert answer[0].header() == "✅ OK to post"
    finally:
        runtime.close(timeout=5)
        store.close()
