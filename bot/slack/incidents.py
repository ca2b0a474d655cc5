"""Which channels are incident channels, and who may change that.

INCIDENT_CHANNEL_IDS gives the starting set; `/canipost incident on|off` overrides it in
memory for this process only (not shared between instances or kept across restarts).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

log = logging.getLogger(__name__)


class IncidentChannels:
    def __init__(self, configured: Iterable[str] = ()) -> None:
        self._configured = frozenset(configured)
        self._overrides: dict[str, bool] = {}
        self._lock = threading.Lock()

    def is_incident(self, channel_id: str | None) -> bool:
        if not channel_id:
            return False
        with self._lock:
            override = self._overrides.get(channel_id)
        return override if override is not None else channel_id in self._configured

    def set(self, channel_id: str, on: bool) -> None:
        with self._lock:
            self._overrides[channel_id] = on


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
