"""A circuit breaker for the model endpoint: after repeated failures, stop calling it.

Closed (normal): every check calls the model. After `failures_to_open` answers in a row
fail for a passing reason (timeout, connection, 5xx, 429), the breaker opens: for
`open_seconds` no check calls the endpoint, each answers locally at once, and the log says
so in one line. Then one check is let through as a trial: success closes the breaker (one
line in the log), failure opens it again for another period, quietly.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

# Failures that say the endpoint is down or overloaded, not that one answer was bad.
TRIPPING_KINDS = frozenset({"timeout", "connection", "server", "rate_limit"})


@dataclass
class CircuitBreaker:
    failures_to_open: int = 3
    open_seconds: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _failures: int = 0
    _open_until: float | None = None  # None: closed
    _trial_since: float | None = None  # a trial call is out (half-open)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._open_until is not None

    def retry_in(self) -> float:
        """Seconds until the next trial call (0 when closed or due)."""
        with self._lock:
            if self._open_until is None:
                return 0.0
            return max(0.0, self._open_until - self.clock())

    def allow(self) -> bool:
        """May this check call the endpoint? While open, only one trial once the period is
        over (and another if that trial never reported back within a period)."""
        with self._lock:
            if self._open_until is None:
                return True
            now = self.clock()
            if now < self._open_until:
                return False
            if self._trial_since is not None and now - self._trial_since < self.open_seconds:
                return False
            self._trial_since = now
            return True

    def success(self) -> None:
        with self._lock:
            was_open = self._open_until is not None
            self._failures = 0
            self._open_until = None
            self._trial_since = None
        if was_open:
            log.info("model endpoint answering again: the model path is back on")

    def failure(self, reason: str) -> None:
        with self._lock:
            self._failures += 1
            trial = self._trial_since is not None
            self._trial_since = None
            if not trial and self._failures < self.failures_to_open:
                return
            first_opening = self._open_until is None
            self._open_until = self.clock() + self.open_seconds
            failures = self._failures
        if first_opening:
            log.warning(
                "model endpoint failing (%s, %d answers in a row): not calling it for %ds at a "
                "time, answering with the local engine until a trial call succeeds",
                reason,
                failures,
                round(self.open_seconds),
            )
        else:
            log.debug("model endpoint trial failed (%s); paused again", reason)
