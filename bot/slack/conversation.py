"""A conversation with the bot: the thread's current draft, kept in memory, and the one
function every message surface calls to turn a message into a reply.

What a message *is* (draft, question, follow-up, small talk) and how a follow-up revises
the draft are decided by `bot.core.conversation`; this module only remembers drafts per
thread and routes each reading to the service. Drafts live here in memory for a short
time (never logged, never stored); a follow-up that finds nothing asks for the new version.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from slack_sdk import WebClient

from bot.core.conversation import PreviousDraft, Reading, read_message
from bot.core.models import CheckRequest
from bot.slack.blocks import (
    Audience,
    Message,
    chatter_message,
    new_version_message,
    outcome_message,
    thread_title,
)
from bot.slack.files import Photo
from bot.slack.pending import ReplyTarget
from bot.slack.recent import Recent
from bot.slack.service import CheckService

log = logging.getLogger(__name__)

THREAD_TTL_SECONDS = 3600.0


@dataclass(frozen=True)
class ThreadKey:
    """One person's conversation in one thread. `thread_ts` is None for the latest draft
    anywhere in a DM (a follow-up typed below the answer rather than in its thread)."""

    channel_id: str
    thread_ts: str | None
    user_id: str | None


class ThreadDrafts:
    """Thread -> its current draft, for a short time; bounded in entries and characters."""

    def __init__(
        self,
        *,
        ttl_seconds: float = THREAD_TTL_SECONDS,
        max_entries: int = 5000,
        max_chars: int = 4_000_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._items: Recent[ThreadKey, PreviousDraft] = Recent(
            ttl_seconds=ttl_seconds,
            max_entries=max_entries,
            max_size=max_chars,
            size=lambda draft: len(draft.text),
            clock=clock,
        )

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: ThreadKey) -> PreviousDraft | None:
        with self._items.lock:
            draft = self._items.get(key)
            if draft is None and key.channel_id.startswith("D") and key.thread_ts is not None:
                draft = self._items.get(replace(key, thread_ts=None))
            return draft

    def put(self, key: ThreadKey, draft: PreviousDraft) -> None:
        with self._items.lock:
            self._items.put(key, draft)
            if key.channel_id.startswith("D") and key.thread_ts is not None:
                self._items.put(replace(key, thread_ts=None), draft)


def reply_to_message(
    service: CheckService,
    threads: ThreadDrafts,
    client: WebClient,
    *,
    request: CheckRequest,
    reply: ReplyTarget,
    key: ThreadKey | None = None,
    audience: Audience = "private",
    incident_channel: bool = False,
    on_title: Callable[[str], None] | None = None,
    photo: Photo | None = None,
) -> Message:
    """The reply to one message whose text is `request.text`: a check of the draft (or of
    the thread's draft with the follow-up applied), the policy's answer to a question, or
    a request for the new version. Never "OK to post" for anything but a draft.
    `on_title` is called with a title for the thread when the reply is a check or an
    answer from the policy (it never holds the draft's words)."""
    previous = threads.get(key) if key else None
    # A message with a photo is a post to check: the photo and its caption.
    reading = (
        Reading(kind="draft", draft=request.text)
        if photo is not None
        else read_message(request.text, previous)
    )
    log.info(
        "message read: surface=%s user=%s kind=%s thread_draft=%s",
        request.surface,
        request.user_id,
        reading.kind,
        "yes" if previous else "no",
    )
    if reading.kind == "chatter":
        return chatter_message()
    if reading.kind == "needs_new_version":
        return new_version_message(reading, audience=audience)
    if reading.kind == "question":
        outcome = service.run_check(client, request, reply=reply, question=True)
    else:
        outcome = service.run_check(
            client, replace(request, text=reading.draft), reply=reply, photo=photo
        )
    if key and outcome.decision is not None and photo is None:  # a photo can't be edited here
        threads.put(key, PreviousDraft(outcome.request.text, outcome.decision.findings))
    revision: Reading | None = reading if reading.kind == "revision" else None
    title = thread_title(outcome)
    if on_title is not None and title:
        on_title(title)
    return outcome_message(
        outcome, audience=audience, incident_channel=incident_channel, revision=revision
    )
