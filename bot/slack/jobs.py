"""The work queue behind every listener: listeners ack, then hand the slow part here.

Kept apart from Bolt's own listener executor so a slow model or Slack API call can never
hold up the ack of another request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.slack.claims import job_claim
from bot.slack.logsetup import describe_exception

log = logging.getLogger(__name__)


class Jobs:
    def __init__(
        self,
        max_workers: int = 16,
        *,
        name: str = "canipost-job",
        claim: Callable[[str], bool] | None = None,
    ) -> None:
        """`claim(key)`: True the first time a job of a signed request is claimed, by any
        instance (see bot/slack/claims.py); without it every job runs."""
        self._claim = claim
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=name)
        self._lock = threading.Lock()
        self._in_flight = 0
        self._idle = threading.Condition(self._lock)
        self._closed = False

    def submit(self, label: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        """Run `fn(*args, **kwargs)` in the background; exceptions are logged by type only
        (their messages may quote a draft). False when the queue is shut down. A job of a
        request that was already handled (a replay to another instance) is skipped."""
        claim_key = job_claim(label) if self._claim is not None else None

        def run() -> None:
            try:
                if claim_key and self._claim is not None and not self._claim(claim_key):
                    log.info("job %s skipped: its request was already handled", label)
                    return
                fn(*args, **kwargs)
            except Exception as exc:  # a job must never kill its worker thread
                log.error("job %s failed: %s", label, describe_exception(exc))
            finally:
                with self._lock:
                    self._in_flight -= 1
                    if self._in_flight == 0:
                        self._idle.notify_all()

        with self._lock:
            if self._closed:
                log.warning("job %s dropped: shutting down", label)
                return False
            self._in_flight += 1
        try:
            self._executor.submit(run)
        except RuntimeError:
            with self._lock:
                self._in_flight -= 1
            log.warning("job %s dropped: shutting down", label)
            return False
        return True

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no job is queued or running; False on timeout."""
        with self._lock:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    def shutdown(self, timeout: float | None = 20.0) -> None:
        """Stop taking jobs and let the queued ones finish (up to `timeout` seconds)."""
        with self._lock:
            self._closed = True
        self.wait_idle(timeout)
        self._executor.shutdown(wait=False, cancel_futures=True)
