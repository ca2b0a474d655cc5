"""The Bolt app factory: one App wired to the service, with every surface registered."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient

from bot.slack import listeners
from bot.slack.claims import ContextThreadPool
from bot.slack.client import make_web_client
from bot.slack.deps import Deps
from bot.slack.logsetup import library_logger

log = logging.getLogger(__name__)

LISTENER_THREADS = 32


def skip_repeated_events(deps: Deps) -> Callable[..., BoltResponse | None]:
    """Global middleware: an event id this process already accepted (a Slack retry, or a
    duplicate delivery) is acknowledged and dropped before any listener runs. Across
    processes the store's mark_event_seen does the same job in each event's work."""

    def middleware(req: BoltRequest, next: Callable[[], None]) -> BoltResponse | None:
        body, headers = req.body, req.headers
        if body.get("type") == "event_callback":
            event_id = body.get("event_id")
            if event_id and not deps.seen_events.add(str(event_id)):
                retry = (headers.get("x-slack-retry-num") or ["-"])[0]
                reason = (headers.get("x-slack-retry-reason") or ["-"])[0]
                log.info(
                    "event %s already accepted: retry=%s reason=%s, skipped",
                    event_id,
                    retry,
                    reason,
                )
                return BoltResponse(status=200, body="")
        next()
        return None

    return middleware


def build_app(
    deps: Deps,
    *,
    client: WebClient | None = None,
    socket_mode: bool = False,
    listener_threads: int = LISTENER_THREADS,
) -> App:
    """A Bolt App for `deps`. Construction calls auth.test once (the bot's own ids)."""
    settings = deps.settings
    app = App(
        name="canipost",
        client=client or make_web_client(settings),
        signing_secret=None if socket_mode else settings.slack_signing_secret,
        request_verification_enabled=not socket_mode,
        process_before_response=False,
        logger=library_logger("slack_bolt"),
        listener_executor=ContextThreadPool(
            max_workers=listener_threads, thread_name_prefix="bolt-listener"
        ),
    )
    app.use(skip_repeated_events(deps))
    listeners.register(app, deps)
    return app
