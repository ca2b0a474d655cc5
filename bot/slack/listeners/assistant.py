"""The AI app panel (agent view): suggested prompts on open, status line, threaded answers."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, Assistant, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.slack.blocks import welcome_message
from bot.slack.delivery import post_message
from bot.slack.deps import Deps
from bot.slack.ids import SUGGESTED_PROMPTS
from bot.slack.listeners.messages import answer_direct_message, is_human_message

log = logging.getLogger(__name__)


def start_thread(
    deps: Deps, client: WebClient, *, event: dict[str, Any], event_id: str | None
) -> None:
    """A new panel thread: offer the suggested prompts and say what the bot does."""
    if not deps.service.first_delivery(event_id):
        return
    thread = event.get("assistant_thread") or {}
    channel_id, thread_ts = thread.get("channel_id"), thread.get("thread_ts")
    if not channel_id or not thread_ts:
        return
    try:
        client.assistant_threads_setSuggestedPrompts(
            channel_id=channel_id,
            thread_ts=thread_ts,
            title="Ask me about a post:",
            prompts=[{"title": title, "message": message} for title, message in SUGGESTED_PROMPTS],
        )
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.warning("slack: setSuggestedPrompts failed: %s", type(exc).__name__)
    post_message(client, channel_id, welcome_message(), thread_ts=thread_ts)


def register(app: App, deps: Deps) -> None:
    panel = Assistant()

    @panel.thread_started
    def on_thread_started(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        deps.jobs.submit(
            "thread_started", start_thread, deps, client, event=event, event_id=body.get("event_id")
        )

    @panel.thread_context_changed
    def on_context_changed() -> None:
        """The officer switched channels with the panel open; nothing to keep."""

    @panel.user_message(matchers=[lambda event: is_human_message(event)])
    def on_panel_message(
        body: dict[str, Any], event: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        deps.jobs.submit(
            "panel_message",
            answer_direct_message,
            deps,
            client,
            event=event,
            event_id=body.get("event_id"),
            bot_user_id=context.bot_user_id,
            in_panel=True,
        )

    app.assistant(panel)
