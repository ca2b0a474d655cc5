"""Buttons on answers: Ask a reviewer, Show full section, feedback."""

from __future__ import annotations

import re
from typing import Any, Literal

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.slack import ids
from bot.slack.blocks import (
    FEEDBACK_ACTIONS,
    Block,
    Message,
    escalation_text,
    feedback_note,
    notice_message,
    outcome_message,
    policy_modal,
    section,
    section_modal,
    text_message,
    without_buttons,
)
from bot.slack.delivery import (
    Destination,
    Ephemeral,
    InThread,
    open_view,
    replace_clicked,
    send,
)
from bot.slack.deps import Deps

FEEDBACK = re.compile(
    f"^({ids.ACTION_FEEDBACK}|{ids.ACTION_FEEDBACK_UP}|{ids.ACTION_FEEDBACK_DOWN})$"
)
SECTION = re.compile(f"^({ids.ACTION_SHOW_SECTION}|{ids.ACTION_PICK_SECTION})$")


def reply_to_clicker(body: dict[str, Any]) -> Destination:
    """In a DM the reply goes in the answer's thread; elsewhere only the clicker sees it."""
    user_id = body["user"]["id"]
    container = body.get("container") or {}
    channel_id = container.get("channel_id") or (body.get("channel") or {}).get("id")
    message = body.get("message") or {}
    thread_ts = (
        message.get("thread_ts") or container.get("thread_ts") or container.get("message_ts")
    )
    if (
        channel_id
        and channel_id.startswith("D")
        and not container.get("is_ephemeral")
        and thread_ts
    ):
        return InThread(channel_id, thread_ts)
    return Ephemeral(user_id, channel_id, body.get("response_url"), thread_ts=thread_ts)


def clicked_blocks(deps: Deps, body: dict[str, Any], key: str) -> list[Block] | None:
    """The blocks of the message whose button was pressed: from the payload (messages),
    else drawn again from the pending check (ephemeral answers); None when neither."""
    blocks = (body.get("message") or {}).get("blocks")
    if isinstance(blocks, list) and blocks:
        return blocks
    outcome = deps.service.outcome_for(key)
    return outcome_message(outcome).blocks if outcome else None


def ask_reviewer(deps: Deps, client: WebClient, *, body: dict[str, Any], key: str) -> None:
    notice = deps.service.escalate(client, key, user_id=body["user"]["id"])
    notice_blocks = notice_message(notice)
    if notice.status in ("sent", "unannounced"):
        # The button is used up: the answer now says where the case went.
        outcome = deps.service.outcome_for(key, escalation=notice)
        blocks = (body.get("message") or {}).get("blocks")
        if isinstance(blocks, list) and blocks:
            note = [section(escalation_text(notice))]
            updated = without_buttons(blocks, {ids.ACTION_ASK_REVIEWER}, note=note)
        else:
            updated = outcome_message(outcome).blocks if outcome else None
        if updated is not None:
            replaced = replace_clicked(client, body, Message(notice_blocks.text, updated))
            if replaced and _is_ephemeral(body):
                return  # the ephemeral answer itself now carries the notice
    send(client, reply_to_clicker(body), notice_blocks)


def record_feedback(
    deps: Deps, client: WebClient, *, body: dict[str, Any], value: str, kind: Literal["up", "down"]
) -> None:
    """One vote per person, on their own check; the buttons give way to the vote."""
    user_id = body["user"]["id"]
    try:
        check_id = int(value)
    except ValueError:
        return
    status = deps.service.record_feedback(user_id=user_id, check_id=check_id, value=kind)
    private = Ephemeral(user_id, *_where(body))
    if status == "failed":
        send(client, private, text_message("Sorry, I couldn't record your feedback just now."))
        return
    if status == "not_owner":
        send(client, private, text_message("Only the person who asked can rate this answer."))
        return
    note = feedback_note(kind, changed=status == "changed")
    blocks = clicked_blocks(deps, body, f"c{check_id}")
    if blocks is not None:
        updated = without_buttons(blocks, FEEDBACK_ACTIONS, note=[note])
        if replace_clicked(client, body, Message("Thanks for the feedback", updated)):
            return
    send(client, private, Message("Thanks for the feedback", [note]))


def feedback_vote(action: dict[str, Any]) -> tuple[Literal["up", "down"], str]:
    """(up/down, check id) from a feedback_buttons click ("up:12") or an older button."""
    value = str(action.get("value") or "")
    if action.get("action_id") == ids.ACTION_FEEDBACK:
        kind, _, check = value.partition(":")
        if kind not in ("up", "down"):
            return "down", ""  # not a vote: record_feedback ignores an empty id
        return ("up" if kind == "up" else "down"), check
    return ("up" if action.get("action_id") == ids.ACTION_FEEDBACK_UP else "down"), value


def _is_ephemeral(body: dict[str, Any]) -> bool:
    return bool((body.get("container") or {}).get("is_ephemeral"))


def _where(body: dict[str, Any]) -> tuple[str | None, str | None]:
    container = body.get("container") or {}
    channel_id = container.get("channel_id") or (body.get("channel") or {}).get("id")
    return channel_id, body.get("response_url")


def register(app: App, deps: Deps) -> None:
    @app.action(ids.ACTION_ASK_REVIEWER)
    def on_ask_reviewer(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        deps.jobs.submit(
            "ask_reviewer", ask_reviewer, deps, client, body=body, key=action.get("value") or ""
        )

    @app.action(SECTION)
    def on_show_section(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        value = action.get("value") or (action.get("selected_option") or {}).get("value") or ""
        # A dictionary lookup, then views.open right away: the trigger expires in 3 s.
        open_view(client, body["trigger_id"], section_modal(deps.service.section(value)))

    @app.action(ids.ACTION_SHOW_POLICY)
    def on_show_policy(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        found, missing = deps.service.sections(action.get("value") or "")
        open_view(client, body["trigger_id"], policy_modal(found, missing=missing))

    @app.action(FEEDBACK)
    def on_feedback(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        kind, value = feedback_vote(action)
        deps.jobs.submit(
            "feedback", record_feedback, deps, client, body=body, value=value, kind=kind
        )
