"""The bot-token Web API client, below everything that talks to Slack.

The app factory, the runtime, the server and the review service (also used by
`canipost review decide`) all build their client here, so none of them needs the app
factory and its listeners to reach Slack.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.config import Settings
from bot.slack.delivery import IdempotentRetry
from bot.slack.logsetup import library_logger

SLACK_API_TIMEOUT = 10


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
