"""Getting a message to the officer: in a thread, privately in a channel, or by DM.

Every function here swallows Slack errors after logging their error code (never the
message content) and falls back to the next private route, so an answer is never lost
silently and a listener never crashes on a Slack hiccup.

Posting neither loses nor doubles a message. `post_message` tags each post with message
metadata carrying a delivery key; when an attempt fails in a way that leaves open whether
Slack kept the message (a dropped connection, a timeout, HTTP 5xx, `internal_error`), it
first looks for the key in the thread or channel (conversations.replies / .history) and
only sends again, with backoff, when the message is not there. Other calls (updates,
look-ups) are retried on connection errors and 5xx by the client itself (`IdempotentRetry`).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web import SlackResponse
from slack_sdk.webhook import WebhookClient

from bot.slack.blocks import Message, text_message
from bot.slack.logsetup import library_logger
from bot.slack.text import escape

log = logging.getLogger(__name__)

WEBHOOK_TIMEOUT = 10
_BLOCK_ERRORS = {
    "invalid_blocks",
    "invalid_blocks_format",
    "msg_too_long",
    "msg_blocks_too_long",
    "too_many_blocks",
}
# Slack's own words for "it may or may not have happened".
_MAYBE_DONE_ERRORS = {"internal_error", "fatal_error", "service_unavailable", "request_timeout"}
DELIVERY_EVENT = "canipost_delivery"  # message metadata event_type of every post
POST_ATTEMPTS = 5
POST_BACKOFF_SECONDS = (0.2, 0.5, 1.0, 2.0)  # before attempts 2, 3, 4, 5
LOOKUP_LIMIT = 100  # a post made seconds ago is among the newest this many
_NOT_REPEATABLE = ("/chat.postMessage", "/chat.startStream", "/chat.appendStream")


class IdempotentRetry(RetryHandler):
    """Retries connection errors and HTTP 5xx with backoff, except for calls that create
    a message: a repeat of those could post it twice (`post_message` handles them)."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if request.url.split("?")[0].endswith(_NOT_REPEATABLE):
            return False
        if response is not None:
            return response.status_code in (500, 502, 503, 504)
        return isinstance(error, OSError)  # URLError, resets, timeouts


@dataclass(frozen=True)
class InThread:
    """A normal message in a channel or DM thread (visible to everyone there)."""

    channel_id: str
    thread_ts: str | None = None


@dataclass(frozen=True)
class Ephemeral:
    """Visible only to `user_id`: through the response_url if there is one, else
    chat.postEphemeral, else a DM."""

    user_id: str
    channel_id: str | None = None
    response_url: str | None = None
    thread_ts: str | None = None


@dataclass(frozen=True)
class Direct:
    """A DM from the bot to `user_id`."""

    user_id: str


Destination = InThread | Ephemeral | Direct


@dataclass(frozen=True)
class Delivered:
    via: Literal["thread", "response_url", "ephemeral", "dm"]
    channel_id: str | None = None
    ts: str | None = None


def _error_code(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or exc.response.status_code)
    return type(exc).__name__


def _maybe_done(exc: Exception) -> bool:
    """Did the failed call perhaps take effect all the same?"""
    if isinstance(exc, SlackApiError):
        status = getattr(exc.response, "status_code", 200) or 200
        return status >= 500 or exc.response.get("error") in _MAYBE_DONE_ERRORS
    return isinstance(exc, OSError)


def find_posted(
    client: WebClient, channel_id: str, key: str, *, thread_ts: str | None = None
) -> str | None:
    """The ts of the message tagged with delivery `key`, if Slack kept one."""
    try:
        if thread_ts:
            response = client.conversations_replies(
                channel=channel_id, ts=thread_ts, include_all_metadata=True, limit=LOOKUP_LIMIT
            )
        else:
            response = client.conversations_history(
                channel=channel_id, include_all_metadata=True, limit=LOOKUP_LIMIT
            )
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.warning("slack: looking for an unconfirmed post in %s failed: %s", channel_id,
                    _error_code(exc))  # fmt: skip
        return None
    for item in response.get("messages") or []:
        metadata = item.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if metadata.get("event_type") == DELIVERY_EVENT and payload.get("key") == key:
            return str(item.get("ts") or "") or None
    return None


def _plain_fallback(message: Message) -> Message:
    return Message(text=message.text, blocks=[text_message(escape(message.text)).blocks[0]])


