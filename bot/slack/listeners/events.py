"""Events: channel mentions, plain DMs, App Home; every other message event is ignored."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.core.models import CheckRequest
from bot.slack.conversation import ThreadKey, reply_to_message
from bot.slack.delivery import InThread, publish_home
from bot.slack.deps import Deps
from bot.slack.listeners.messages import answer_direct_message, is_human_message
from bot.slack.outbox import deliver_answer
from bot.slack.pending import ReplyTarget
from bot.slack.text import slack_to_plain


def answer_mention(
    deps: Deps,
    client: WebClient,
    *,
    event: dict[str, Any],
    event_id: str | None,
    bot_user_id: str | None,
) -> None:
    """`@CanIPost ...` in a channel: check it and answer in the thread, without repeating
    the draft's details into the channel."""
    if not deps.service.first_delivery(event_id):
        return
    channel_id = event["channel"]
    thread_ts = event.get("thread_ts") or event["ts"]
    incident = deps.incidents.is_incident(channel_id)
    request = CheckRequest(
        text=slack_to_plain(event.get("text") or "", bot_user_id=bot_user_id),
        incident=incident,
        surface="mention",
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
        audience="channel",
        incident_channel=incident,
    )
    deliver_answer(
        client,
        deps.service.store,
        InThread(channel_id, thread_ts),
        message,
        user_id=event.get("user"),
    )


def publish_app_home(deps: Deps, client: WebClient, *, user_id: str, event_id: str | None) -> None:
    if not deps.service.first_delivery(event_id):
        return
    view = deps.review.home(
        client, user_id=user_id, policy_version=deps.service.engine.policy_version
    )
    publish_home(client, user_id, view)


def register(app: App, deps: Deps) -> None:
    @app.event("app_mention", matchers=[lambda event: is_human_message(event)])
    def on_mention(
        body: dict[str, Any], event: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        deps.jobs.submit(
            "mention",
            answer_mention,
            deps,
            client,
            event=event,
            event_id=body.get("event_id"),
            bot_user_id=context.bot_user_id,
        )

    @app.event(
        "message",
        matchers=[lambda event: event.get("channel_type") == "im" and is_human_message(event)],
    )
    def on_direct_message(
        body: dict[str, Any], event: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        deps.jobs.submit(
            "direct_message",
            answer_direct_message,
            deps,
            client,
            event=event,
            event_id=body.get("event_id"),
            bot_user_id=context.bot_user_id,
            in_panel=False,
        )

    @app.event("app_home_opened", matchers=[lambda event: event.get("tab") == "home"])
    def on_home_opened(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        deps.jobs.submit(
            "app_home",
            publish_app_home,
            deps,
            client,
            user_id=event["user"],
            event_id=body.get("event_id"),
        )

    @app.event("app_home_opened")
    def on_messages_tab_opened() -> None:
        """The Messages tab: the AI panel greets people through assistant_thread_started."""

    @app.event("app_mention")
    def on_bot_mention() -> None:
        """Mentions written by bots are never answered (no loops)."""

    @app.event("message")
    def on_other_message() -> None:
        """Bot messages, edits, deletions, joins: acknowledged and ignored."""
