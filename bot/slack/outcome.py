"""What a check produced, as the listeners and block builders see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.core.models import CheckRequest, Citation, Decision
from bot.core.photo import PhotoReading

EscalationStatus = Literal[
    "sent", "unannounced", "failed", "expired", "already", "not_requester", "in_progress"
]


@dataclass(frozen=True)
class EscalationNotice:
    """What happened when a check was handed to a reviewer, for the officer.

    sent: stored and posted to the review channel. unannounced: stored, but the card could
    not be posted. failed: not stored. expired: the draft is no longer in memory.
    already / in_progress: a click on a check that is (being) escalated. not_requester:
    someone else clicked.
    """

    status: EscalationStatus
    escalation_id: int | None = None
    reply_by_dm: bool = False  # the reviewer's answer arrives by DM rather than here
    automatic: bool = False

    @property
    def escalated(self) -> bool:
        return self.status in ("sent", "unannounced", "already", "in_progress")


@dataclass(frozen=True)
class PolicyAnswer:
    """The answer to a question about the policy: the passages that answer it. Not a
    verdict: nothing here says a post is OK."""

    citations: tuple[Citation, ...]
    policy_version: str


@dataclass(frozen=True)
class CheckOutcome:
    """One check's result. Exactly one of `decision`, `answer`, `input_error` and `failed`
    applies (`answer` when the message was a question about the policy).

    `ref` is the key of the in-memory pending entry ("Ask a reviewer" carries it);
    `check_id` the stored check (feedback buttons carry it).
    `technical`: the asker is an admin (a configured reviewer), who also sees the policy
    hash, engine, confidence and the engine's notes.
    """

    request: CheckRequest
    decision: Decision | None = None
    check_id: int | None = None
    ref: str | None = None
    escalation: EscalationNotice | None = None
    input_error: str | None = None
    failed: bool = False
    answer: PolicyAnswer | None = None
    technical: bool = False  # the asker is an admin: show policy hash, engine, confidence
    photo: PhotoReading | None = None  # what the attached photo revealed, when there was one
