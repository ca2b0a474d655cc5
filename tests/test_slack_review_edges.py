"""More of the review loop through the real HTTP app: a database that fails during a
decision, withdrawing from the officer's notice and from App Home, App Home's queue
(links, ages, the block limit), a DM thread told with the note, and the reminder loop the
runtime itself starts and stops. The core loop is in test_slack_review.py."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from conftest import REVIEW_CHANNEL, REVIEWER, SlackHarness, slack_env
from fake_slack import dm_event, find_actions
from review_harness import DRAFT, click, escalate, form_update, new_ts, open_home, told, uid
from sqlalchemy import update

from bot.config import Settings
from bot.core.engine import Engine
from bot.core.models import CheckRequest
from bot.slack import ids
from bot.slack.review import STORE_DOWN
from bot.slack.runtime import Runtime
from bot.store import Store, StoreError
from bot.store.schema import escalations


@pytest.fixture
def app(make_slack_app: Any, db_url: str) -> SlackHarness:
    return make_slack_app(DATABASE_URL=db_url)


# ------------------------------------------------------------------------------ failures


def test_a_failed_decision_write_tells_the_reviewer_and_changes_nothing(
    make_slack_app: Any, monkeypatch: Any
) -> None:
    slack = make_slack_app()
    case, card, _ = escalate(slack, uid("UOFFICER"))

    def down(*_args: Any, **_kwargs: Any) -> Any:
        raise StoreError("database error during decide (sqlite): database is locked")

    monkeypatch.setattr(slack.store, "decide", down)
    key, _ = click(slack, REVIEWER, ids.ACTION_REVIEW_APPROVE, str(case.id), card=card)
    assert STORE_DOWN in told(slack, key)

    _, payload = click(slack, REVIEWER, ids.ACTION_REVIEW_REJECT, str(case.id), card=card)
    view = slack.fake.wait_for(
        "views.open", lambda c: c.body.get("trigger_id") == payload["trigger_id"]
    )[0].body["view"]
    state = {ids.INPUT_REVIEW_NOTE: {"value": {"type": "plain_text_input", "value": "No."}}}
    form = uid("VNOTE")
    reply = slack.sender.interaction(
        {"type": "view_submission", "user": {"id": REVIEWER},
         "view": {**view, "id": form, "state": {"values": state}}}
    )  # fmt: skip
    assert reply.json()["response_action"] == "update"
    shown = form_update(slack, form)
    assert "could not be recorded" in shown and "No." in shown

    monkeypatch.setattr(slack.store, "get_escalation", down)  # even the read fails now
    key, _ = click(slack, REVIEWER, ids.ACTION_REVIEW_APPROVE, str(case.id), card=card)
    assert STORE_DOWN in told(slack, key)
    monkeypatch.undo()
    slack.wait_idle()
    assert slack.store.get_escalation(case.id).status == "pending"  # type: ignore[union-attr]
    assert not slack.fake.calls("chat.update", lambda c: c.body.get("ts") == card.response["ts"])


# ------------------------------------------------------------------------------ withdraw


def test_withdraw_from_the_notice_then_from_app_home(app: SlackHarness) -> None:
    officer = uid("UOFFICER")
    first, first_card, notice = escalate(app, officer)
    buttons = [
        e for e in find_actions(notice.blocks) if e["action_id"] == ids.ACTION_REVIEW_WITHDRAW
    ]
    assert [b["value"] for b in buttons] == [str(first.id)]
    key, _ = click(app, officer, ids.ACTION_REVIEW_WITHDRAW, buttons[0]["value"])
    assert f"Request #{first.id} withdrawn" in told(app, key)
    card = app.fake.wait_for(
        "chat.update", lambda c: c.body.get("ts") == first_card.response["ts"]
    )[0]
    assert f"↩️ Withdrawn* by the requester, <@{officer}>" in card.text_dump
    assert not [e for e in find_actions(card.blocks) if e["action_id"].startswith("review_")]

    second, second_card, _ = escalate(app, officer)
    home = open_home(app, officer)
    values = [e["value"] for e in find_actions_anywhere(home.blocks)]
    assert values == [str(second.id)]  # the withdrawn one is no longer open
    before = len(app.fake.calls("views.publish", lambda c: c.body.get("user_id") == officer))
    click(app, officer, ids.ACTION_REVIEW_WITHDRAW, str(second.id), in_home=True)
    republished = app.fake.wait_for(
        "views.publish", lambda c: c.body.get("user_id") == officer, count=before + 1
    )[-1]
    assert "None waiting." in republished.text_dump
    assert app.store.get_escalation(second.id).status == "withdrawn"  # type: ignore[union-attr]
    app.fake.wait_for("chat.update", lambda c: c.body.get("ts") == second_card.response["ts"])
    dm = app.fake.wait_for(
        "chat.postMessage",
        lambda c: (
            c.body.get("channel") == "D" + officer[1:]
            and f"Request #{second.id} withdrawn" in c.text_dump
        ),
    )
    assert len(dm) == 1  # no response_url in App Home: the answer goes by DM


def find_actions_anywhere(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Buttons in actions blocks and as section accessories."""
    found = list(find_actions(blocks))
    found += [b["accessory"] for b in blocks if b.get("accessory", {}).get("type") == "button"]
    return found