def send(
    client: WebClient, destination: Destination, message: Message, *, key: str | None = None
) -> Delivered | None:
    """Deliver `message`; None only when every route failed (already logged). `key` is
    the delivery key of a post (see post_message): the same key on a later attempt finds a
    post Slack kept instead of posting it again."""
    if isinstance(destination, InThread):
        ts = post_message(
            client, destination.channel_id, message, thread_ts=destination.thread_ts, key=key
        )
        return Delivered("thread", destination.channel_id, ts) if ts else None
    if isinstance(destination, Ephemeral):
        return send_ephemeral(client, destination, message, key=key)
    return send_dm(client, destination.user_id, message, key=key)


def _send_with_fallback(
    method: str,
    where: str,
    call: Callable[[Message], SlackResponse],
    message: Message,
    shorter: Message | None = None,
) -> SlackResponse | None:
    """`call(message)`; on a block error with `shorter` (a smaller version that keeps its
    buttons), then as text only. None when it failed."""
    attempts = [message, *([shorter] if shorter else []), _plain_fallback(message)]
    for attempt in attempts:
        try:
            return call(attempt)
        except (SlackApiError, SlackClientError, OSError) as exc:
            code = _error_code(exc)
            log.warning("slack: %s in %s failed: %s", method, where, code)
            if code not in _BLOCK_ERRORS:
                return None
    return None


def post_message(
    client: WebClient,
    channel_id: str,
    message: Message,
    *,
    thread_ts: str | None = None,
    broadcast: bool = False,
    key: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
    shorter: Message | None = None,
) -> str | None:
    """chat.postMessage, exactly once: returns the ts of the message Slack kept, or None.

    On a block error it is sent again as `shorter` (when given), then as text only. When an
    attempt fails without saying whether Slack kept the message, the thread (or channel) is
    searched for the
    delivery `key` (one per call unless given, e.g. per review card) before sending again
    with backoff. `broadcast` also shows a thread reply in the channel."""
    extra = {"reply_broadcast": True} if broadcast and thread_ts else {}
    key = key or uuid.uuid4().hex
    metadata = {"event_type": DELIVERY_EVENT, "event_payload": {"key": key}}
    attempt_message = message
    fallbacks = [*([shorter] if shorter is not None else []), _plain_fallback(message)]
    failures = 0
    while True:
        try:
            response = client.chat_postMessage(
                channel=channel_id,
                thread_ts=thread_ts,
                **extra,
                unfurl_links=False,
                unfurl_media=False,
                metadata=metadata,
                **attempt_message.as_kwargs(),
            )
            return str(response.get("ts") or "") or None
        except (SlackApiError, SlackClientError, OSError) as exc:
            code = _error_code(exc)
            if code in _BLOCK_ERRORS and fallbacks:
                log.warning("slack: chat.postMessage in %s failed: %s", channel_id, code)
                attempt_message = fallbacks.pop(0)
                continue
            failures += 1
            if not _maybe_done(exc):
                log.warning("slack: chat.postMessage in %s failed: %s", channel_id, code)
                return None
            found = find_posted(client, channel_id, key, thread_ts=thread_ts)
            if found:
                log.info(
                    "slack: chat.postMessage in %s answered %s but was delivered; not sent again",
                    channel_id,
                    code,
                )
                return found
            if failures >= POST_ATTEMPTS:
                log.error(
                    "slack: chat.postMessage in %s failed %d times (%s); giving up",
                    channel_id,
                    failures,
                    code,
                )
                return None
            delay = POST_BACKOFF_SECONDS[min(failures, len(POST_BACKOFF_SECONDS)) - 1]
            log.warning(
                "slack: chat.postMessage in %s failed: %s; not delivered, retry %d/%d in %.1fs",
                channel_id,
                code,
                failures,
                POST_ATTEMPTS - 1,
                delay,
            )
            sleep(delay)


def update_message(
    client: WebClient,
    channel_id: str,
    ts: str,
    message: Message,
    *,
    shorter: Message | None = None,
) -> bool:
    """chat.update in place; on a block error retries with `shorter`, then as text only."""

    def call(attempt: Message) -> SlackResponse:
        return client.chat_update(channel=channel_id, ts=ts, **attempt.as_kwargs())

    return _send_with_fallback("chat.update", channel_id, call, message, shorter) is not None


