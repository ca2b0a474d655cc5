"""Delivery that neither loses nor doubles: against the app in-process and the fake Slack
answering 5xx or dropping connections, every answer is posted exactly once (counted in
what Slack kept, as an officer would see it), and an accepted review card keeps its ts."""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from conftest import REVIEW_CHANNEL, SlackHarness
from fake_slack import Call, dm_event

from bot.core.models import CheckRequest
from bot.slack.delivery import post_message
from bot.slack.review import card_key
from bot.slack.review_blocks import card_for

HARMLESS = "Join us for Coffee with a Cop this Saturday, 9-11am, at the public library!"
_ts = itertools.count(1)


def new_ts() -> str:
    return f"{1_950_000_000 + next(_ts)}.000400"


def chance(rate: float, seed: int) -> Callable[[Call], bool]:
    rng, lock = random.Random(seed), threading.Lock()

    def pick(_call: Call) -> bool:
        with lock:
            return rng.random() < rate

    return pick


def answers_by_thread(slack: SlackHarness, threads: list[str]) -> dict[str, int]:
    wanted = set(threads)
    counts = dict.fromkeys(threads, 0)
    for message in slack.fake.messages(where=lambda m: m["thread_ts"] in wanted):
        counts[message["thread_ts"]] += 1
    return counts


def send_dms(slack: SlackHarness, count: int) -> list[str]:
    threads = []
    for _ in range(count):
        user, ts = f"UDELIV{next(_ts):05d}X", new_ts()  # unique in the session's fake Slack
        assert slack.sender.event(dm_event(user, HARMLESS, ts=ts)).status == 200
        threads.append(ts)
    return threads


def test_with_one_slack_call_in_ten_failing_every_dm_is_answered_exactly_once(
    make_slack_app: Any,
) -> None:
    slack = make_slack_app()
    fake = slack.fake
    # 10% of posts answer 500, half of them after Slack kept the message; 10% of the
    # look-ups answer 500 too.
    fake.fail_http("chat.postMessage", 500, accepted=True, times=None, where=chance(0.05, 1))
    fake.fail_http("chat.postMessage", 503, accepted=False, times=None, where=chance(0.05, 2))
    for method in ("conversations.replies", "conversations.history"):
        fake.fail_http(method, 500, times=None, where=chance(0.1, 3))
    try:
        threads = send_dms(slack, 30)
        assert slack.runtime.deps.jobs.wait_idle(60)
    finally:
        fake.clear_rules()
    counts = answers_by_thread(slack, threads)
    failed = [c for c in fake.calls("chat.postMessage") if c.error and c.error.startswith("http_")]
    assert failed, "no failure was injected: the test proves nothing"
    assert sorted(set(counts.values())) == [1], {t: n for t, n in counts.items() if n != 1}


def test_a_connection_dropped_after_slack_kept_the_post_does_not_double_it(
    make_slack_app: Any,
) -> None:
    slack = make_slack_app()
    fake = slack.fake
    fake.drop("chat.postMessage", accepted=True, times=None, where=chance(0.25, 4))
    try:
        threads = send_dms(slack, 30)
        assert slack.runtime.deps.jobs.wait_idle(60)
    finally:
        fake.clear_rules()
    dropped = [c for c in fake.calls("chat.postMessage") if c.error == "dropped"]
    assert dropped, "no connection was dropped: the test proves nothing"
    counts = answers_by_thread(slack, threads)
    assert sorted(set(counts.values())) == [1], {t: n for t, n in counts.items() if n != 1}


def test_a_card_slack_kept_but_answered_500_for_keeps_its_ts_and_gets_no_twin(
    make_slack_app: Any,
) -> None:
    slack = make_slack_app()
    fake = slack.fake
    user, channel = f"UCARD{next(_ts):05d}X", slack.channel()  # unique in the session's fake
    fake.fail_http(
        "chat.postMessage",
        500,
        accepted=True,
        where=lambda c: c.body.get("channel") == REVIEW_CHANNEL and user in c.text_dump,
    )
    reply = slack.sender.command(
        f"review {HARMLESS} #{user}",
        user_id=user,
        channel_id=channel,
        response_url=fake.response_url(slack.new_id("card")),
    )
    assert reply.status == 200
    assert slack.wait_idle()
    cards = fake.messages(REVIEW_CHANNEL, lambda m: user in (m["text"] or ""))
    assert len(cards) == 1
    [case] = slack.store.list_escalations(requester_id=user)
    assert case.card_channel == REVIEW_CHANNEL and case.card_ts == cards[0]["ts"]
    assert fake.calls("conversations.history")  # it looked instead of posting again


def test_a_reminder_finds_a_card_whose_ts_was_never_recorded(make_slack_app: Any) -> None:
    # As if the process died after Slack kept the card and before its ts was stored.
    slack = make_slack_app()
    client = slack.runtime.app.client
    decision = slack.runtime.engine.check(CheckRequest(HARMLESS))
    case = slack.store.create_escalation(
        draft_text=HARMLESS, decision=decision, requester_id="UCRASHED1", surface="dm",
        reason="asked", reply_channel="DCRASHED1", reply_thread_ts=None,
    )  # fmt: skip
    assert post_message(client, REVIEW_CHANNEL, card_for(case), key=card_key(case))
    assert slack.store.get_escalation(case.id).card_ts is None  # type: ignore[union-attr]

    review = slack.runtime.deps.review
    later = case.created_at + timedelta(minutes=review.settings.review_reminder_minutes + 1)
    review.send_reminders(client, now=later)

    cards = slack.fake.messages(REVIEW_CHANNEL, lambda m: "UCRASHED1" in (m["text"] or ""))
    assert len(cards) == 1
    assert slack.store.get_escalation(case.id).card_ts == cards[0]["ts"]  # type: ignore[union-attr]
