"""Recent checks kept in memory so "Ask a reviewer" can escalate them.

Button values carry only a key; the draft stays on this server. Entries live for an hour
(by default) and the map is bounded in entries and characters. It is per process: a click
that lands on another instance, or after a restart, finds nothing and the officer is asked
to run the check again. The draft is written to the store only when the officer escalates.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot.core.models import CheckRequest, Decision
from bot.slack.files import Photo


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
    created: float
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
        self._ttl = ttl_seconds
        self._max_entries = max_entries
        self._max_chars = max_chars
        self._clock = clock
        self._items: OrderedDict[str, PendingCheck] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._expire()
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
        entry = PendingCheck(request, decision, reply, check_id, created=self._clock(), photo=photo)
        with self._lock:
            old = self._items.pop(key, None)
            if old:
                self._chars -= old.size
            self._items[key] = entry
            self._chars += entry.size
            self._expire()
            while self._items and (
                len(self._items) > self._max_entries or self._chars > self._max_chars
            ):
                self._drop_oldest()
        return key

    def get(self, key: str) -> PendingCheck | None:
        with self._lock:
            self._expire()
            return self._items.get(key)

    def claim(self, key: str) -> tuple[ClaimResult, PendingCheck | None]:
        """Mark the entry as being escalated; only one caller gets "claimed"."""
        with self._lock:
            self._expire()
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
        with self._lock:
            entry = self._items.get(key)
            if entry is not None:
                entry.escalating = False
                if escalation_id is not None:
                    entry.escalation_id = escalation_id

    def _expire(self) -> None:
        cutoff = self._clock() - self._ttl
        while self._items:
            first = next(iter(self._items.values()))
            if first.created > cutoff:
                break
            self._drop_oldest()

    def _drop_oldest(self) -> None:
        _, entry = self._items.popitem(last=False)
        self._chars -= entry.size
