"""What the store hands back: escalations, decide results, checks and audit events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from bot.core.models import Decision

EscalationStatus = Literal["pending", "approved", "changes_requested", "rejected", "withdrawn"]
STATUSES: tuple[EscalationStatus, ...] = (
    "pending",
    "approved",
    "changes_requested",
    "rejected",
    "withdrawn",
)

Outcome = Literal["approved", "changes_requested", "rejected"]
OUTCOMES: tuple[Outcome, ...] = ("approved", "changes_requested", "rejected")

MAX_NOTE_CHARS = 2_000  # a reviewer's note, in Slack and from the command line

FeedbackValue = Literal["up", "down"]
FEEDBACK_VALUES: tuple[FeedbackValue, ...] = ("up", "down")

# Why decide() or withdraw() did not apply:
#   not_found        no escalation with that id
#   self_review      the reviewer is the requester
#   not_requester    withdraw by someone other than the requester
#   already_decided  someone else already closed it (see escalation.reviewer_id / status)
#   duplicate        this same person already closed it (a double click)
#   withdrawn        the requester withdrew it before a decision
DecideReason = Literal[
    "not_found", "self_review", "not_requester", "already_decided", "duplicate", "withdrawn"
]


@dataclass(frozen=True)
class Escalation:
    """One case handed to a human reviewer. `draft_text` is '' once purged."""

    id: int
    created_at: datetime
    updated_at: datetime
    status: EscalationStatus
    draft_text: str = field(repr=False)  # sensitive: kept out of repr() and so out of logs
    decision: Decision = field(repr=False)
    requester_id: str
    surface: str
    reason: str
    reply_channel: str | None = None
    reply_thread_ts: str | None = None
    card_channel: str | None = None
    card_ts: str | None = None
    reviewer_id: str | None = None
    note: str | None = None
    decided_at: datetime | None = None
    last_reminded_at: datetime | None = None
    draft_purged_at: datetime | None = None
    requester_note: str | None = field(default=None, repr=False)  # sensitive, like the draft
    asked_in: str | None = None  # the channel where the officer asked (None: unknown)

    @property
    def is_pending(self) -> bool:
        return self.status == "pending"

    @property
    def is_purged(self) -> bool:
        return self.draft_purged_at is not None

    @property
    def last_announced_at(self) -> datetime:
        """When reviewers last heard about this case (creation or the latest reminder)."""
        return self.last_reminded_at or self.created_at


@dataclass(frozen=True)
class DecideResult:
    """The outcome of decide()/withdraw(): whether this call applied, and the case as it is now."""

    applied: bool
    escalation: Escalation | None
    reason: DecideReason | None = None

    @property
    def decided_by(self) -> str | None:
        """Who closed the case (reviewer, or the requester for a withdrawal), if anyone."""
        esc = self.escalation
        if esc is None or esc.is_pending:
            return None
        return esc.requester_id if esc.status == "withdrawn" else esc.reviewer_id


@dataclass(frozen=True)
class CheckRecord:
    """Metadata of one check; the draft itself is only present as its SHA-256."""

    id: int
    created_at: datetime
    user_id: str | None
    surface: str
    channel_id: str | None
    verdict: str
    finding_codes: tuple[str, ...]
    policy_version: str
    engine: str
    latency_ms: float | None
    draft_sha256: str


@dataclass(frozen=True)
class EscalationEvent:
    """One line of an escalation's audit trail."""

    id: int
    escalation_id: int
    action: str
    actor: str
    at: datetime
    note: str | None = None


@dataclass(frozen=True)
class FeedbackResult:
    """What a thumbs up/down did: `saved` (first vote), `changed` (replaced this person's
    earlier vote) or `not_owner` (someone else's check: nothing stored)."""

    id: int | None
    status: Literal["saved", "changed", "not_owner"]


@dataclass(frozen=True)
class OutboxItem:
    """An answer waiting in the outbox: `destination` and `message` as JSON-ready dicts,
    `attempts` the failed deliveries so far (the first one, when it was queued, included)."""

    id: int
    created_at: datetime
    attempts: int
    user_id: str | None
    destination: dict[str, Any]
    message: dict[str, Any]
    delivery_key: str
