"""Listeners grouped by Slack surface. Each one acks first, then hands the work to the
job queue: translate the payload into a CheckRequest, call the service, render, deliver."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.deps import Deps
from bot.slack.listeners import actions, commands, events, review, shortcuts, views


def register(app: App, deps: Deps) -> None:
    commands.register(app, deps)
    shortcuts.register(app, deps)
    views.register(app, deps)
    actions.register(app, deps)
    review.register(app, deps)
    events.register(app, deps)  # last: ends with the catch-all for other message events
