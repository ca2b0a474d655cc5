"""A thread-safe map that keeps its entries for a while: oldest out first, bounded in the
number of entries and in their total size (characters, photo bytes). Drafts kept in memory
for a short time (the checks behind "Ask a reviewer", the thread's current draft) live here."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    """key -> value for `ttl_seconds`; `lock` is re-entrant, for callers that read and change
    an entry in one step."""

    def __init__(
        self,
        *,
        ttl_seconds: float,
        max_entries: int,
        max_size: int,
        size: Callable[[V], int],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._max_entries = max_entries
        self._max_size = max_size
        self._size = size
        self._clock = clock
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._total = 0
        self.lock = threading.RLock()

    def __len__(self) -> int:
        with self.lock:
            self._expire()
            return len(self._items)

    def get(self, key: K) -> V | None:
        with self.lock:
            self._expire()
            kept = self._items.get(key)
            return kept[1] if kept else None

    def put(self, key: K, value: V) -> None:
        with self.lock:
            old = self._items.pop(key, None)
            if old:
                self._total -= self._size(old[1])
            self._items[key] = (self._clock(), value)
            self._total += self._size(value)
            self._expire()
            while self._items and (
                len(self._items) > self._max_entries or self._total > self._max_size
            ):
                self._drop_oldest()

    def _expire(self) -> None:
        cutoff = self._clock() - self._ttl
        while self._items and next(iter(self._items.values()))[0] <= cutoff:
            self._drop_oldest()

    def _drop_oldest(self) -> None:
        _, (_, value) = self._items.popitem(last=False)
        self._total -= self._size(value)
