"""Message shortcut "Check this post": check any message, answer the caller privately."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.core.models import CheckRequest
from bot.slack import ids
from bot.slack.blocks import input_error_message
from bot.slack.conversation import reply_to_message
from bot.slack.delivery import Ephemeral
from bot.slack.deps import Deps
from bot.slack.listeners.messages import attached_photo
from bot.slack.outbox import deliver_answer
from bot.slack.pending import ReplyTarget
from bot.slack.text import slack_to_plain


def check_message(
    deps: Deps, client: WebClient, *, payload: dict[str, Any], bot_user_id: str | None
) -> None:
    message = payload.get("message") or {}
    user_id = payload["user"]["id"]
    channel_id = (payload.get("channel") or {}).get("id")
    destination = Ephemeral(
        user_id, channel_id, payload.get("response_url"), thread_ts=message.get("thread_ts")
    )
    photo, problem = attached_photo(deps, message.get("files"))
    if problem:
        deliver_answer(
            client, deps.service.store, destination, input_error_message(problem), user_id=user_id
        )
        return
    request = CheckRequest(
        text=slack_to_plain(message.get("text") or "", bot_user_id=bot_user_id),
        incident=deps.incidents.is_incident(channel_id),
        surface="shortcut",
        user_id=user_id,
        channel_id=channel_id,
    )
    reply = reply_to_message(
        deps.service, deps.threads, client, request=request, reply=ReplyTarget(None), photo=photo
    )
    deliver_answer(client, deps.service.store, destination, reply, user_id=user_id)


def register(app: App, deps: Deps) -> None:
    @app.shortcut(ids.SHORTCUT_CHECK)
    def on_check_this_post(
        ack: Ack, shortcut: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        ack()
        deps.jobs.submit(
            "shortcut",
            check_message,
            deps,
            client,
            payload=shortcut,
            bot_user_id=context.bot_user_id,
        )
