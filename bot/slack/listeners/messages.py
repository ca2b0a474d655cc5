"""Work shared by the message surfaces (AI panel threads and plain DMs)."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.core.models import CheckRequest
from bot.slack.blocks import help_message, text_message
from bot.slack.conversation import ThreadKey, reply_to_message
from bot.slack.delivery import InThread, send, set_status
from bot.slack.deps import Deps
from bot.slack.ids import PROMPT_FOLLOW_UPS
from bot.slack.outbox import deliver_answer
from bot.slack.pending import ReplyTarget
from bot.slack.text import slack_to_plain

HELP_WORDS = {"help", "?", "hi", "hello", "hey"}
STATUS = "is checking your draft against the policy…"
ANSWERED_SUBTYPES = (None, "file_share", "thread_broadcast")


def is_human_message(event: dict[str, Any]) -> bool:
    """A message typed by a person: not a bot (ours or another), not an edit or deletion."""
    return (
        not event.get("bot_id")
        and not event.get("bot_profile")
        and event.get("subtype") in ANSWERED_SUBTYPES
        and bool(event.get("user"))
    )


def answer_direct_message(
    deps: Deps,
    client: WebClient,
    *,
    event: dict[str, Any],
    event_id: str | None,
    bot_user_id: str | None,
    in_panel: bool,
) -> None:
    """Check a DM (AI panel thread or Messages tab) and answer in its thread."""
    if not deps.service.first_delivery(event_id):
        return
    channel_id = event["channel"]
    thread_ts = event.get("thread_ts") or event["ts"]
    text = slack_to_plain(event.get("text") or "", bot_user_id=bot_user_id)
    if text.strip().lower() in HELP_WORDS:
        send(client, InThread(channel_id, thread_ts), help_message())
        return
    follow_up = PROMPT_FOLLOW_UPS.get(text.strip())
    if follow_up:
        send(client, InThread(channel_id, thread_ts), text_message(follow_up))
        return
    if in_panel:
        set_status(client, channel_id, thread_ts, STATUS)
    request = CheckRequest(
        text=text,
        surface="assistant" if in_panel else "dm",
        user_id=event.get("user"),
        channel_id=channel_id,
    )
    message = reply_to_message(
        deps.service,
        deps.threads,
        client,
        request=request,
        reply=ReplyTarget(channel_id, thread_ts),
        key=ThreadKey(channel_id, thread_ts, event.get("user")),
    )
    deliver_answer(
        client,
        deps.service.store,
        InThread(channel_id, thread_ts),
        message,
        user_id=event.get("user"),
    )
