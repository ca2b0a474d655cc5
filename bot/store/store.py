"""The Store: every read and write the bot makes, on SQLite or PostgreSQL."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import IO, TYPE_CHECKING, Any, Literal, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from bot.core.models import Decision
from bot.store import audit as audit_io
from bot.store.engine import (
    WRITE_OPTION,
    create_store_engine,
    describe_url,
    error_reason,
    is_memory_sqlite,
    is_transient,
    normalize_url,
    with_schema,
)
from bot.store.errors import StoreError
from bot.store.migrations import current_version, migrate
from bot.store.records import (
    FEEDBACK_VALUES,
    OUTCOMES,
    STATUSES,
    CheckRecord,
    DecideResult,
    Escalation,
    EscalationEvent,
    FeedbackResult,
    OutboxItem,
    Outcome,
)
from bot.store.schema import (
    channel_modes,
    checks,
    escalation_events,
    escalations,
    feedback,
    outbox,
    processed_events,
)

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")

SYSTEM_ACTOR = "system"
PROCESSED_EVENT_TTL = timedelta(days=1)
PURGED_SUMMARY = "(summary deleted with the draft)"
RETRY_DELAYS: tuple[float, ...] = (0.05, 0.1, 0.2, 0.4)


def utcnow() -> datetime:
    return datetime.now(UTC)


def draft_sha256(draft_text: str) -> str:
    return hashlib.sha256(draft_text.encode("utf-8")).hexdigest()


def scrub_decision_json(decision_json: str) -> str:
    """A stored decision without the text derived from the draft (see Store.purge_cases)."""
    data = json.loads(decision_json)
    data["summary"] = PURGED_SUMMARY
    data["notes"] = []
    data["rewrite"] = None
    for finding in data.get("findings") or []:
        if isinstance(finding, dict):
            finding["span"] = None
    return json.dumps(data, ensure_ascii=False)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Store:
    """Persistence for checks, escalations, their audit trail, feedback and Slack event ids.

    Thread-safe: share one instance per process. Several processes (or hosts, on
    PostgreSQL) may use the same database; every state change that must happen once is a
    single conditional statement, so concurrent callers cannot both apply it.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        description: str = "",
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._engine = engine
        self._description = description or describe_url(engine.url)
        self._clock = clock
        self._sqlite = engine.dialect.name == "sqlite"
        # A :memory: SQLite database is one shared connection: serialise access to it.
        self._lock: contextlib.AbstractContextManager[Any] = (
            threading.RLock() if is_memory_sqlite(engine.url) else contextlib.nullcontext()
        )
        # SQLite takes one writer at a time, and a writer that finds the file locked waits
        # in sqlite's busy-handler sleeps (1, 2, 5 ... 100 ms). Writers of this process
        # queue on a lock instead, handed over at once: under a burst of slash commands
        # (each writes its replay-guard row before the ack) no ack sleeps behind the others.
        self._write_lock: contextlib.AbstractContextManager[Any] = (
            threading.Lock() if self._sqlite else contextlib.nullcontext()
        )

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        url: str,
        *,
        schema: str | None = None,
        connect_timeout: float = 5.0,
        clock: Callable[[], datetime] | None = None,
    ) -> Store:
        """Connect, create or migrate the schema, and return a ready Store.

        `url`: sqlite:///path.db (parent folder created), sqlite:// (in memory, tests only),
        or postgresql[+psycopg]:// / postgres:// (libpq `options`, e.g.
        `?options=-csearch_path%3Dmyschema`, are passed through). `schema` (PostgreSQL only)
        selects, and creates if needed, the schema the tables live in.
        Raises StoreError (one line) when the database is down, locked or unreachable.
        """
        parsed = normalize_url(url)
        if schema:
            if parsed.get_backend_name() != "postgresql":
                raise StoreError("a database schema can only be chosen for PostgreSQL")
            parsed = with_schema(parsed, schema)
        description = describe_url(parsed)
        kind = "PostgreSQL" if parsed.get_backend_name() == "postgresql" else "SQLite"
        try:
            engine = create_store_engine(parsed, connect_timeout=connect_timeout)
        except OSError as exc:  # e.g. the SQLite folder cannot be created
            raise StoreError(
                f"cannot open the {kind} database {description}: {exc.strerror or exc}"
            ) from exc
        store = cls(engine, description=description, clock=clock or utcnow)
        try:
            with store._lock, engine.connect() as conn:
                conn.execution_options(**{WRITE_OPTION: True})
                with conn.begin():
                    applied = migrate(conn, schema=schema)
        except StoreError:
            engine.dispose()
            raise
        except (SQLAlchemyError, OSError) as exc:
            engine.dispose()
            raise StoreError(
                f"cannot open the {kind} database {description}: {error_reason(exc)}"
            ) from exc
        if applied:
            log.info("store: migrated the %s database to schema v%d", kind, applied[-1])
        return store

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        return cls.open(settings.effective_database_url)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    def __repr__(self) -> str:
        return f"Store({self._description})"

    def schema_version(self) -> int:
        return self._run("schema_version", current_version, write=False)

    def now(self) -> datetime:
        return _aware(self._clock())

    # ------------------------------------------------------------------ plumbing

    def _run(self, op: str, fn: Callable[[Connection], T], *, write: bool = True) -> T:
        """Run `fn` in one transaction, retrying transient lock/connection errors briefly."""
        for attempt in range(len(RETRY_DELAYS) + 1):
            try:
                with (
                    self._write_lock if write else contextlib.nullcontext(),
                    self._lock,
                    self._engine.connect() as conn,
                ):
                    if write and self._sqlite:
                        conn.execution_options(**{WRITE_OPTION: True})
                    with conn.begin():
                        return fn(conn)
            except IntegrityError as exc:
                raise StoreError(f"the database refused {op}: {error_reason(exc)}") from exc
            except DBAPIError as exc:
                if attempt < len(RETRY_DELAYS) and is_transient(exc):
                    delay = RETRY_DELAYS[attempt] * (1 + random.random() / 2)
                    log.warning(
                        "store: %s failed (%s), retrying in %.2fs", op, error_reason(exc), delay
                    )
                    time.sleep(delay)
                    continue
                raise StoreError(
                    f"database error during {op} ({self._description}): {error_reason(exc)}"
                ) from exc
            except SQLAlchemyError as exc:
                raise StoreError(
                    f"database error during {op} ({self._description}): {error_reason(exc)}"
                ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _escalation(row: Row[Any]) -> Escalation:
        m = row._mapping
        return Escalation(
            id=int(m["id"]),
            created_at=m["created_at"],
            updated_at=m["updated_at"],
            status=m["status"],
            draft_text=m["draft_text"],
            decision=Decision.from_dict(json.loads(m["decision_json"])),
            requester_id=m["requester_id"],
            surface=m["surface"],
            reason=m["reason"],
            reply_channel=m["reply_channel"],
            reply_thread_ts=m["reply_thread_ts"],
            card_channel=m["card_channel"],
            card_ts=m["card_ts"],
            reviewer_id=m["reviewer_id"],
            note=m["note"],
            decided_at=m["decided_at"],
            last_reminded_at=m["last_reminded_at"],
            draft_purged_at=m["draft_purged_at"],
            requester_note=m["requester_note"],
            asked_in=m["asked_in"],
        )

    def _fetch(self, conn: Connection, escalation_id: int) -> Escalation | None:
        row = conn.execute(select(escalations).where(escalations.c.id == escalation_id)).first()
        return self._escalation(row) if row else None

    @staticmethod
    def _event(
        conn: Connection,
        escalation_id: int,
        action: str,
        actor: str,
        at: datetime,
        note: str | None,
    ) -> None:
        conn.execute(
            insert(escalation_events).values(
                escalation_id=escalation_id, action=action, actor=actor, at=at, note=note
            )
        )

    # ------------------------------------------------------------------ checks

    def record_check(
        self,
        *,
        user_id: str | None,
        surface: str,
        channel_id: str | None,
        decision: Decision,
        draft_text: str,
    ) -> int:
        """Store the metadata of one check and the SHA-256 of the draft (never the draft)."""
        values = {
            "created_at": self.now(),
            "user_id": user_id,
            "surface": surface,
            "channel_id": channel_id,
            "verdict": decision.verdict,
            "finding_codes": json.dumps(decision.finding_codes),
            "policy_version": decision.policy_version,
            "engine": decision.engine,
            "latency_ms": float(decision.latency_ms),
            "draft_sha256": draft_sha256(draft_text),
        }

        def op(conn: Connection) -> int:
            return int(conn.execute(insert(checks).values(**values)).inserted_primary_key[0])

        return self._run("record_check", op)

    def recent_checks(self, user_id: str, limit: int = 10) -> list[CheckRecord]:
        """The user's latest checks, newest first."""
        query = (
            select(checks)
            .where(checks.c.user_id == user_id)
            .order_by(checks.c.created_at.desc(), checks.c.id.desc())
            .limit(max(0, limit))
        )

        def op(conn: Connection) -> list[CheckRecord]:
            return [
                CheckRecord(
                    id=int(r.id),
                    created_at=r.created_at,
                    user_id=r.user_id,
                    surface=r.surface,
                    channel_id=r.channel_id,
                    verdict=r.verdict,
                    finding_codes=tuple(json.loads(r.finding_codes or "[]")),
                    policy_version=r.policy_version,
                    engine=r.engine,
                    latency_ms=r.latency_ms,
                    draft_sha256=r.draft_sha256,
                )
                for r in conn.execute(query)
            ]

        return self._run("recent_checks", op, write=False)

    # ------------------------------------------------------------------ escalations

    def create_escalation(
        self,
        *,
        draft_text: str,
        decision: Decision,
        requester_id: str,
        surface: str,
        reason: str,
        reply_channel: str | None,
        reply_thread_ts: str | None,
        requester_note: str | None = None,
        asked_in: str | None = None,
    ) -> Escalation:
        """Open a pending case for the reviewers; records a `created` event. `asked_in` is
        the channel the officer asked in, shown on the card."""
        if not requester_id:
            raise ValueError("requester_id is required")
        now = self.now()
        values: dict[str, Any] = {
            "created_at": now,
            "updated_at": now,
            "status": "pending",
            "draft_text": draft_text,
            "decision_json": decision.to_json(),
            "requester_id": requester_id,
            "surface": surface,
            "reason": reason or "",
            "reply_channel": reply_channel,
            "reply_thread_ts": reply_thread_ts,
            "requester_note": requester_note or None,
            "asked_in": asked_in or None,
        }

        def op(conn: Connection) -> int:
            new_id = int(conn.execute(insert(escalations).values(**values)).inserted_primary_key[0])
            self._event(conn, new_id, "created", requester_id, now, reason or None)
            return new_id

        new_id = self._run("create_escalation", op)
        return Escalation(
            id=new_id,
            created_at=now,
            updated_at=now,
            status="pending",
            draft_text=draft_text,
            decision=decision,
            requester_id=requester_id,
            surface=surface,
            reason=reason or "",
            reply_channel=reply_channel,
            reply_thread_ts=reply_thread_ts,
            requester_note=requester_note or None,
            asked_in=asked_in or None,
        )

    def set_card(self, escalation_id: int, channel: str, ts: str) -> bool:
        """Remember where the review card was posted; False if there is no such escalation."""

        def op(conn: Connection) -> bool:
            result = conn.execute(
                update(escalations)
                .where(escalations.c.id == escalation_id)
                .values(card_channel=channel, card_ts=ts, updated_at=self.now())
            )
            return result.rowcount == 1

        return self._run("set_card", op)

    def get_escalation(self, escalation_id: int) -> Escalation | None:
        return self._run(
            "get_escalation", lambda conn: self._fetch(conn, escalation_id), write=False
        )

    def decide(
        self,
        escalation_id: int,
        *,
        reviewer_id: str,
        outcome: Outcome,
        note: str | None = None,
    ) -> DecideResult:
        """Record a reviewer's decision exactly once.

        One conditional UPDATE (status still pending, reviewer is not the requester) does the
        transition, so of several simultaneous clicks exactly one applies; the others get
        applied=False and the escalation as decided. Reviewer permission is the caller's job.
        """
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, got {outcome!r}")
        if not reviewer_id:
            raise ValueError("reviewer_id is required")
        note = (note or "").strip() or None

        def op(conn: Connection) -> DecideResult:
            now = self.now()
            result = conn.execute(
                update(escalations)
                .where(
                    escalations.c.id == escalation_id,
                    escalations.c.status == "pending",
                    escalations.c.requester_id != reviewer_id,
                )
                .values(
                    status=outcome,
                    reviewer_id=reviewer_id,
                    note=note,
                    decided_at=now,
                    updated_at=now,
                )
                .returning(*escalations.c)
            ).first()
            if result is not None:  # this call made the transition
                self._event(conn, escalation_id, outcome, reviewer_id, now, note)
                return DecideResult(True, self._escalation(result))
            current = self._fetch(conn, escalation_id)
            if current is None:
                return DecideResult(False, None, "not_found")
            if current.status == "withdrawn":
                return DecideResult(False, current, "withdrawn")
            if not current.is_pending:
                same = current.reviewer_id == reviewer_id
                return DecideResult(False, current, "duplicate" if same else "already_decided")
            return DecideResult(False, current, "self_review")

        return self._run("decide", op)

    def withdraw(self, escalation_id: int, *, requester_id: str) -> DecideResult:
        """The requester takes back a pending case. Nobody else can, and only while pending."""

        def op(conn: Connection) -> DecideResult:
            now = self.now()
            result = conn.execute(
                update(escalations)
                .where(
                    escalations.c.id == escalation_id,
                    escalations.c.status == "pending",
                    escalations.c.requester_id == requester_id,
                )
                .values(status="withdrawn", decided_at=now, updated_at=now)
                .returning(*escalations.c)
            ).first()
            if result is not None:
                self._event(conn, escalation_id, "withdrawn", requester_id, now, None)
                return DecideResult(True, self._escalation(result))
            current = self._fetch(conn, escalation_id)
            if current is None:
                return DecideResult(False, None, "not_found")
            if current.requester_id != requester_id:
                return DecideResult(False, current, "not_requester")
            if current.status == "withdrawn":
                return DecideResult(False, current, "duplicate")
            return DecideResult(False, current, "already_decided")

        return self._run("withdraw", op)

    def list_escalations(
        self,
        *,
        status: str | Sequence[str] | None = None,
        requester_id: str | None = None,
        limit: int = 50,
        oldest_first: bool = True,
    ) -> list[Escalation]:
        """Escalations filtered by status (one or several) and/or requester."""
        query = select(escalations)
        if status is not None:
            wanted = [status] if isinstance(status, str) else list(status)
            unknown = [s for s in wanted if s not in STATUSES]
            if unknown:
                raise ValueError(f"unknown status {unknown[0]!r}; use one of {', '.join(STATUSES)}")
            query = query.where(escalations.c.status.in_(wanted))
        if requester_id is not None:
            query = query.where(escalations.c.requester_id == requester_id)
        if oldest_first:
            query = query.order_by(escalations.c.created_at.asc(), escalations.c.id.asc())
        else:
            query = query.order_by(escalations.c.created_at.desc(), escalations.c.id.desc())
        query = query.limit(max(0, limit))

        def op(conn: Connection) -> list[Escalation]:
            return [self._escalation(row) for row in conn.execute(query)]

        return self._run("list_escalations", op, write=False)

    def count_escalations(self, *, status: str | None = None) -> int:
        """How many escalations there are (with `status`, when given)."""
        if status is not None and status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
        query = select(func.count()).select_from(escalations)
        if status is not None:
            query = query.where(escalations.c.status == status)
        return self._run(
            "count_escalations", lambda conn: int(conn.scalar(query) or 0), write=False
        )

    def events(self, escalation_id: int) -> list[EscalationEvent]:
        """The audit trail of one escalation, oldest first."""
        query = (
            select(escalation_events)
            .where(escalation_events.c.escalation_id == escalation_id)
            .order_by(escalation_events.c.at, escalation_events.c.id)
        )

        def op(conn: Connection) -> list[EscalationEvent]:
            return [
                EscalationEvent(
                    id=int(r.id),
                    escalation_id=int(r.escalation_id),
                    action=r.action,
                    actor=r.actor,
                    at=r.at,
                    note=r.note,
                )
                for r in conn.execute(query)
            ]

        return self._run("events", op, write=False)

    def claim_due_reminders(
        self,
        *,
        older_than: timedelta,
        now: datetime | None = None,
        limit: int = 100,
    ) -> list[Escalation]:
        """Claim pending cases last announced at least `older_than` ago, oldest first.

        Claiming stamps `last_reminded_at` in the same conditional UPDATE that selects the
        cases, so with several instances polling, each due case goes to exactly one of them.
        """
        at = _aware(now) if now is not None else self.now()
        cutoff = at - older_than
        announced = func.coalesce(escalations.c.last_reminded_at, escalations.c.created_at)
        due = and_(escalations.c.status == "pending", announced <= cutoff)
        candidates = (
            select(escalations.c.id)
            .where(due)
            .order_by(escalations.c.created_at, escalations.c.id)
            .limit(max(0, limit))
        )

        def op(conn: Connection) -> list[Escalation]:
            claimed = conn.execute(
                update(escalations)
                .where(due, escalations.c.id.in_(candidates.scalar_subquery()))
                .values(last_reminded_at=at, updated_at=at)
                .returning(escalations.c.id)
            )
            ids = sorted(int(i) for i in claimed.scalars())
            if not ids:
                return []
            conn.execute(
                insert(escalation_events),
                [
                    {"escalation_id": i, "action": "reminded", "actor": SYSTEM_ACTOR, "at": at}
                    for i in ids
                ],
            )
            rows = conn.execute(
                select(escalations)
                .where(escalations.c.id.in_(ids))
                .order_by(escalations.c.created_at, escalations.c.id)
            )
            return [self._escalation(row) for row in rows]

        return self._run("claim_due_reminders", op)

    # ------------------------------------------------------------------ feedback & events

    def record_feedback(
        self,
        *,
        user_id: str,
        value: str,
        check_id: int | None = None,
        escalation_id: int | None = None,
    ) -> FeedbackResult:
        """A thumbs up/down on a check or an escalation. One person has one vote: a second
        click replaces the first. On a check, only the person who asked may vote."""
        if value not in FEEDBACK_VALUES:
            raise ValueError(f"feedback value must be 'up' or 'down', got {value!r}")
        if check_id is None and escalation_id is None:
            raise ValueError("feedback needs a check_id or an escalation_id")
        values = {
            "created_at": self.now(),
            "user_id": user_id,
            "value": value,
            "check_id": check_id,
            "escalation_id": escalation_id,
        }
        target = (
            feedback.c.check_id == check_id
            if check_id is not None
            else feedback.c.escalation_id == escalation_id
        )

        def op(conn: Connection) -> FeedbackResult:
            if check_id is not None:
                owner = conn.execute(select(checks.c.user_id).where(checks.c.id == check_id))
                asker = owner.scalar()
                if asker and asker != user_id:
                    return FeedbackResult(None, "not_owner")
            replaced = conn.execute(delete(feedback).where(target, feedback.c.user_id == user_id))
            row = conn.execute(insert(feedback).values(**values)).inserted_primary_key
            return FeedbackResult(int(row[0]), "changed" if replaced.rowcount else "saved")

        return self._run("record_feedback", op)

    def mark_event_seen(self, event_key: str) -> bool:
        """True the first time `event_key` is seen by any instance, False for repeats."""
        if not event_key:
            raise ValueError("event_key is required")
        dialect_insert = sqlite_insert if self._sqlite else pg_insert
        statement = (
            dialect_insert(processed_events)
            .values(event_key=event_key, created_at=self.now())
            .on_conflict_do_nothing(index_elements=["event_key"])
            .returning(processed_events.c.event_key)
        )

        def op(conn: Connection) -> bool:
            # RETURNING yields the row only when this call inserted it.
            return conn.execute(statement).first() is not None

        return self._run("mark_event_seen", op)

    # ------------------------------------------------------------------ channel modes

    def set_incident_channel(self, channel_id: str, *, incident: bool, set_by: str) -> None:
        """Mark (or unmark) a channel as an incident channel for every instance."""
        if not channel_id or not set_by:
            raise ValueError("channel_id and set_by are required")
        dialect_insert = sqlite_insert if self._sqlite else pg_insert
        values = {"channel_id": channel_id, "incident": incident, "set_by": set_by}
        at = self.now()
        statement = dialect_insert(channel_modes).values(**values, set_at=at)
        statement = statement.on_conflict_do_update(
            index_elements=["channel_id"],
            set_={"incident": incident, "set_by": set_by, "set_at": at},
        )
        self._run("set_incident_channel", lambda conn: conn.execute(statement))

    def incident_channels(self) -> dict[str, bool]:
        """Every channel whose incident mode a reviewer set: channel id -> on/off."""

        def op(conn: Connection) -> dict[str, bool]:
            rows = conn.execute(select(channel_modes.c.channel_id, channel_modes.c.incident))
            return {str(r.channel_id): bool(r.incident) for r in rows}

        return self._run("incident_channels", op, write=False)

    # ------------------------------------------------------------------ outbox

    def add_to_outbox(
        self,
        *,
        destination: dict[str, Any],
        message: dict[str, Any],
        delivery_key: str,
        user_id: str | None,
        retry_at: datetime,
        attempts: int = 1,
    ) -> int:
        """Keep an answer Slack did not take, to be sent again from `retry_at`."""
        values = {
            "created_at": self.now(),
            "next_at": _aware(retry_at),
            "attempts": attempts,
            "lease_until": None,
            "user_id": user_id,
            "destination": json.dumps(destination, ensure_ascii=False),
            "message": json.dumps(message, ensure_ascii=False),
            "delivery_key": delivery_key,
        }

        def op(conn: Connection) -> int:
            return int(conn.execute(insert(outbox).values(**values)).inserted_primary_key[0])

        return self._run("add_to_outbox", op)

    def claim_outbox(
        self,
        *,
        now: datetime | None = None,
        lease: timedelta = timedelta(minutes=2),
        limit: int = 20,
    ) -> list[OutboxItem]:
        """The answers due for another attempt, each handed to one caller only (for
        `lease`, after which another instance may take it, e.g. if this one died)."""
        at = _aware(now) if now is not None else self.now()
        due = and_(
            outbox.c.next_at <= at,
            (outbox.c.lease_until.is_(None)) | (outbox.c.lease_until < at),
        )

        def op(conn: Connection) -> list[OutboxItem]:
            ids = conn.scalars(select(outbox.c.id).where(due).order_by(outbox.c.id).limit(limit))
            claimed: list[OutboxItem] = []
            for item_id in list(ids):
                row = conn.execute(
                    update(outbox)
                    .where(outbox.c.id == item_id, due)
                    .values(lease_until=at + lease)
                    .returning(*outbox.c)
                ).first()
                if row is not None:
                    claimed.append(
                        OutboxItem(
                            id=int(row.id),
                            created_at=row.created_at,
                            attempts=int(row.attempts),
                            user_id=row.user_id,
                            destination=json.loads(row.destination),
                            message=json.loads(row.message),
                            delivery_key=str(row.delivery_key),
                        )
                    )
            return claimed

        return self._run("claim_outbox", op)

    def outbox_retry_later(self, item_id: int, *, attempts: int, retry_at: datetime) -> None:
        def op(conn: Connection) -> None:
            conn.execute(
                update(outbox)
                .where(outbox.c.id == item_id)
                .values(attempts=attempts, next_at=_aware(retry_at), lease_until=None)
            )

        self._run("outbox_retry_later", op)

    def remove_from_outbox(self, item_id: int) -> None:
        """Delivered, or given up (the officer was told): the answer leaves the database."""

        def op(conn: Connection) -> None:
            conn.execute(delete(outbox).where(outbox.c.id == item_id))

        self._run("remove_from_outbox", op)

    def outbox_size(self) -> int:
        def op(conn: Connection) -> int:
            return int(conn.scalar(select(func.count()).select_from(outbox)) or 0)

        return self._run("outbox_size", op, write=False)

    # ------------------------------------------------------------------ retention & audit

    def purge(self, *, older_than_days: int, now: datetime | None = None) -> int:
        """Blank the drafts of escalations created before the cut-off; returns how many.
        `older_than_days=0` purges every draft there is. See `purge_cases`."""
        return len(self.purge_cases(older_than_days=older_than_days, now=now))

    def purge_cases(self, *, older_than_days: int, now: datetime | None = None) -> list[Escalation]:
        """Blank the drafts of escalations created before the cut-off; returns those cases
        as they are now (so a caller can update their review cards).

        Also clears what was derived from the draft: the officer's note, and in the stored
        decision the summary, the notes (the model's reasons), any rewrite and the findings'
        spans (offsets into the draft). The verdict, finding codes, citations, the audit
        trail and the metadata stay. Records a `draft_purged` event per case and deletes
        processed Slack event ids older than a day, and undelivered answers in the outbox
        from before the cut-off (they may quote a draft). On SQLite the freed bytes are zeroed
        (`secure_delete`) and the write-ahead log is truncated, so the file keeps no copy.
        """
        if older_than_days < 0:
            raise ValueError("older_than_days must be 0 or more")
        at = _aware(now) if now is not None else self.now()
        cutoff = at - timedelta(days=older_than_days) if older_than_days else at

        def op(conn: Connection) -> list[Escalation]:
            purged = conn.execute(
                update(escalations)
                .where(escalations.c.created_at <= cutoff, escalations.c.draft_purged_at.is_(None))
                .values(draft_text="", requester_note=None, draft_purged_at=at, updated_at=at)
                .returning(escalations.c.id, escalations.c.decision_json)
            ).all()
            if purged:
                conn.execute(
                    update(escalations)
                    .where(escalations.c.id == bindparam("eid"))
                    .values(decision_json=bindparam("dj")),
                    [
                        {"eid": row.id, "dj": scrub_decision_json(row.decision_json)}
                        for row in purged
                    ],
                )
                conn.execute(
                    insert(escalation_events),
                    [
                        {
                            "escalation_id": row.id,
                            "action": "draft_purged",
                            "actor": SYSTEM_ACTOR,
                            "at": at,
                            "note": f"retention {older_than_days} days",
                        }
                        for row in purged
                    ],
                )
            conn.execute(
                processed_events.delete().where(
                    processed_events.c.created_at < at - PROCESSED_EVENT_TTL
                )
            )
            # Undelivered answers may quote the draft: they go with the drafts.
            conn.execute(outbox.delete().where(outbox.c.created_at <= cutoff))
            cases = [self._fetch(conn, row.id) for row in purged]
            return [case for case in cases if case is not None]

        cases = self._run("purge", op)
        if cases and self._sqlite:
            self._truncate_wal()
        if cases:
            log.info(
                "store: purged %d escalation drafts older than %d days", len(cases), older_than_days
            )
        return cases

    def _truncate_wal(self) -> None:
        """Fold the write-ahead log into the database and cut it to zero bytes: its frames
        still hold the pages as they were before the purge."""
        try:
            with self._lock:
                raw = self._engine.raw_connection()  # outside any transaction
                try:
                    busy = raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                finally:
                    raw.close()
        except (SQLAlchemyError, sqlite3.Error) as exc:
            log.warning("store: WAL checkpoint after purge failed: %s", error_reason(exc))
            return
        if busy is not None and busy[0]:
            log.warning(
                "store: WAL checkpoint after purge was blocked by a reader; the log is cut at "
                "the next checkpoint"
            )

    def audit(self, *, since: datetime, until: datetime | None = None) -> list[dict[str, Any]]:
        """Escalation events since `since` with the case's metadata, oldest first.

        Values are JSON-ready (ISO 8601 UTC strings for times). Never includes draft text.
        """
        e, x = escalation_events, escalations
        query = (
            select(
                e.c.id.label("event_id"),
                e.c.at,
                e.c.escalation_id,
                e.c.action,
                e.c.actor,
                e.c.note,
                x.c.status,
                x.c.requester_id,
                x.c.surface,
                x.c.reason,
                x.c.reviewer_id,
                x.c.created_at.label("escalation_created_at"),
                x.c.decided_at,
                x.c.draft_purged_at,
                x.c.decision_json,
            )
            .select_from(e.join(x, e.c.escalation_id == x.c.id))
            .where(e.c.at >= _aware(since))
            .order_by(e.c.at, e.c.id)
        )
        if until is not None:
            query = query.where(e.c.at < _aware(until))

        def op(conn: Connection) -> list[dict[str, Any]]:
            return [audit_io.audit_row(row._mapping) for row in conn.execute(query)]

        return self._run("audit", op, write=False)

    def export_audit(
        self, out: IO[str], *, since: datetime, fmt: Literal["csv", "json", "jsonl"] = "csv"
    ) -> int:
        """Write the audit since `since` to `out` as CSV, a JSON array or JSON lines."""
        rows = self.audit(since=since)
        audit_io.write_audit(rows, out, fmt=fmt)
        return len(rows)


@contextlib.contextmanager
def open_store(url: str, **kwargs: Any) -> Iterator[Store]:
    """`with open_store(url) as store:` — opens, yields and always closes."""
    store = Store.open(url, **kwargs)
    try:
        yield store
    finally:
        store.close()