# ------------------------------------------------------------------------------ App Home


def test_app_home_queue_is_oldest_first_with_ages_links_and_within_limits(
    app: SlackHarness, slack_engine: Engine
) -> None:
    officer = uid("UOFFICER")
    case, card, _ = escalate(app, officer)
    decision = slack_engine.check(CheckRequest(DRAFT))
    extra = [
        app.store.create_escalation(
            draft_text=DRAFT,
            decision=decision,
            requester_id=uid("UOTHER"),
            surface="dm",
            reason="asked",
            reply_channel=None,
            reply_thread_ts=None,
        )  # fmt: skip
        for _ in range(30)
    ]
    with app.store.engine.begin() as conn:  # the slash-command case has waited longest
        earlier = app.store.now() - timedelta(hours=3, minutes=12, seconds=5)
        conn.execute(update(escalations).where(escalations.c.id == case.id)
                     .values(created_at=earlier))  # fmt: skip

    home = open_home(app, REVIEWER)
    assert len(home.blocks) <= 100 and not home.error
    queue = [
        b["text"]["text"] for b in home.blocks if b.get("text", {}).get("text", "")[:2] == "*#"
    ]
    assert queue[0].startswith(f"*#{case.id}* from <@{officer}>")
    assert "waiting *3 h 12 min*" in queue[0]
    ts_digits = card.response["ts"].replace(".", "")
    link = f"https://fake-pd.slack.com/archives/{REVIEW_CHANNEL}/p{ts_digits}"
    assert f"<{link}|open the card>" in queue[0]
    assert f"*#{extra[0].id}* from" in queue[1] and "card in" not in queue[1]  # no card yet
    assert "…and 6 more" in home.text_dump  # 31 waiting, 25 shown
    assert DRAFT not in home.text_dump

    open_home(app, REVIEWER)  # permalinks are remembered
    asked = app.fake.calls(
        "chat.getPermalink", lambda c: c.body.get("message_ts") == card.response["ts"]
    )
    assert len(asked) == 1


# ------------------------------------------------------------------------------ DM thread


