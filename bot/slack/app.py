"""The Bolt app factory: one App wired to the service, with every surface registered."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.config import Settings
from bot.slack import listeners
from bot.slack.delivery import IdempotentRetry
from bot.slack.deps import Deps
from bot.slack.logsetup import library_logger

log = logging.getLogger(__name__)

SLACK_API_TIMEOUT = 10
LISTENER_THREADS = 32


def make_web_client(settings: Settings) -> WebClient:
    """The bot-token client; SLACK_API_URL points it elsewhere (tests, proxies)."""
    options: dict[str, Any] = {}
    if settings.slack_api_url:
        options["base_url"] = settings.slack_api_url
    return WebClient(
        token=settings.slack_bot_token,
        timeout=SLACK_API_TIMEOUT,
        logger=library_logger("slack_sdk"),
        retry_handlers=[
            IdempotentRetry(max_retry_count=3),  # not chat.postMessage: see delivery.py
            RateLimitErrorRetryHandler(max_retry_count=2),
        ],
        **options,
    )


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
        listener_executor=ThreadPoolExecutor(
            max_workers=listener_threads, thread_name_prefix="bolt-listener"
        ),
    )
    app.use(skip_repeated_events(deps))
    listeners.register(app, deps)
    return app
