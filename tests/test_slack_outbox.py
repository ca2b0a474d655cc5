"""The outbox: an answer Slack would not take is kept in the database, sent again later
(after a restart too) exactly once, and when it finally fails the officer is told so."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from fake_slack import BOT_USER_ID, dm_event

from bot.slack import delivery
from bot.slack.outbox import OUTBOX_DELAYS, retry_outbox

HARMLESS = "Join us for Coffee with a Cop this Saturday, 9-11am, at the public library!"
_n = itertools.count(1)


def new_ts() -> str:
    return f"{1_960_000_000 + next(_n)}.000500"


def new_user() -> str:
    return f"UOUTBOX{next(_n):05d}X"  # unique in the session's fake Slack


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # post_message's own retries (seconds apart) are not what these tests measure.
    monkeypatch.setattr(delivery, "POST_BACKOFF_SECONDS", (0.0, 0.0, 0.0, 0.0))


def answers_in(slack: Any, channel: str, thread_ts: str) -> list[dict[str, Any]]:
    return slack.fake.messages(channel, where=lambda m: m["thread_ts"] == thread_ts)


def test_an_answer_slack_refused_is_sent_after_a_restart_exactly_once(
    make_slack_app: Any,
) -> None:
    first = make_slack_app()
    user, ts = new_user(), new_ts()
    dm = "D" + user  # tests/fake_slack.py dm_event's channel
    first.fake.fail_http(
        "chat.postMessage", 500, times=None, where=lambda c: c.body.get("channel") == dm
    )
    try:
        assert first.sender.event(dm_event(user, HARMLESS, ts=ts)).status == 200
        assert first.wait_idle()
    finally:
        first.fake.clear_rules()
    assert answers_in(first, dm, ts) == [], "the fake Slack kept a post it answered 500 for"
    assert first.store.outbox_size() == 1
    first.runtime.close()  # the app stops with the answer undelivered

    second = make_slack_app()  # same database, new process state
    later = second.store.now() + OUTBOX_DELAYS[0]
    assert retry_outbox(second.runtime.app.client, second.store, now=later) == 1
    assert retry_outbox(second.runtime.app.client, second.store, now=later) == 0
    kept = answers_in(second, dm, ts)
    assert len(kept) == 1
    assert kept[0]["text"], "the answer arrived empty"
    assert second.store.outbox_size() == 0


def test_a_post_slack_kept_while_answering_500_is_not_sent_again_from_the_outbox(
    make_slack_app: Any,
) -> None:
    slack = make_slack_app()
    user, ts = new_user(), new_ts()
    dm = "D" + user  # tests/fake_slack.py dm_event's channel
    fake = slack.fake

    def in_dm(call: Any) -> bool:
        return bool(call.body.get("channel") == dm)

    def earlier_posts(call: Any) -> int:
        return len(fake.calls("chat.postMessage", where=in_dm)) if in_dm(call) else -1

    # Slack keeps the last attempt but answers 500, and the look-up for it fails as well:
    # the answer goes to the outbox with its delivery key.
    last = delivery.POST_ATTEMPTS - 1
    fake.fail_http(
        "chat.postMessage", 500, times=None, where=lambda c: 0 <= earlier_posts(c) < last
    )
    fake.fail_http("chat.postMessage", 500, accepted=True, where=lambda c: earlier_posts(c) == last)
    fake.fail("conversations.replies", "internal_error", times=None, where=in_dm)
    try:
        assert slack.sender.event(dm_event(user, HARMLESS, ts=ts)).status == 200
        assert slack.wait_idle()
    finally:
        slack.fake.clear_rules()
    assert len(answers_in(slack, dm, ts)) == 1
    assert slack.store.outbox_size() == 1
    later = slack.store.now() + OUTBOX_DELAYS[0]
    retry_outbox(slack.runtime.app.client, slack.store, now=later)
    assert len(answers_in(slack, dm, ts)) == 1, "the outbox posted an answer Slack had kept"
    assert slack.store.outbox_size() == 0


def test_when_the_answer_finally_fails_the_officer_is_told_by_dm(make_slack_app: Any) -> None:
    slack = make_slack_app()
    user, ts, channel = new_user(), new_ts(), slack.channel()
    in_channel = lambda c: c.body.get("channel") == channel  # noqa: E731
    slack.fake.fail_http("chat.postMessage", 503, times=None, where=in_channel)
    try:
        event = {
            "type": "app_mention",
            "user": user,
            "channel": channel,
            "text": f"<@{BOT_USER_ID}> {HARMLESS}",
            "ts": ts,
        }
        assert slack.sender.event(event).status == 200
        assert slack.wait_idle()
        now = slack.store.now()
        for delay in OUTBOX_DELAYS:
            assert slack.store.outbox_size() == 1
            now += delay
            assert retry_outbox(slack.runtime.app.client, slack.store, now=now) == 0
    finally:
        slack.fake.clear_rules()
    assert answers_in(slack, channel, ts) == []
    assert slack.store.outbox_size() == 0
    told = slack.fake.messages("D" + user.lstrip("U"))
    assert len(told) == 1
    assert "Slack would not take my answer" in told[0]["text"]
    assert f"<#{channel}>" in told[0]["text"]
    assert f"{len(OUTBOX_DELAYS) + 1} times" in told[0]["text"]


def test_the_outbox_hands_each_answer_to_one_instance_and_the_purge_empties_it(
    db_url: str,
) -> None:
    from bot.store import Store

    one, two = Store.open(db_url), Store.open(db_url)
    try:
        now = one.now()
        item_id = one.add_to_outbox(
            destination={"kind": "thread", "channel_id": "C1", "thread_ts": "1.2"},
            message={"text": "Victim Maria Gonzalez ...", "blocks": []},
            delivery_key="k1",
            user_id="U1",
            retry_at=now + timedelta(seconds=30),
        )
        assert one.claim_outbox(now=now) == []  # not due yet
        later = now + timedelta(minutes=1)
        claimed = one.claim_outbox(now=later)
        assert [c.id for c in claimed] == [item_id]
        assert claimed[0].message["text"].startswith("Victim")
        assert two.claim_outbox(now=later) == []  # leased to the first instance
        one.outbox_retry_later(item_id, attempts=2, retry_at=later)
        assert [c.attempts for c in two.claim_outbox(now=later)] == [2]
        assert one.purge(older_than_days=0) == 0  # no escalation drafts, but the answer goes
        assert one.outbox_size() == 0
    finally:
        one.close()
        two.close()
