"""Helpers shared by the review-loop tests: unique ids, escalating a draft, pressing
buttons on the card, the notice or App Home, and reading what the fake Slack received."""

from __future__ import annotations

import itertools
from typing import Any

from conftest import REVIEW_CHANNEL, SlackHarness
from fake_slack import Call, find_actions

from bot.slack import ids
from bot.store.records import Escalation

DRAFT = "Great turnout at the bike rodeo today, thanks to everyone at 12 Elm Street!"
_ids = itertools.count(1)
_ts = itertools.count(1)


def uid(prefix: str) -> str:
    """Ids unique in the session: the fake Slack server is shared by every test."""
    return f"{prefix}{next(_ids):05d}R"


def new_ts() -> str:
    return f"{1_900_000_000 + next(_ts)}.000400"


def at_url(key: str) -> Any:
    return lambda call: call.path.endswith("/" + key)


def escalate(slack: SlackHarness, user: str, draft: str = DRAFT) -> tuple[Escalation, Call, Call]:
    """`/canipost review <draft>` as `user`: the stored case, its card and the notice."""
    key = uid("rev")
    reply = slack.sender.command(f"review {draft}", user_id=user, channel_id=uid("CCHAN"),
                                 response_url=slack.fake.response_url(key))  # fmt: skip
    assert reply.status == 200
    notice = slack.fake.wait_for("response_url", at_url(key))[0]
    assert "📨 Sent to the PIO" in notice.text_dump
    case = slack.store.list_escalations(requester_id=user)[-1]
    card = slack.fake.wait_for(
        "chat.postMessage",
        lambda c: (
            c.body.get("channel") == REVIEW_CHANNEL
            and c.header() == f"🧑‍⚖️ Review request #{case.id}"
            and f"<@{user}>" in c.text_dump  # case ids repeat across the tests' databases
        ),
    )[0]
    return case, card, notice


def click(
    slack: SlackHarness,
    user: str,
    action_id: str,
    value: str,
    *,
    card: Call | None = None,
    in_home: bool = False,
) -> tuple[str, dict[str, Any]]:
    """Press a button as `user`: on the review card, on the officer's (ephemeral) notice,
    or in App Home. Returns the response_url key and the payload sent."""
    key = uid("click")
    if in_home:
        container: dict[str, Any] = {"type": "view", "view_id": "VHOME1"}
        extra: dict[str, Any] = {"view": {"id": "VHOME1", "type": "home"}}
    else:
        channel = REVIEW_CHANNEL if card else "C" + user[1:]
        container = {
            "type": "message",
            "message_ts": card.response["ts"] if card else new_ts(),
            "channel_id": channel,
            "is_ephemeral": card is None,  # the officer's notice to /canipost is ephemeral
        }
        extra = {"channel": {"id": channel}, "response_url": slack.fake.response_url(key)}
    payload = {
        "type": "block_actions",
        "user": {"id": user},
        "container": container,
        "trigger_id": uid("trig."),
        "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "value": value}],
        **extra,
    }
    assert slack.sender.interaction(payload).status == 200
    return key, payload


def told(slack: SlackHarness, key: str) -> str:
    return slack.fake.wait_for("response_url", at_url(key))[0].text_dump


def open_home(slack: SlackHarness, user: str) -> Call:
    def mine(c: Call) -> bool:
        return c.body.get("user_id") == user

    before = len(slack.fake.calls("views.publish", mine))
    slack.sender.event({"type": "app_home_opened", "user": user, "tab": "home"})
    return slack.fake.wait_for("views.publish", mine, count=before + 1)[-1]


def button_value(call: Call, action_id: str) -> str:
    return next(e["value"] for e in find_actions(call.blocks) if e["action_id"] == action_id)


def submit_note(
    slack: SlackHarness, user: str, view: dict[str, Any], note: str, view_id: str = "V1"
) -> Any:
    values = {ids.INPUT_REVIEW_NOTE: {"value": {"type": "plain_text_input", "value": note}}}
    submitted = {**view, "id": view_id, "state": {"values": values}}
    return slack.sender.interaction({"type": "view_submission", "user": {"id": user},
                                     "view": submitted})  # fmt: skip


def form_update(slack: SlackHarness, view_id: str) -> str:
    """What the form with `view_id` was turned into after it was sent (views.update)."""
    calls = slack.fake.wait_for("views.update", lambda c: c.body.get("view_id") == view_id)
    return str(calls[-1].body["view"]["blocks"])


def officer_dm(slack: SlackHarness, officer: str) -> list[Call]:
    return slack.fake.calls(
        "chat.postMessage", lambda c: c.body.get("channel") == "D" + officer[1:]
    )


def card_updates(slack: SlackHarness, card: Call) -> list[Call]:
    return slack.fake.calls(
        "chat.update",
        lambda c: (
            c.body.get("channel") == REVIEW_CHANNEL and c.body.get("ts") == card.response["ts"]
        ),
    )
