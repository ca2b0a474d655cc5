"""Which channels are incident channels, and who may change that.

INCIDENT_CHANNEL_IDS gives the starting set; `/canipost incident on|off` overrides it for
every instance through the store (channel_modes), read back with a short cache.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.slack.logsetup import describe_exception
from bot.store import Store, StoreError

log = logging.getLogger(__name__)


class IncidentChannels:
    def __init__(
        self,
        configured: Iterable[str] = (),
        store: Store | None = None,
        *,
        cache_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._configured = frozenset(configured)
        self._store = store
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._overrides: dict[str, bool] = {}
        self._loaded_at: float | None = None
        self._lock = threading.Lock()

    def is_incident(self, channel_id: str | None) -> bool:
        if not channel_id:
            return False
        override = self._current().get(channel_id)
        return override if override is not None else channel_id in self._configured

    def set(self, channel_id: str, on: bool, *, set_by: str) -> None:
        """Raises StoreError when the change could not be saved (nothing changed then)."""
        if self._store is not None:
            self._store.set_incident_channel(channel_id, incident=on, set_by=set_by)
        with self._lock:
            self._overrides[channel_id] = on

    def _current(self) -> dict[str, bool]:
        with self._lock:
            fresh = self._loaded_at is not None and (
                self._clock() - self._loaded_at < self._cache_seconds
            )
            if fresh or self._store is None:
                return dict(self._overrides)
        try:
            overrides = self._store.incident_channels()
        except StoreError as exc:  # keep the last known state rather than guess
            log.warning("incident channels: store unavailable: %s", describe_exception(exc))
            with self._lock:
                return dict(self._overrides)
        with self._lock:
            self._overrides, self._loaded_at = overrides, self._clock()
        return dict(overrides)


class Reviewers:
    """REVIEWER_IDS, plus the members of REVIEWER_GROUP_ID (cached for a few minutes)."""

    def __init__(
        self,
        reviewer_ids: Iterable[str] = (),
        group_id: str | None = None,
        *,
        cache_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ids = frozenset(reviewer_ids)
        self._group_id = group_id
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._members: frozenset[str] = frozenset()
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    def is_reviewer(self, user_id: str | None, client: WebClient | None = None) -> bool:
        if not user_id:
            return False
        if user_id in self._ids:
            return True
        if not self._group_id or client is None:
            return False
        return user_id in self._group_members(client)

    def _group_members(self, client: WebClient) -> frozenset[str]:
        with self._lock:
            fresh = (
                self._fetched_at is not None
                and self._clock() - self._fetched_at < self._cache_seconds
            )
            if fresh:
                return self._members
        try:
            response = client.usergroups_users_list(usergroup=self._group_id)
            members = frozenset(response.get("users") or [])
        except (SlackApiError, SlackClientError, OSError) as exc:
            log.warning("reviewers: cannot list the reviewer group (%s)", type(exc).__name__)
            return self._members
        with self._lock:
            self._members, self._fetched_at = members, self._clock()
        return members
