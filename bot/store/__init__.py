"""Persistence: checks, escalations and their audit trail, feedback, Slack event ids.

SQLite by default (WAL, busy timeout), PostgreSQL by URL; one schema, migrated forward at
open. No Slack imports here.
"""

from bot.store.audit import AUDIT_FIELDS, write_audit, write_audit_csv, write_audit_json
from bot.store.errors import StoreError
from bot.store.migrations import LATEST_VERSION
from bot.store.records import (
    OUTCOMES,
    STATUSES,
    CheckRecord,
    DecideReason,
    DecideResult,
    Escalation,
    EscalationEvent,
    EscalationStatus,
    FeedbackResult,
    FeedbackValue,
    Outcome,
)
from bot.store.store import Store, draft_sha256, open_store

__all__ = [
    "AUDIT_FIELDS",
    "LATEST_VERSION",
    "OUTCOMES",
    "STATUSES",
    "CheckRecord",
    "DecideReason",
    "DecideResult",
    "Escalation",
    "EscalationEvent",
    "EscalationStatus",
    "FeedbackResult",
    "FeedbackValue",
    "Outcome",
    "Store",
    "StoreError",
    "draft_sha256",
    "open_store",
    "write_audit",
    "write_audit_csv",
    "write_audit_json",
]
