"""Buttons on answers: Ask a reviewer, Show full section, feedback."""

from __future__ import annotations

import re
from typing import Any, Literal

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.slack import ids
from bot.slack.blocks import notice_message, section_modal, text_message
from bot.slack.delivery import Destination, Ephemeral, InThread, open_view, send
from bot.slack.deps import Deps

FEEDBACK = re.compile(f"^({ids.ACTION_FEEDBACK_UP}|{ids.ACTION_FEEDBACK_DOWN})$")
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


def ask_reviewer(deps: Deps, client: WebClient, *, body: dict[str, Any], key: str) -> None:
    notice = deps.service.escalate(client, key, user_id=body["user"]["id"])
    send(client, reply_to_clicker(body), notice_message(notice))


def record_feedback(
    deps: Deps, client: WebClient, *, body: dict[str, Any], value: str, kind: Literal["up", "down"]
) -> None:
    user_id = body["user"]["id"]
    try:
        check_id = int(value)
    except ValueError:
        return
    saved = deps.service.record_feedback(user_id=user_id, check_id=check_id, value=kind)
    if not saved:
        text = "Sorry, I couldn't record your feedback just now."
    elif kind == "up":
        text = "Thanks for the feedback 👍"
    else:
        text = (
            "Thanks, noted 👎. If the answer looks wrong, press *Ask a reviewer* and the PIO "
            "will take a look."
        )
    send(client, Ephemeral(user_id, *_where(body)), text_message(text))


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

    @app.action(FEEDBACK)
    def on_feedback(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        kind: Literal["up", "down"] = (
            "up" if action.get("action_id") == ids.ACTION_FEEDBACK_UP else "down"
        )
        deps.jobs.submit(
            "feedback",
            record_feedback,
            deps,
            client,
            body=body,
            value=action.get("value") or "",
            kind=kind,
        )
