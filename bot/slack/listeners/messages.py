"""Direct messages: threads in the agent's Messages tab (agent_view), and plain DMs."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.core.models import CheckRequest
from bot.slack.blocks import help_message, input_error_message, text_message
from bot.slack.conversation import ThreadKey, reply_to_message
from bot.slack.delivery import InThread, send, set_status, set_title
from bot.slack.deps import Deps
from bot.slack.files import DownloadError, Photo, fetch_photo
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


def attached_photo(
    deps: Deps, files: list[dict[str, Any]] | None
) -> tuple[Photo | None, str | None]:
    """The message's photo, downloaded (None without one), or the one-line problem."""
    try:
        return fetch_photo(deps.settings, files), None
    except DownloadError as exc:
        return None, str(exc)


def answer_direct_message(
    deps: Deps,
    client: WebClient,
    *,
    event: dict[str, Any],
    event_id: str | None,
    bot_user_id: str | None,
) -> None:
    """Check a DM (a thread in the agent's Messages tab) and answer in its thread: a
    loading status while the check runs, then the answer, then the thread's title."""
    if not deps.service.first_delivery(event_id):
        return
    channel_id = event["channel"]
    thread_ts = event.get("thread_ts") or event["ts"]
    text = slack_to_plain(event.get("text") or "", bot_user_id=bot_user_id)
    photo, problem = attached_photo(deps, event.get("files"))
    if problem:
        send(client, InThread(channel_id, thread_ts), input_error_message(problem))
        return
    if photo is None and text.strip().lower() in HELP_WORDS:
        send(client, InThread(channel_id, thread_ts), help_message())
        return
    follow_up = PROMPT_FOLLOW_UPS.get(text.strip())
    if follow_up and photo is None:
        send(client, InThread(channel_id, thread_ts), text_message(follow_up))
        return
    set_status(client, channel_id, thread_ts, STATUS)
    request = CheckRequest(
        text=text,
        surface="dm",
        user_id=event.get("user"),
        channel_id=channel_id,
    )
    titles: list[str] = []
    message = reply_to_message(
        deps.service,
        deps.threads,
        client,
        request=request,
        reply=ReplyTarget(channel_id, thread_ts),
        key=ThreadKey(channel_id, thread_ts, event.get("user")),
        on_title=titles.append,
        photo=photo,
    )
    deliver_answer(
        client,
        deps.service.store,
        InThread(channel_id, thread_ts),
        message,
        user_id=event.get("user"),
    )
    if titles:
        set_title(client, channel_id, thread_ts, titles[-1])
