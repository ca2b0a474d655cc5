"""Housekeeping inside the app: review reminders and the outbox of undelivered answers
every minute, the draft purge daily.

Safe with several instances: the store hands each due reminder to exactly one caller
(`claim_due_reminders`), and a purge that two instances run at once blanks each draft once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient

from bot.slack.logsetup import describe_exception
from bot.slack.outbox import retry_outbox
from bot.slack.review import ReviewService

log = logging.getLogger(__name__)

PURGE_EVERY_SECONDS = 24 * 60 * 60


class Housekeeping:
    def __init__(
        self,
        review: ReviewService,
        client: WebClient,
        *,
        interval_seconds: float = 60.0,
        purge_every_seconds: float = PURGE_EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.review = review
        self.client = client
        self.interval = interval_seconds
        self.purge_every = purge_every_seconds
        self._clock = clock
        self._last_purge: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Housekeeping:
        self._thread = threading.Thread(
            target=self._loop, name="canipost-housekeeping", daemon=True
        )
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def tick(self) -> None:
        """One round: reminders, and the purge when a day has passed since the last one."""
        try:
            self.review.send_reminders(self.client)
        except Exception as exc:  # the loop must survive a database or Slack outage
            log.error("housekeeping: reminders failed: %s", describe_exception(exc))
        try:
            retry_outbox(self.client, self.review.store)
        except Exception as exc:
            log.error("housekeeping: outbox failed: %s", describe_exception(exc))
        now = self._clock()
        if self._last_purge is None or now - self._last_purge >= self.purge_every:
            try:
                days = self.review.settings.retention_days
                self.review.purge(self.client, older_than_days=days)
                self._last_purge = now
            except Exception as exc:
                log.error("housekeeping: purge failed: %s", describe_exception(exc))

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.tick()
            self._stop.wait(self.interval)
