"""The current schema as SQLAlchemy Core tables (used for queries, not for creating tables).

Tables are created and changed only by the numbered migrations in `migrations.py`; a test
checks that a migrated database matches these definitions.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    Table,
    Text,
)
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on both engines.

    PostgreSQL stores `timestamptz`; SQLite stores naive UTC text in one fixed format, so
    string comparison orders correctly. Naive values handed in are taken to be UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("description", Text, nullable=False),
    Column("applied_at", UTCDateTime, nullable=False),
)

checks = Table(
    "checks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("user_id", Text),
    Column("surface", Text, nullable=False),
    Column("channel_id", Text),
    Column("verdict", Text, nullable=False),
    Column("finding_codes", Text, nullable=False),  # JSON list of codes
    Column("policy_version", Text, nullable=False),
    Column("engine", Text, nullable=False),
    Column("latency_ms", Float),
    Column("draft_sha256", Text, nullable=False),
)

escalations = Table(
    "escalations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("status", Text, nullable=False),
    Column("draft_text", Text, nullable=False),
    Column("decision_json", Text, nullable=False),
    Column("requester_id", Text, nullable=False),
    Column("surface", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("reply_channel", Text),
    Column("reply_thread_ts", Text),
    Column("card_channel", Text),
    Column("card_ts", Text),
    Column("reviewer_id", Text),
    Column("note", Text),
    Column("decided_at", UTCDateTime),
    Column("last_reminded_at", UTCDateTime),  # v2
    Column("draft_purged_at", UTCDateTime),  # v2
    Column("requester_note", Text),  # v3: the officer's note to the reviewer, purged with the draft
    Column("asked_in", Text),  # v4: the channel the check was asked in (a card shows it)
)

escalation_events = Table(
    "escalation_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("escalation_id", Integer, ForeignKey("escalations.id"), nullable=False),
    Column("action", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("note", Text),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("user_id", Text, nullable=False),
    Column("check_id", Integer, ForeignKey("checks.id")),
    Column("escalation_id", Integer, ForeignKey("escalations.id")),
    Column("value", Text, nullable=False),
)

channel_modes = Table(  # v3: `/canipost incident on|off`, shared by every instance
    "channel_modes",
    metadata,
    Column("channel_id", Text, primary_key=True),
    Column("incident", Boolean, nullable=False),
    Column("set_by", Text, nullable=False),
    Column("set_at", UTCDateTime, nullable=False),
)

processed_events = Table(
    "processed_events",
    metadata,
    Column("event_key", Text, primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
)

outbox = Table(  # v5: answers Slack did not take, retried (and then given up) from here
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("next_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("lease_until", UTCDateTime),
    Column("user_id", Text),
    Column("destination", Text, nullable=False),  # JSON: where the answer goes
    Column("message", Text, nullable=False),  # JSON: text and blocks (may quote the draft)
    Column("delivery_key", Text, nullable=False),
)
