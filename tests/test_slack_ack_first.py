"""Ack first, everywhere: with a slow database, the reviewer's note form and the officer's
revised-draft form are acknowledged at once, and what happened reaches them afterwards in
the same form (or as a message)."""

from __future__ import annotations

import time
from typing import Any

from conftest import REVIEW_CHANNEL, REVIEWER, SlackHarness
from review_harness import click, escalate, form_update, officer_dm, submit_note, uid

from bot.slack import ids

# Texts of their own: the session's fake Slack is shared, and other modules look for
# cards by their draft's text.
DRAFT = "Thanks to everyone at the 14 Birch Lane block party, great to meet you all!"
REVISED = "Thanks to everyone at the block party on Birch, great to meet you all!"
SLOW = 2.0  # seconds per store call: decide() makes two, past Slack's 3-second budget
ACK_BUDGET = 1.0


def slow_down(monkeypatch: Any, slack: SlackHarness, *names: str) -> None:
    for name in names:
        real = getattr(slack.store, name)

        def slow(*args: Any, _real: Any = real, **kwargs: Any) -> Any:
            time.sleep(SLOW)
            return _real(*args, **kwargs)

        monkeypatch.setattr(slack.store, name, slow)


def note_form(slack: SlackHarness, action_id: str, case_id: int, card: Any) -> dict[str, Any]:
    _, payload = click(slack, REVIEWER, action_id, str(case_id), card=card)
    return slack.fake.wait_for(
        "views.open", lambda c: c.body.get("trigger_id") == payload["trigger_id"], timeout=15
    )[0].body["view"]


def test_the_note_form_is_acknowledged_before_a_slow_store_decides(
    make_slack_app: Any, monkeypatch: Any
) -> None:
    slack = make_slack_app()
    officer = uid("UOFFICER")
    case, card, _ = escalate(slack, officer, DRAFT)
    view = note_form(slack, ids.ACTION_REVIEW_CHANGES, case.id, card)
    slow_down(monkeypatch, slack, "get_escalation", "decide")

    form = uid("VNOTE")
    reply = submit_note(slack, REVIEWER, view, "Take out the street address.", form)
    assert reply.status == 200 and reply.seconds < ACK_BUDGET
    assert reply.json()["response_action"] == "update"
    assert "Recording" in str(reply.json()["view"]["blocks"])

    assert "✅" in form_update(slack, form)  # after the slow store answered
    assert slack.store.get_escalation(case.id).status == "changes_requested"  # type: ignore[union-attr]
    notice = slack.fake.wait_for(
        "chat.postMessage", lambda c: c in officer_dm(slack, officer) and "street" in c.text_dump
    )
    assert notice
    slack.fake.wait_for(
        "chat.update",
        lambda c: (
            c.body.get("channel") == REVIEW_CHANNEL and c.body.get("ts") == card.response["ts"]
        ),
    )


def test_a_refusal_after_the_ack_reaches_the_reviewer_as_a_message_when_the_form_is_gone(
    make_slack_app: Any, monkeypatch: Any
) -> None:
    slack = make_slack_app()
    case, card, _ = escalate(slack, uid("UOFFICER"), DRAFT)
    view = note_form(slack, ids.ACTION_REVIEW_REJECT, case.id, card)
    slack.store.decide(case.id, reviewer_id=REVIEWER, outcome="approved")  # decided meanwhile
    form = uid("VNOTE")
    # the reviewer closed the form: Slack no longer knows the view
    slack.fake.fail("views.update", "not_found", where=lambda c: c.body.get("view_id") == form)
    reply = submit_note(slack, REVIEWER, view, "No, it names the victim.", form)
    assert reply.seconds < ACK_BUDGET
    told = slack.fake.wait_for(
        "chat.postEphemeral",
        lambda c: c.body.get("user") == REVIEWER and "already decided" in c.text_dump,
    )
    assert told


def test_the_revised_draft_form_is_acknowledged_before_a_slow_store_reads_the_case(
    make_slack_app: Any, monkeypatch: Any
) -> None:
    slack = make_slack_app()
    officer = uid("UOFFICER")
    case, card, _ = escalate(slack, officer, DRAFT)
    view = note_form(slack, ids.ACTION_REVIEW_CHANGES, case.id, card)
    submit_note(slack, REVIEWER, view, "Take out the street address.", uid("VNOTE"))
    slack.wait_idle()
    revision = {
        "type": "modal",
        "callback_id": ids.MODAL_REVISION,
        "private_metadata": f'{{"id": {case.id}}}',
    }
    slow_down(monkeypatch, slack, "get_escalation")
    values = {ids.INPUT_DRAFT: {"value": {"type": "plain_text_input", "value": REVISED}}}
    reply = slack.sender.interaction(
        {"type": "view_submission", "user": {"id": officer},
         "view": {**revision, "id": uid("VREV"), "state": {"values": values}}}
    )  # fmt: skip
    assert reply.status == 200 and reply.seconds < ACK_BUDGET
    assert reply.json()["response_action"] == "update"
    slack.fake.wait_for(
        "chat.postMessage",
        lambda c: c.body.get("channel") == REVIEW_CHANNEL and REVISED in c.text_dump,
        timeout=20,
    )


def test_the_note_form_opens_within_the_trigger_even_when_the_store_is_slow(
    make_slack_app: Any, monkeypatch: Any
) -> None:
    slack = make_slack_app()
    case, card, _ = escalate(slack, uid("UOFFICER"), DRAFT)
    slack.store.decide(case.id, reviewer_id=REVIEWER, outcome="approved")
    slow_down(monkeypatch, slack, "get_escalation")
    started = time.monotonic()
    _, payload = click(slack, REVIEWER, ids.ACTION_REVIEW_REJECT, str(case.id), card=card)
    [opened] = slack.fake.wait_for(
        "views.open", lambda c: c.body.get("trigger_id") == payload["trigger_id"]
    )
    assert opened.at - started < ACK_BUDGET  # Slack's trigger_id expires after 3 s
    # the slow read then finds the case closed, and the form says so
    assert "already decided" in form_update(slack, opened.response["view"]["id"])
