"""Events: channel mentions, DMs, App Home's Home and Messages tabs; every other message
event is ignored."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.core.models import CheckRequest
from bot.slack.blocks import PROMPTS_TITLE, input_error_message, welcome_message
from bot.slack.conversation import ThreadKey, reply_to_message
from bot.slack.delivery import (
    InThread,
    post_message,
    publish_home,
    send,
    set_status,
    set_suggested_prompts,
)
from bot.slack.deps import Deps
from bot.slack.ids import SUGGESTED_PROMPTS
from bot.slack.listeners.messages import (
    STATUS,
    answer_direct_message,
    attached_photo,
    is_human_message,
)
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
    photo, problem = attached_photo(deps, event.get("files"))
    if problem:
        send(client, InThread(channel_id, thread_ts), input_error_message(problem))
        return
    set_status(client, channel_id, thread_ts, STATUS)
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
        photo=photo,
    )
    deliver_answer(
        client,
        deps.service.store,
        InThread(channel_id, thread_ts),
        message,
        user_id=event.get("user"),
    )


def greet_messages_tab(
    deps: Deps, client: WebClient, *, user_id: str, channel_id: str, event_id: str | None
) -> None:
    """The Messages tab opened: the suggested prompts at its top (every time, they belong
    to the tab) and, the first time this person opens it, the greeting."""
    if not deps.service.first_delivery(event_id):
        return
    prompts = [{"title": title, "message": message} for title, message in SUGGESTED_PROMPTS]
    set_suggested_prompts(client, channel_id, PROMPTS_TITLE, prompts)
    if deps.service.first_delivery(f"welcome:{user_id}"):
        post_message(client, channel_id, welcome_message())


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

    @app.event("app_home_opened", matchers=[lambda event: event.get("tab") == "messages"])
    def on_messages_tab_opened(
        body: dict[str, Any], event: dict[str, Any], client: WebClient
    ) -> None:
        channel_id = event.get("channel")
        if not channel_id or not event.get("user"):
            return
        deps.jobs.submit(
            "messages_tab",
            greet_messages_tab,
            deps,
            client,
            user_id=event["user"],
            channel_id=channel_id,
            event_id=body.get("event_id"),
        )

    @app.event("app_home_opened")
    def on_other_tab_opened() -> None:
        """Any other tab (Slack may add more): nothing to show."""

    @app.event("app_mention")
    def on_bot_mention() -> None:
        """Mentions written by bots are never answered (no loops)."""

    @app.event("message")
    def on_other_message() -> None:
        """Bot messages, edits, deletions, joins: acknowledged and ignored."""
