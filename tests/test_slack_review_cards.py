"""The review card and the officer's notice, through the real HTTP app: the card shows
account, incident and channel and stays under Slack's size limits (a long draft shortened,
the whole of it in the card's thread; `msg_blocks_too_long` gets a compact card); Approve
asks for confirmation; the decision notice says which post it is about and, after "Needs
changes", lets the officer send the revised draft; the small slips."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from conftest import INCIDENT_CHANNEL, REVIEW_CHANNEL, REVIEWER, SlackHarness
from fake_slack import Call, find_actions
from review_harness import (
    DRAFT,
    at_url,
    button_value,
    card_updates,
    click,
    escalate,
    officer_dm,
    open_home,
    submit_note,
    told,
    uid,
)

from bot.config import REPO_ROOT
from bot.slack import ids
from bot.slack.blocks import CARD_TEXT_BUDGET, blocks_text_size


@pytest.fixture
def app(make_slack_app: Any) -> SlackHarness:
    return make_slack_app()


def slash_review(app: SlackHarness, user: str, draft: str, channel: str) -> Call:
    """`/canipost review <draft>` in `channel`; returns the card."""
    key = uid("rv")
    app.sender.command(f"review {draft}", user_id=user, channel_id=channel,
                       response_url=app.fake.response_url(key))  # fmt: skip
    assert "Sent to the PIO" in told(app, key)
    case = app.store.list_escalations(requester_id=user)[-1]
    return app.fake.wait_for(
        "chat.postMessage",
        lambda c: (
            c.body.get("channel") == REVIEW_CHANNEL
            and c.header() == f"🧑‍⚖️ Review request #{case.id}"
            and f"<@{user}>" in c.text_dump
        ),
    )[0]


def needs_changes(app: SlackHarness, case_id: int, card: Call, note: str) -> None:
    _, payload = click(app, REVIEWER, ids.ACTION_REVIEW_CHANGES, str(case_id), card=card)
    view = app.fake.wait_for(
        "views.open", lambda c: c.body.get("trigger_id") == payload["trigger_id"]
    )[0].body["view"]
    assert submit_note(app, REVIEWER, view, note).status == 200


def test_the_card_shows_account_incident_and_channel(app: SlackHarness) -> None:
    officer = uid("UOFFICER")
    card = slash_review(app, officer, DRAFT, INCIDENT_CHANNEL)
    line = next(b for b in card.blocks if b["type"] == "context")["elements"][0]["text"]
    assert f"From <@{officer}> · via slash · in <#{INCIDENT_CHANNEL}>" in line
    assert "account not given" in line and "🚨 *active incident*" in line
    other = slash_review(app, uid("UOFFICER"), DRAFT, uid("CCHAN"))
    assert "no incident flag" in other.text_dump


def test_approve_asks_for_confirmation(app: SlackHarness) -> None:
    case, card, _ = escalate(app, uid("UOFFICER"))
    approve = next(
        e for e in find_actions(card.blocks) if e["action_id"] == ids.ACTION_REVIEW_APPROVE
    )
    confirm = approve["confirm"]
    assert confirm["title"]["text"] == f"Approve request #{case.id}?"
    assert "as written" in confirm["text"]["text"]
    assert (confirm["confirm"]["text"], confirm["deny"]["text"]) == ("Approve", "Cancel")


def test_a_long_draft_is_shortened_on_the_card_and_whole_in_its_thread(app: SlackHarness) -> None:
    officer = uid("UOFFICER")
    paragraph = "Thanks to everyone who came out to the community picnic at the park today. "
    draft = " ".join(f"{paragraph}Part {n}." for n in range(120)) + " THE-END"
    card = slash_review(app, officer, draft, uid("CCHAN"))
    assert f"Draft shortened: it is {len(draft):,} characters" in card.text_dump
    assert "THE-END" not in card.text_dump
    assert blocks_text_size(card.blocks) <= CARD_TEXT_BUDGET
    assert ids.ACTION_REVIEW_APPROVE in {e["action_id"] for e in find_actions(card.blocks)}
    parts = app.fake.wait_for(
        "chat.postMessage",
        lambda c: c.body.get("thread_ts") == card.response["ts"] and "Full draft" in c.text_dump,
        count=2,
    )
    texts = [p.blocks[1]["text"]["text"] for p in parts]
    assert "part 1 of" in parts[0].text_dump and texts[-1].endswith("THE-END")
    assert sum(len(t) for t in texts) >= len(draft) - len(texts) * 2


def test_msg_blocks_too_long_falls_back_to_a_compact_card(app: SlackHarness) -> None:
    officer = uid("UOFFICER")
    app.fake.fail(
        "chat.postMessage",
        "msg_blocks_too_long",
        where=lambda c: c.body.get("channel") == REVIEW_CHANNEL and f"<@{officer}>" in c.text_dump,
    )
    slash_review(app, officer, DRAFT, uid("CCHAN"))
    card = app.fake.wait_for(
        "chat.postMessage",
        lambda c: c.body.get("channel") == REVIEW_CHANNEL and f"<@{officer}>" in c.text_dump,
        count=2,
    )[1]
    refused = app.fake.calls(
        "chat.postMessage",
        lambda c: c.error == "msg_blocks_too_long" and f"<@{officer}>" in c.text_dump,
    )
    assert len(refused) == 1
    assert card.error is None and "Policy cited: § 1058.13(b)" in card.text_dump
    assert button_value(card, ids.ACTION_REVIEW_APPROVE)  # the PIO can still decide
    case = app.store.list_escalations(requester_id=officer)[-1]
    assert case.card_ts == card.response["ts"]


def test_the_decision_notice_says_which_post_and_offers_a_revised_draft(app: SlackHarness) -> None:
    officer = uid("UOFFICER")
    case, card, _ = escalate(app, officer)
    needs_changes(app, case.id, card, "Take out the street address.\nThen send it again.")
    notice = app.fake.wait_for(
        "chat.postMessage", lambda c: c in officer_dm(app, officer) and "changes" in c.text_dump
    )[0]
    text = notice.blocks[0]["text"]["text"]
    assert f"*Your draft:* “{DRAFT}”" in text
    assert "*My original answer:* ✏️ Revise before posting" in text
    # A multi-line note is quoted on every line.
    assert "> Take out the street address.\n> Then send it again." in text
    updated = app.fake.wait_for("chat.update", lambda c: c in card_updates(app, card))[0]
    assert "> Then send it again." in updated.text_dump and "<!date^" in updated.text_dump

    revise = button_value(notice, ids.ACTION_SEND_REVISION)
    stranger_key, _ = click(app, uid("UOFFICER"), ids.ACTION_SEND_REVISION, revise)
    assert "Only the officer who asked" in told(app, stranger_key)
    _, payload = click(app, officer, ids.ACTION_SEND_REVISION, revise)
    view = app.fake.wait_for(
        "views.open", lambda c: c.body.get("trigger_id") == payload["trigger_id"]
    )[0].body["view"]
    assert view["callback_id"] == ids.MODAL_REVISION
    field = next(b for b in view["blocks"] if b.get("block_id") == ids.INPUT_DRAFT)
    assert field["element"]["initial_value"] == DRAFT
    assert "Take out the street address." in str(view["blocks"])

    revised = "Great turnout at the bike rodeo today, thanks to everyone who came!"
    values = {ids.INPUT_DRAFT: {"value": {"type": "plain_text_input", "value": revised}}}
    submitted = {**view, "id": "V2", "state": {"values": values}}
    reply = app.sender.interaction(
        {"type": "view_submission", "user": {"id": officer}, "view": submitted}
    )
    assert reply.json()["response_action"] == "update"
    new_case = app.fake.wait_for(
        "chat.postMessage",
        lambda c: c.body.get("channel") == REVIEW_CHANNEL and revised in c.text_dump,
    )[0]
    assert f"revised draft after request #{case.id}" in new_case.text_dump
    cases = app.store.list_escalations(requester_id=officer)
    assert sorted(c.draft_text for c in cases) == sorted([DRAFT, revised])
    answer = app.fake.wait_for(
        "chat.postMessage",
        lambda c: c in officer_dm(app, officer) and "Sent to the PIO" in c.text_dump,
    )[0]
    assert answer.header() is not None


def test_app_home_says_just_now_not_just_now_ago(app: SlackHarness) -> None:
    officer = uid("UOFFICER")
    key = uid("k")
    app.sender.command(DRAFT, user_id=officer, channel_id=uid("CCHAN"),
                       response_url=app.fake.response_url(key))  # fmt: skip
    app.fake.wait_for("response_url", at_url(key))
    home = open_home(app, officer)
    assert "just now" in home.text_dump and "just now ago" not in home.text_dump


def test_the_review_service_does_not_import_the_app_factory() -> None:
    code = "import sys, bot.slack.review; print('bot.slack.app' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