def respond(
    response_url: str,
    message: Message,
    *,
    response_type: Literal["ephemeral", "in_channel"] = "ephemeral",
    replace_original: bool = False,
) -> bool:
    """POST to a response_url (slash commands, shortcuts, buttons)."""
    webhook = WebhookClient(
        response_url, timeout=WEBHOOK_TIMEOUT, logger=library_logger("slack_sdk")
    )
    for attempt in (message, _plain_fallback(message)):
        try:
            response = webhook.send(
                response_type=response_type,
                replace_original=replace_original,
                **attempt.as_kwargs(),
            )
        except (SlackClientError, OSError) as exc:
            log.warning("slack: response_url failed: %s", type(exc).__name__)
            return False
        if response.status_code == 200:
            return True
        log.warning("slack: response_url answered %s %s", response.status_code, response.body[:60])
        if "block" not in (response.body or ""):
            return False
    return False


def replace_clicked(client: WebClient, body: dict[str, Any], message: Message) -> bool:
    """Redraw the message whose button was pressed: an ephemeral one through the click's
    response_url, a normal one with chat.update. False when neither worked."""
    container = body.get("container") or {}
    if container.get("is_ephemeral"):
        url = body.get("response_url")
        return bool(url) and respond(url, message, replace_original=True)
    channel_id = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    if not channel_id or not ts:
        return False
    return update_message(client, channel_id, ts, message)


def send_ephemeral(
    client: WebClient, destination: Ephemeral, message: Message, *, key: str | None = None
) -> Delivered | None:
    if destination.response_url and respond(destination.response_url, message):
        return Delivered("response_url", destination.channel_id)
    if destination.channel_id:
        for attempt in (message, _plain_fallback(message)):
            try:
                response = client.chat_postEphemeral(
                    channel=destination.channel_id,
                    user=destination.user_id,
                    thread_ts=destination.thread_ts,
                    **attempt.as_kwargs(),
                )
                return Delivered(
                    "ephemeral", destination.channel_id, str(response.get("message_ts") or "")
                )
            except (SlackApiError, SlackClientError, OSError) as exc:
                code = _error_code(exc)
                log.warning("slack: chat.postEphemeral failed: %s; trying a DM", code)
                if code not in _BLOCK_ERRORS:
                    break
    return send_dm(client, destination.user_id, message, key=key)


def open_dm(client: WebClient, user_id: str) -> str | None:
    try:
        response = client.conversations_open(users=user_id)
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.warning("slack: conversations.open failed: %s", _error_code(exc))
        return None
    channel: dict[str, Any] = response.get("channel") or {}
    return channel.get("id")


def send_dm(
    client: WebClient, user_id: str, message: Message, *, key: str | None = None
) -> Delivered | None:
    channel_id = open_dm(client, user_id)
    if channel_id is None:
        return None
    ts = post_message(client, channel_id, message, key=key)
    return Delivered("dm", channel_id, ts) if ts else None


def set_status(client: WebClient, channel_id: str, thread_ts: str, status: str) -> None:
    """The loading status under a DM or mention thread ("is checking…") while a check
    runs; Slack clears it when we reply."""
    try:
        client.assistant_threads_setStatus(
            channel_id=channel_id,
            thread_ts=thread_ts,
            status=status,
            loading_messages=[
                "Reading your draft…",
                "Checking it against the policy…",
                "Finding the sections that apply…",
            ],
        )
    except (SlackApiError, SlackClientError, OSError) as exc:
        # A workspace without the AI features has no status line: not an error.
        log.debug("slack: assistant.threads.setStatus skipped: %s", _error_code(exc))


def set_title(client: WebClient, channel_id: str, thread_ts: str, title: str) -> None:
    """The title of an agent thread in the Messages tab's history."""
    try:
        client.assistant_threads_setTitle(
            channel_id=channel_id, thread_ts=thread_ts, title=title[:255]
        )
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.debug("slack: assistant.threads.setTitle skipped: %s", _error_code(exc))


def set_suggested_prompts(
    client: WebClient, channel_id: str, title: str, prompts: list[dict[str, str]]
) -> bool:
    """The prompts at the top of the Messages tab. No thread_ts: in the agent
    experience prompts belong to the tab, and a call with one silently fails."""
    try:
        client.assistant_threads_setSuggestedPrompts(
            channel_id=channel_id, title=title, prompts=prompts
        )
        return True
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.warning("slack: assistant.threads.setSuggestedPrompts failed: %s", _error_code(exc))
        return False


def open_view(client: WebClient, trigger_id: str, view: dict[str, Any]) -> bool:
    try:
        client.views_open(trigger_id=trigger_id, view=view)
        return True
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.warning("slack: views.open failed: %s", _error_code(exc))
        return False


def publish_home(client: WebClient, user_id: str, view: dict[str, Any]) -> bool:
    try:
        client.views_publish(user_id=user_id, view=view)
        return True
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.warning("slack: views.publish failed: %s", _error_code(exc))
        return False
