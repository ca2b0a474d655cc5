"""What every listener needs, passed around as one object."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from bot.config import Settings
from bot.slack.conversation import ThreadDrafts
from bot.slack.incidents import IncidentChannels, Reviewers
from bot.slack.jobs import Jobs
from bot.slack.review import ReviewService
from bot.slack.service import CheckService
from bot.slack.workproc import ProcessJobs


class RecentIds:
    """A bounded set of ids this process has already accepted (e.g. Slack event ids)."""

    def __init__(self, max_size: int = 10_000) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._max = max_size
        self._lock = threading.Lock()

    def add(self, item: str) -> bool:
        """True if `item` is new (and now remembered), False if already seen."""
        with self._lock:
            if item in self._ids:
                self._ids.move_to_end(item)
                return False
            self._ids[item] = None
            if len(self._ids) > self._max:
                self._ids.popitem(last=False)
            return True


@dataclass
class Deps:
    settings: Settings
    service: CheckService
    jobs: Jobs | ProcessJobs
    incidents: IncidentChannels
    reviewers: Reviewers
    review: ReviewService
    seen_events: RecentIds = field(default_factory=RecentIds)
    threads: ThreadDrafts = field(default_factory=ThreadDrafts)
