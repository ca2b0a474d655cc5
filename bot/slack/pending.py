"""Recent checks kept in memory so "Ask a reviewer" can escalate them.

Button values carry only a key; the draft stays on this server. Entries live for an hour
(by default) and the map is bounded in entries and characters. It is per process: a click
that lands on another instance, or after a restart, finds nothing and the officer is asked
to run the check again. The draft is written to the store only when the officer escalates.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot.core.models import CheckRequest, Decision
from bot.slack.files import Photo
from bot.slack.recent import Recent


@dataclass(frozen=True)
class ReplyTarget:
    """Where a reviewer's answer should reach the officer: a channel (and thread), or the
    officer's DM with the bot when `channel` is None."""

    channel: str | None = None
    thread_ts: str | None = None

    @property
    def by_dm(self) -> bool:
        return self.channel is None


@dataclass
class PendingCheck:
    request: CheckRequest  # holds the draft: memory only, never logged
    decision: Decision
    reply: ReplyTarget
    check_id: int | None
    escalation_id: int | None = None
    escalating: bool = False
    photo: Photo | None = None  # the attached photo, for the reviewer's card

    @property
    def size(self) -> int:
        """What the entry weighs against the budget (a photo's bytes count too)."""
        photo = len(self.photo.data) if self.photo else 0
        return len(self.request.text) + len(self.request.note or "") + photo


ClaimResult = Literal["claimed", "missing", "already", "busy"]


class PendingChecks:
    """A thread-safe TTL map: key -> PendingCheck, bounded in entries and total characters."""

    def __init__(
        self,
        *,
        ttl_seconds: float = 3600.0,
        max_entries: int = 2000,
        max_chars: int = 64_000_000,  # characters and photo bytes together
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._items: Recent[str, PendingCheck] = Recent(
            ttl_seconds=ttl_seconds,
            max_entries=max_entries,
            max_size=max_chars,
            size=lambda entry: entry.size,
            clock=clock,
        )

    def __len__(self) -> int:
        return len(self._items)

    @staticmethod
    def key_for(check_id: int | None) -> str:
        return f"c{check_id}" if check_id is not None else "t" + secrets.token_hex(8)

    def add(
        self,
        request: CheckRequest,
        decision: Decision,
        reply: ReplyTarget,
        check_id: int | None,
        *,
        photo: Photo | None = None,
    ) -> str:
        key = self.key_for(check_id)
        entry = PendingCheck(request, decision, reply, check_id, photo=photo)
        self._items.put(key, entry)
        return key

    def get(self, key: str) -> PendingCheck | None:
        return self._items.get(key)

    def claim(self, key: str) -> tuple[ClaimResult, PendingCheck | None]:
        """Mark the entry as being escalated; only one caller gets "claimed"."""
        with self._items.lock:
            entry = self._items.get(key)
            if entry is None:
                return "missing", None
            if entry.escalation_id is not None:
                return "already", entry
            if entry.escalating:
                return "busy", entry
            entry.escalating = True
            return "claimed", entry

    def finish(self, key: str, escalation_id: int | None) -> None:
        """End a claim: remember the escalation id, or release the claim if it failed."""
        with self._items.lock:
            entry = self._items.get(key)
            if entry is not None:
                entry.escalating = False
                if escalation_id is not None:
                    entry.escalation_id = escalation_id
