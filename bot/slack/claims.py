"""A replayed command or interaction does its work once, without a database write before
the ack.

The request guard (guard.py) refuses a signed command or interaction this process has
already seen with 409, from memory. A replay sent to another instance is caught where the
work happens instead: the guard names the request in `current_request` while Bolt handles
it, Bolt's listener threads carry that name along (`ContextThreadPool`), the job queue
takes it with every job submitted (`job_claim`), and the worker claims the job in the
store (`claim_in`) before running it. A job whose claim another instance already took is
skipped and logged. Events keep their own claim on the event id, made by their work.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from bot.slack.logsetup import describe_exception

log = logging.getLogger(__name__)

T = TypeVar("T")

# "<timestamp>:<signature>" of the signed request being handled, None outside one
current_request: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "canipost_current_request", default=None
)


class Claims(Protocol):
    def mark_event_seen(self, event_key: str) -> bool: ...


class ContextThreadPool(ThreadPoolExecutor):
    """A thread pool whose tasks run in a copy of the submitter's context (contextvars),
    so a listener run on Bolt's threads still knows which request it serves."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        context = contextvars.copy_context()
        return super().submit(context.run, fn, *args, **kwargs)


def request_name(timestamp: str, signature: str) -> str:
    return f"{timestamp}:{signature[:80]}"


def job_claim(label: str) -> str | None:
    """The store key that job `label` of the current request claims; None outside a signed
    command or interaction (events, Socket Mode, housekeeping)."""
    request = current_request.get()
    return f"request:{request}:{label}" if request else None


def claim_in(store: Claims) -> Callable[[str], bool]:
    """A claim function over `store`: True the first time a key is claimed by any
    instance. A store outage lets the job run (one lost guard beats a lost answer)."""

    def claim(key: str) -> bool:
        try:
            return store.mark_event_seen(key)
        except Exception as exc:
            log.warning("replay check skipped, store unavailable: %s", describe_exception(exc))
            return True

    return claim
