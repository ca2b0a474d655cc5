"""`/canipost`: check a draft, open the form, help, incident mode, direct review."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.core.models import CheckRequest
from bot.slack import ids
from bot.slack.blocks import (
    check_modal,
    help_message,
    incident_mode_message,
    outcome_message,
    text_message,
)
from bot.slack.conversation import reply_to_message
from bot.slack.delivery import Ephemeral, open_view, post_message, respond, send
from bot.slack.deps import Deps
from bot.slack.outbox import deliver_answer
from bot.slack.pending import ReplyTarget
from bot.slack.service import DIRECT_REASON
from bot.slack.text import slack_to_plain
from bot.store import StoreError

log = logging.getLogger(__name__)

INCIDENT_NOT_SAVED = (
    "⚠️ Incident mode could not be saved (the database did not answer); nothing changed. "
    "Please try again in a minute."
)

Action = Literal["check", "form", "help", "incident", "review"]


@dataclass(frozen=True)
class Parsed:
    action: Action
    text: str = ""


def parse(text: str) -> Parsed:
    """What the officer asked for. `review` and `incident` must be the first word, in
    lower case, so a draft that merely starts with "Review..." is still checked."""
    stripped = text.strip()
    if not stripped:
        return Parsed("form")
    if stripped.lower() in {"help", "?", "-h", "--help"}:
        return Parsed("help")
    first, _, rest = stripped.partition(" ")
    rest = rest.strip()
    if first == "incident" and rest.lower() in {"", "on", "off", "status"}:
        return Parsed("incident", rest.lower() or "status")
    if first == "review":
        return Parsed("review", rest)
    return Parsed("check", stripped)


def check_command(
    deps: Deps,
    client: WebClient,
    *,
    command: dict[str, Any],
    text: str,
    escalate_reason: str | None = None,
) -> None:
    """Check the draft and answer the caller only (response_url, else ephemeral, else DM).
    `text` is decoded from Slack's markup (`&amp;`, mentions, links) like every surface."""
    user_id = command["user_id"]
    channel_id = command.get("channel_id")
    request = CheckRequest(
        text=slack_to_plain(text),
        incident=deps.incidents.is_incident(channel_id),
        surface="slash",
        user_id=user_id,
        channel_id=channel_id,
    )
    # The reviewer's answer comes by DM: an ephemeral message cannot be replied to later.
    if escalate_reason:
        outcome = deps.service.run_check(
            client, request, reply=ReplyTarget(None), escalate_reason=escalate_reason
        )
        message = outcome_message(outcome)
    else:
        message = reply_to_message(
            deps.service, deps.threads, client, request=request, reply=ReplyTarget(None)
        )
    deliver_answer(
        client,
        deps.service.store,
        Ephemeral(user_id, channel_id, command.get("response_url")),
        message,
        user_id=user_id,
    )


def incident_command(deps: Deps, client: WebClient, *, command: dict[str, Any], arg: str) -> None:
    user_id = command["user_id"]
    channel_id = command.get("channel_id") or ""
    private = Ephemeral(user_id, channel_id, command.get("response_url"))
    if arg == "status":
        state = "on" if deps.incidents.is_incident(channel_id) else "off"
        send(client, private, text_message(f"Incident mode is *{state}* in this channel."))
        return
    if not channel_id or channel_id.startswith("D"):
        send(
            client, private, text_message("Use `/canipost incident on|off` in the channel itself.")
        )
        return
    if not deps.reviewers.is_reviewer(user_id, client):
        send(
            client,
            private,
            text_message("Only reviewers (the PIO and their deputies) can change incident mode."),
        )
        return
    on = arg == "on"
    try:
        deps.incidents.set(channel_id, on, set_by=user_id)
    except StoreError:
        send(client, private, text_message(INCIDENT_NOT_SAVED))
        return
    log.info("incident mode %s: channel=%s by=%s", arg, channel_id, user_id)
    announcement = incident_mode_message(channel_id=channel_id, on=on, user_id=user_id)
    response_url = command.get("response_url")
    if not (response_url and respond(response_url, announcement, response_type="in_channel")):
        post_message(client, channel_id, announcement)


def register(app: App, deps: Deps) -> None:
    @app.command(ids.COMMAND)
    def on_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        parsed = parse(command.get("text") or "")
        if parsed.action == "help":
            ack(**help_message().as_kwargs())
            return
        ack()
        if parsed.action == "form":
            channel_id = command.get("channel_id")
            view = check_modal(
                channel_id=channel_id, incident=deps.incidents.is_incident(channel_id)
            )
            open_view(client, command["trigger_id"], view)  # the trigger expires in 3 s
        elif parsed.action == "incident":
            deps.jobs.submit(
                "incident", incident_command, deps, client, command=command, arg=parsed.text
            )
        else:
            deps.jobs.submit(
                f"slash_{parsed.action}",
                check_command,
                deps,
                client,
                command=command,
                text=parsed.text,
                escalate_reason=DIRECT_REASON if parsed.action == "review" else None,
            )
