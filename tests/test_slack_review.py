"""The review loop through the real HTTP app, on SQLite and on the real PostgreSQL:
escalate, card, who may decide, exactly-once decisions, the officer told, the card
updated, withdrawals, reminders across instances, App Home, and the admin command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from conftest import REVIEW_CHANNEL, REVIEWER, SlackHarness
from fake_slack import Call, dm_event
from review_harness import (
    DRAFT,
    at_url,
    button_value,
    card_updates,
    click,
    escalate,
    form_update,
    new_ts,
    officer_dm,
    open_home,
    submit_note,
    told,
    uid,
)
from sqlalchemy import update

from bot.config import REPO_ROOT
from bot.slack import ids
from bot.slack.scheduler import Housekeeping
from bot.store import StoreError
from bot.store.records import Escalation
from bot.store.schema import escalations


@pytest.fixture
def app(make_slack_app: Any, db_url: str) -> SlackHarness:
    return make_slack_app(DATABASE_URL=db_url)


# ------------------------------------------------------------------------------ helpers


# ------------------------------------------------------------------------------ the loop


def test_full_loop_refusals_then_approval(app: SlackHarness) -> None:
    officer = uid("UOFFICER")
    case, card, _ = escalate(app, officer)
    assert DRAFT in card.text_dump and "Revise before posting" in card.text_dump
    approve = button_value(card, ids.ACTION_REVIEW_APPROVE)
    assert approve == str(case.id)

    stranger = uid("UOFFICER")
    key, _ = click(app, stranger, ids.ACTION_REVIEW_APPROVE, approve, card=card)
    assert "Only reviewers" in told(app, key)
    key, _ = click(app, officer, ids.ACTION_REVIEW_APPROVE, approve, card=card)
    assert "Only reviewers" in told(app, key)
    app.wait_idle()
    assert app.store.get_escalation(case.id).status == "pending"  # type: ignore[union-attr]

    key, _ = click(app, REVIEWER, ids.ACTION_REVIEW_APPROVE, approve, card=card)
    assert f"Recorded: request #{case.id} ✅ Approved" in told(app, key)
    stored = app.store.get_escalation(case.id)
    assert stored is not None and stored.status == "approved" and stored.reviewer_id == REVIEWER

    update_call = app.fake.wait_for("chat.update", lambda c: c in card_updates(app, card))[0]
    assert "✅ Approved* by <@UREVIEWER1>" in update_call.text_dump
    assert ids.ACTION_REVIEW_APPROVE not in update_call.text_dump  # the buttons are gone
    notice = app.fake.wait_for(
        "chat.postMessage", lambda c: c in officer_dm(app, officer) and "approved" in c.text_dump
    )[0]
    assert f"request #{case.id}" in notice.text_dump

    # The note form opens at once (the trigger lasts 3 s, the store may be slow); then it
    # says the case is closed instead of asking for a note that would be refused.
    _, payload = click(app, REVIEWER, ids.ACTION_REVIEW_REJECT, approve, card=card)
    opened = app.fake.wait_for(
        "views.open", lambda c: c.body.get("trigger_id") == payload["trigger_id"]
    )[0]
    form = opened.response["view"]["id"]
    assert "already decided by <@UREVIEWER1>: ✅ Approved" in form_update(app, form)


def test_a_reviewer_cannot_decide_their_own_request(app: SlackHarness) -> None:
    case, card, _ = escalate(app, REVIEWER)
    key, _ = click(app, REVIEWER, ids.ACTION_REVIEW_APPROVE, str(case.id), card=card)
    assert "can't decide your own request" in told(app, key)
    app.wait_idle()
    assert app.store.get_escalation(case.id).status == "pending"  # type: ignore[union-attr]


def test_needs_changes_opens_a_note_form_and_the_note_reaches_the_officer(
    app: SlackHarness,
) -> None:
    officer = uid("UOFFICER")
    case, card, _ = escalate(app, officer)
    _, payload = click(app, REVIEWER, ids.ACTION_REVIEW_CHANGES, str(case.id), card=card)
    opened = app.fake.wait_for(
        "views.open", lambda c: c.body.get("trigger_id") == payload["trigger_id"]
    )[0]
    view = opened.body["view"]
    assert view["callback_id"] == ids.MODAL_REVIEW_NOTE

    too_long = submit_note(app, REVIEWER, view, "x" * 2001)
    assert too_long.json()["response_action"] == "errors"
    assert "under 2,000 characters" in too_long.json()["errors"][ids.INPUT_REVIEW_NOTE]
    empty = submit_note(app, REVIEWER, view, "   ")
    assert empty.json()["errors"][ids.INPUT_REVIEW_NOTE] == "Write a note for the officer."
    assert app.store.get_escalation(case.id).status == "pending"  # type: ignore[union-attr]

    form = uid("VNOTE")
    done = submit_note(app, REVIEWER, view, "Drop the street address, then post it.", form)
    assert done.status == 200 and done.json()["response_action"] == "update"
    assert "Recording" in str(done.json()["view"]["blocks"])  # acked before the store decides
    assert "✅" in form_update(app, form)
    stored = app.store.get_escalation(case.id)
    assert stored is not None and stored.status == "changes_requested"
    assert stored.note == "Drop the street address, then post it."
    notice = app.fake.wait_for(
        "chat.postMessage", lambda c: c in officer_dm(app, officer) and "changes" in c.text_dump
    )[0]
    assert "Drop the street address, then post it." in notice.text_dump
    update_call = app.fake.wait_for("chat.update", lambda c: c in card_updates(app, card))[0]
    assert "✏️ Needs changes" in update_call.text_dump

    late_form = uid("VNOTE")
    late = submit_note(app, REVIEWER, view, "Second thoughts", late_form)
    assert late.json()["response_action"] == "update"
    shown = form_update(app, late_form)
    assert "already decided" in shown and "Second thoughts" in shown  # the note is kept


def test_someone_else_pressing_do_not_post_gets_no_form(app: SlackHarness) -> None:
    case, card, _ = escalate(app, uid("UOFFICER"))
    key, payload = click(app, uid("UOFFICER"), ids.ACTION_REVIEW_REJECT, str(case.id), card=card)
    assert "Only reviewers" in told(app, key)
    assert not app.fake.calls(
        "views.open", lambda c: c.body.get("trigger_id") == payload["trigger_id"]
    )


def test_simultaneous_decisions_record_exactly_one(make_slack_app: Any, db_url: str) -> None:
    reviewers = [f"UREVRACE{i}" for i in range(6)]
    app = make_slack_app(DATABASE_URL=db_url, REVIEWER_IDS=",".join(reviewers))
    officer = uid("UOFFICER")
    case, card, _ = escalate(app, officer)
    keys: dict[str, str] = {}
    barrier = threading.Barrier(len(reviewers))

    def press(reviewer: str) -> None:
        barrier.wait()
        keys[reviewer], _ = click(app, reviewer, ids.ACTION_REVIEW_APPROVE, str(case.id), card=card)

    threads = [threading.Thread(target=press, args=(r,)) for r in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    replies = {r: told(app, k) for r, k in keys.items()}
    app.wait_idle()
    stored = app.store.get_escalation(case.id)
    assert stored is not None and stored.status == "approved"
    winners = [r for r, text in replies.items() if "Recorded:" in text]
    assert winners == [stored.reviewer_id]
    losers = [text for r, text in replies.items() if r != stored.reviewer_id]
    assert all(f"already decided by <@{stored.reviewer_id}>" in text for text in losers)
    assert len(card_updates(app, card)) == 1
    assert len([c for c in officer_dm(app, officer) if "approved" in c.text_dump]) == 1
    assert [e.action for e in app.store.events(case.id)] == ["created", "approved"]


def test_the_officer_can_withdraw_a_pending_request(app: SlackHarness) -> None:
    officer = uid("UOFFICER")
    case, card, _ = escalate(app, officer)
    key, _ = click(app, uid("UOFFICER"), ids.ACTION_REVIEW_WITHDRAW, str(case.id))
    assert "Only the officer who asked" in told(app, key)
    key, _ = click(app, officer, ids.ACTION_REVIEW_WITHDRAW, str(case.id))
    assert f"Request #{case.id} withdrawn" in told(app, key)
    assert app.store.get_escalation(case.id).status == "withdrawn"  # type: ignore[union-attr]
    update_call = app.fake.wait_for("chat.update", lambda c: c in card_updates(app, card))[0]
    assert "↩️ Withdrawn" in update_call.text_dump
    key, _ = click(app, REVIEWER, ids.ACTION_REVIEW_APPROVE, str(case.id), card=card)
    assert "was withdrawn by the officer" in told(app, key)


def test_damaged_and_unknown_buttons_get_a_clear_answer(app: SlackHarness) -> None:
    key, _ = click(app, REVIEWER, ids.ACTION_REVIEW_APPROVE, "not-a-number")
    assert "That button is damaged" in told(app, key)
    key, _ = click(app, REVIEWER, ids.ACTION_REVIEW_APPROVE, "987654")
    assert "There is no review request #987654" in told(app, key)
    bad_form = {"type": "modal", "callback_id": ids.MODAL_REVIEW_NOTE, "private_metadata": "{"}
    reply = submit_note(app, REVIEWER, bad_form, "note")
    assert "This form is damaged" in reply.json()["errors"][ids.INPUT_REVIEW_NOTE]


def test_a_failed_queue_write_tells_the_officer(app: SlackHarness, monkeypatch: Any) -> None:
    def down(**_kwargs: Any) -> Escalation:
        raise StoreError("database error during create_escalation: database is locked")

    monkeypatch.setattr(app.store, "create_escalation", down)
    key = uid("down")
    app.sender.command(f"review {DRAFT}", user_id=uid("UOFFICER"), channel_id=uid("CCHAN"),
                       response_url=app.fake.response_url(key))  # fmt: skip
    assert "could not be queued" in told(app, key)


def test_app_home_shows_checks_requests_and_the_queue_to_reviewers(app: SlackHarness) -> None:
    officer = uid("UOFFICER")
    case, _, _ = escalate(app, officer)

    def home(user: str) -> Call:
        return open_home(app, user)

    mine = home(officer).text_dump
    assert "Your recent checks" in mine and "via slash" in mine
    assert f"*#{case.id}*" in mine and ids.ACTION_REVIEW_WITHDRAW in mine
    assert "Review queue" not in mine and DRAFT not in mine
    queue = home(REVIEWER).text_dump
    assert "Review queue (oldest first)" in queue
    assert f"*#{case.id}* from <@{officer}>" in queue and "waiting" in queue


# ------------------------------------------------------------------------------ instances


def test_reminders_go_out_once_with_two_instances(make_slack_app: Any, db_url: str) -> None:
    first = make_slack_app(DATABASE_URL=db_url)
    second = make_slack_app(DATABASE_URL=db_url)
    case, card, _ = escalate(first, uid("UOFFICER"))
    with first.store.engine.begin() as conn:  # the case has waited two hours
        earlier = first.store.now() - timedelta(hours=2)
        conn.execute(update(escalations).where(escalations.c.id == case.id)
                     .values(created_at=earlier))  # fmt: skip
    loops = [
        Housekeeping(h.runtime.deps.review, h.runtime.app.client, interval_seconds=0.02).start()
        for h in (first, second)
    ]
    try:
        reminder = first.fake.wait_for(
            "chat.postMessage",
            lambda c: c.body.get("thread_ts") == card.response["ts"] and "⏰" in c.text_dump,
        )
        time.sleep(0.3)  # a dozen more rounds of both loops
    finally:
        for loop in loops:
            loop.stop()
    reminders = first.fake.calls(
        "chat.postMessage", lambda c: c.body.get("thread_ts") == card.response["ts"]
    )
    assert len(reminders) == 1 and reminder[0].body.get("reply_broadcast") in (True, "true", "1")
    assert f"Request #{case.id}" in reminders[0].text_dump and "2 h 0 min" in reminders[0].text_dump


def test_two_instances_answer_one_event_once_on_a_shared_database(
    make_slack_app: Any, db_url: str
) -> None:
    first = make_slack_app(DATABASE_URL=db_url)
    second = make_slack_app(DATABASE_URL=db_url)
    user, ts = uid("UOFFICER"), new_ts()
    event = dm_event(user, "Coffee with a Cop this Saturday!", ts=ts)
    event_id = uid("EvShared")
    replies: list[Any] = []
    threads = [
        threading.Thread(
            target=lambda h=h: replies.append(h.sender.event(event, event_id=event_id))
        )
        for h in (first, second)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first.wait_idle()
    second.wait_idle()
    assert [r.status for r in replies] == [200, 200]
    answers = first.fake.calls("chat.postMessage", lambda c: c.body.get("thread_ts") == ts)
    assert len(answers) == 1


def test_incident_mode_set_on_one_instance_holds_on_the_other(
    make_slack_app: Any, db_url: str
) -> None:
    first = make_slack_app(DATABASE_URL=db_url)
    second = make_slack_app(DATABASE_URL=db_url)
    channel = uid("CCHAN")
    key = uid("inc")
    first.sender.command("incident on", user_id=REVIEWER, channel_id=channel,
                         response_url=first.fake.response_url(key))  # fmt: skip
    first.fake.wait_for("response_url", at_url(key))
    assert second.runtime.deps.incidents.is_incident(channel)


# ------------------------------------------------------------------------------ the CLI


def test_cli_decision_updates_the_card_and_tells_the_officer(app: SlackHarness) -> None:
    officer = uid("UOFFICER")
    case, card, _ = escalate(app, officer)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))}
    env.update(
        SLACK_BOT_TOKEN=app.settings.slack_bot_token or "",
        SLACK_API_URL=app.settings.slack_api_url or "",
        DATABASE_URL=app.settings.effective_database_url,
        REVIEWER_IDS=REVIEWER,
        CANIPOST_DATA_DIR=str(app.settings.data_dir),
        PYTHONPATH=str(REPO_ROOT),
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "review", "decide", str(case.id), "reject",
         "--as", REVIEWER, "--note", "Victim's street is identifiable."],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "The card was updated and the officer notified in Slack." in result.stdout
    notice = app.fake.wait_for(
        "chat.postMessage", lambda c: c in officer_dm(app, officer) and "must not" in c.text_dump
    )[0]
    assert (
        "Victim's street is identifiable."
        in json.loads(notice.text_dump)["blocks"][0]["text"]["text"]
    )
    assert (
        "⛔ Do not post"
        in app.fake.wait_for("chat.update", lambda c: c in card_updates(app, card))[0].text_dump
    )


def test_a_channel_thread_gets_the_outcome_and_the_note_goes_by_dm(app: SlackHarness) -> None:
    officer, channel, ts = uid("UOFFICER"), uid("CCHAN"), new_ts()
    text = "Shots fired downtown, stay away from Main and 3rd."
    mention = {"type": "app_mention", "user": officer, "channel": channel, "ts": ts,
               "event_ts": ts, "text": text}  # fmt: skip
    app.sender.event(mention)
    app.fake.wait_for("chat.postMessage", lambda c: c.body.get("thread_ts") == ts)
    case = app.store.list_escalations(requester_id=officer)[0]
    assert (case.reply_channel, case.reply_thread_ts) == (channel, ts)
    card = app.fake.wait_for(
        "chat.postMessage",
        lambda c: c.body.get("channel") == REVIEW_CHANNEL and f"<@{officer}>" in c.text_dump,
    )[0]
    _, payload = click(app, REVIEWER, ids.ACTION_REVIEW_REJECT, str(case.id), card=card)
    view = app.fake.wait_for(
        "views.open", lambda c: c.body.get("trigger_id") == payload["trigger_id"]
    )[0].body["view"]
    note = "The suspect's route is still active; nothing until the PIO's release."
    assert submit_note(app, REVIEWER, view, note).status == 200
    in_thread = app.fake.wait_for(
        "chat.postMessage",
        lambda c: c.body.get("thread_ts") == ts and "must not be posted" in c.text_dump,
    )[0]
    assert note not in in_thread.text_dump and "in your direct messages" in in_thread.text_dump
    dm = app.fake.wait_for(
        "chat.postMessage", lambda c: c in officer_dm(app, officer) and note in c.text_dump
    )
    assert len(dm) == 1


def test_members_of_the_reviewer_group_decide_through_the_note_form(
    make_slack_app: Any, db_url: str
) -> None:
    member = uid("UGROUP")
    app = make_slack_app(DATABASE_URL=db_url, REVIEWER_GROUP_ID="SPIOTEAM1")
    app.fake.group_members.append(member)
    try:
        case, card, _ = escalate(app, uid("UOFFICER"))
        _, payload = click(app, member, ids.ACTION_REVIEW_CHANGES, str(case.id), card=card)
        view = app.fake.wait_for(
            "views.open", lambda c: c.body.get("trigger_id") == payload["trigger_id"]
        )[0].body["view"]
        assert submit_note(app, member, view, "Use the 400 block instead.").status == 200
    finally:
        app.fake.group_members.remove(member)
    stored = app.store.get_escalation(case.id)
    assert stored is not None and stored.status == "changes_requested"
    assert stored.reviewer_id == member
    assert app.fake.calls("usergroups.users.list", lambda c: c.body.get("usergroup") == "SPIOTEAM1")