def test_a_dm_request_is_answered_in_its_thread_with_the_note(app: SlackHarness) -> None:
    officer, ts = uid("UOFFICER"), new_ts()
    app.sender.event(dm_event(officer, "Shots fired downtown, stay away from Main and 3rd.", ts=ts))
    app.fake.wait_for("chat.postMessage", lambda c: c.body.get("thread_ts") == ts)
    case = app.store.list_escalations(requester_id=officer)[0]
    assert (case.reply_channel, case.reply_thread_ts) == ("D" + officer, ts)
    card = app.fake.wait_for(
        "chat.postMessage",
        lambda c: (
            c.body.get("channel") == REVIEW_CHANNEL
            and f"#{case.id}" in str(c.header())
            and f"<@{officer}>" in c.text_dump
        ),
    )[0]
    _, payload = click(app, REVIEWER, ids.ACTION_REVIEW_CHANGES, str(case.id), card=card)
    view = app.fake.wait_for(
        "views.open", lambda c: c.body.get("trigger_id") == payload["trigger_id"]
    )[0].body["view"]
    note = "Say 'police activity' and leave the intersection out."
    state = {ids.INPUT_REVIEW_NOTE: {"value": {"type": "plain_text_input", "value": note}}}
    submitted = {**view, "id": "V8", "state": {"values": state}}
    reply = app.sender.interaction(
        {"type": "view_submission", "user": {"id": REVIEWER}, "view": submitted}
    )
    assert reply.status == 200
    told_in_thread = app.fake.wait_for(
        "chat.postMessage",
        lambda c: (
            c.body.get("channel") == "D" + officer
            and c.body.get("thread_ts") == ts
            and "asks for changes" in c.text_dump
        ),
    )
    assert len(told_in_thread) == 1 and note in told_in_thread[0].text_dump


# ------------------------------------------------------------------------------ reminders


def test_the_runtime_reminder_loop_reannounces_and_stops_cleanly(
    fake_slack: Any, slack_engine: Engine, tmp_path: Any
) -> None:
    env = slack_env(fake_slack, tmp_path)
    settings = Settings.from_env(env, dotenv=False)
    store = Store.open(settings.effective_database_url)
    decision = slack_engine.check(CheckRequest(DRAFT))
    requester = uid("UOFFICER")
    lost = store.create_escalation(  # its first card never reached Slack
        draft_text=DRAFT, decision=decision, requester_id=requester, surface="dm",
        reason="asked", reply_channel=None, reply_thread_ts=None,
    )  # fmt: skip
    with store.engine.begin() as conn:
        earlier = store.now() - timedelta(minutes=settings.review_reminder_minutes + 1)
        conn.execute(update(escalations).where(escalations.c.id == lost.id)
                     .values(created_at=earlier))  # fmt: skip
    runtime = Runtime.start(settings, store=store, engine=slack_engine, housekeeping_seconds=0.05)
    try:
        card = fake_slack.wait_for(
            "chat.postMessage",
            lambda c: (
                c.body.get("channel") == REVIEW_CHANNEL
                and c.header() == f"🧑‍⚖️ Review request #{lost.id}"
                and f"<@{requester}>" in c.text_dump
            ),
        )[0]
        time.sleep(0.3)  # several more rounds
        assert runtime.housekeeping is not None
        thread = runtime.housekeeping._thread
        assert thread is not None and thread.is_alive()
    finally:
        runtime.close(timeout=5)
    assert not thread.is_alive()
    stored = store.get_escalation(lost.id)
    assert stored is not None and stored.card_ts == card.response["ts"]
    assert stored.last_reminded_at is not None
    again = fake_slack.calls("chat.postMessage", lambda c: f"<@{requester}>" in c.text_dump)
    assert len(again) == 1
    assert [e.action for e in store.events(lost.id)] == ["created", "reminded"]
    store.close()


# ------------------------------------------------------------------------------ incidents


def test_incident_overrides_are_shared_through_the_store_with_a_short_cache(
    db_url: str,
) -> None:
    from bot.slack.incidents import IncidentChannels

    now = [100.0]
    with Store.open(db_url) as one, Store.open(db_url) as two:
        first = IncidentChannels(["CCONFIGURED"], one, clock=lambda: now[0])
        second = IncidentChannels(["CCONFIGURED"], two, clock=lambda: now[0])
        assert first.is_incident("CCONFIGURED") and not first.is_incident("CFIRE")
        assert second.is_incident("CCONFIGURED") and not second.is_incident("CFIRE")
        first.set("CFIRE", True, set_by=REVIEWER)
        first.set("CCONFIGURED", False, set_by=REVIEWER)
        assert first.is_incident("CFIRE") and not first.is_incident("CCONFIGURED")
        assert not second.is_incident("CFIRE")  # still within its 10 s cache
        now[0] += 10.5
        assert second.is_incident("CFIRE") and not second.is_incident("CCONFIGURED")
        assert two.incident_channels() == {"CFIRE": True, "CCONFIGURED": False}
