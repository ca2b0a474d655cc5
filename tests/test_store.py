"""Store tests, run on SQLite and (with TEST_DATABASE_URL) on a real PostgreSQL.

Every PostgreSQL test gets its own freshly created schema (dropped afterwards) through the
libpq `options=-csearch_path=...` URL parameter, so parallel and repeated runs never collide.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import PG_ENV, pg_base_url
from sqlalchemy import create_engine, inspect, select, text

from bot.core.errors import UserError
from bot.core.models import Citation, Decision, Finding, Usage
from bot.store import LATEST_VERSION, DecideResult, Escalation, Store, StoreError
from bot.store.engine import create_store_engine, describe_url, normalize_url
from bot.store.migrations import migrate
from bot.store.schema import feedback, metadata

DRAFT = "Suspect John Q. Example, 34, of 12 Elm Street was arrested after the crash on I-5."


# ---------------------------------------------------------------------------- fixtures


class Clock:
    """A settable clock for Store.open(clock=...)."""

    def __init__(self, at: datetime | None = None) -> None:
        self.at = at or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def open_store(db_url: str) -> Iterator[Callable[..., Store]]:
    """Open as many Store instances on the test database as a test needs; all closed after."""
    opened: list[Store] = []

    def _open(**kwargs: object) -> Store:
        store = Store.open(db_url, **kwargs)  # type: ignore[arg-type]
        opened.append(store)
        return store

    yield _open
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: Callable[..., Store]) -> Store:
    return open_store()


def make_decision(**overrides: object) -> Decision:
    values: dict[str, object] = {
        "verdict": "needs_review",
        "summary": "Names a suspect before charges are filed.",
        "findings": (
            Finding(
                code="pii.named_suspect",
                severity="needs_review",
                message="Names a person who has not been charged.",
                fix="Remove the name.",
                span=(8, 22),
                topic="privacy",
            ),
        ),
        "citations": (
            Citation(
                source="social-media-policy.md",
                section="1058.4(b)",
                title="Prohibited content",
                quote="Members shall not post the names of suspects.",
            ),
        ),
        "escalate": True,
        "confidence": 0.625,
        "policy_version": "pv-123",
        "engine": "local",
        "notes": ("incident channel",),
        "rewrite": "A suspect was arrested after the crash.",
        "prompt_version": "p1",
        "usage": Usage(tokens_in=10, tokens_out=5, cost_usd=0.001, context_tokens=300),
        "latency_ms": 12.5,
        "account": "official",
        "incident": True,
    }
    values.update(overrides)
    return Decision(**values)  # type: ignore[arg-type]


def escalate(store: Store, requester: str = "U_OFFICER", draft: str = DRAFT) -> Escalation:
    return store.create_escalation(
        draft_text=draft,
        decision=make_decision(),
        requester_id=requester,
        surface="dm",
        reason="needs_review verdict",
        reply_channel="D123",
        reply_thread_ts="1700000000.000100",
    )


def is_utc(value: datetime | None) -> bool:
    return value is not None and value.utcoffset() == timedelta(0)


# ---------------------------------------------------------------------------- escalations


def test_escalation_round_trip(store: Store) -> None:
    created = escalate(store)
    assert created.status == "pending" and created.is_pending
    assert DRAFT not in repr(created)

    assert store.set_card(created.id, "C_REVIEW", "1700000001.000200") is True
    assert store.set_card(999_999, "C_REVIEW", "1.2") is False

    loaded = store.get_escalation(created.id)
    assert loaded is not None
    assert loaded.draft_text == DRAFT
    assert loaded.decision == make_decision()
    assert loaded.decision.to_dict() == make_decision().to_dict()
    assert (loaded.requester_id, loaded.surface, loaded.reason) == (
        "U_OFFICER",
        "dm",
        "needs_review verdict",
    )
    assert (loaded.reply_channel, loaded.reply_thread_ts) == ("D123", "1700000000.000100")
    assert (loaded.card_channel, loaded.card_ts) == ("C_REVIEW", "1700000001.000200")
    assert loaded.reviewer_id is None and loaded.decided_at is None
    assert is_utc(loaded.created_at) and is_utc(loaded.updated_at)
    assert abs(loaded.created_at - created.created_at) < timedelta(milliseconds=1)
    assert store.get_escalation(999_999) is None
    assert [e.action for e in store.events(created.id)] == ["created"]


def test_list_escalations_filters_and_order(store: Store) -> None:
    first = escalate(store, requester="U_A")
    second = escalate(store, requester="U_B")
    third = escalate(store, requester="U_A")
    store.decide(second.id, reviewer_id="U_PIO", outcome="approved", note=None)

    assert [e.id for e in store.list_escalations()] == [first.id, second.id, third.id]
    assert [e.id for e in store.list_escalations(oldest_first=False)] == [
        third.id,
        second.id,
        first.id,
    ]
    assert [e.id for e in store.list_escalations(status="pending")] == [first.id, third.id]
    assert [e.id for e in store.list_escalations(status="approved")] == [second.id]
    assert [e.id for e in store.list_escalations(requester_id="U_A", limit=1)] == [first.id]
    assert [e.id for e in store.list_escalations(status=["approved", "rejected"])] == [second.id]
    with pytest.raises(ValueError):
        store.list_escalations(status="lost")


def test_concurrent_decisions_apply_exactly_once(store: Store) -> None:
    case = escalate(store)
    reviewers = [f"U_REV{i}" for i in range(8)]
    barrier = threading.Barrier(len(reviewers))

    def click(reviewer: str) -> DecideResult:
        barrier.wait()
        return store.decide(case.id, reviewer_id=reviewer, outcome="approved", note=reviewer)

    with ThreadPoolExecutor(max_workers=len(reviewers)) as pool:
        results = list(pool.map(click, reviewers))

    winners = [r for r in results if r.applied]
    assert len(winners) == 1
    winner = winners[0].escalation
    assert winner is not None and winner.reviewer_id in reviewers
    assert winner.status == "approved" and winner.note == winner.reviewer_id
    assert is_utc(winner.decided_at)
    for result in results:
        if result.applied:
            continue
        assert result.reason == "already_decided"
        assert result.escalation is not None
        assert result.escalation.reviewer_id == winner.reviewer_id
        assert result.decided_by == winner.reviewer_id
    decisions = [e for e in store.events(case.id) if e.action == "approved"]
    assert len(decisions) == 1 and decisions[0].actor == winner.reviewer_id


def test_double_click_by_same_reviewer(store: Store) -> None:
    case = escalate(store)
    first = store.decide(case.id, reviewer_id="U_PIO", outcome="rejected", note="No names.")
    second = store.decide(case.id, reviewer_id="U_PIO", outcome="approved", note=None)
    assert first.applied and first.reason is None
    assert not second.applied and second.reason == "duplicate"
    assert second.escalation is not None
    assert second.escalation.status == "rejected" and second.escalation.note == "No names."
    assert [e.action for e in store.events(case.id)] == ["created", "rejected"]


def test_self_review_is_refused(store: Store) -> None:
    case = escalate(store, requester="U_PIO")
    refused = store.decide(case.id, reviewer_id="U_PIO", outcome="approved", note=None)
    assert not refused.applied and refused.reason == "self_review"
    assert refused.escalation is not None and refused.escalation.is_pending
    other = store.decide(case.id, reviewer_id="U_PIO2", outcome="changes_requested", note="x")
    assert other.applied and other.escalation is not None
    assert other.escalation.status == "changes_requested"


def test_decide_validation_and_missing_case(store: Store) -> None:
    missing = store.decide(424242, reviewer_id="U_PIO", outcome="approved", note=None)
    assert not missing.applied and missing.reason == "not_found" and missing.escalation is None
    case = escalate(store)
    with pytest.raises(ValueError):
        store.decide(case.id, reviewer_id="U_PIO", outcome="maybe", note=None)  # type: ignore[arg-type]
    blank_note = store.decide(case.id, reviewer_id="U_PIO", outcome="approved", note="   ")
    assert blank_note.escalation is not None and blank_note.escalation.note is None


def test_withdraw_rules(store: Store) -> None:
    case = escalate(store, requester="U_OFFICER")
    by_other = store.withdraw(case.id, requester_id="U_SOMEONE")
    assert not by_other.applied and by_other.reason == "not_requester"

    done = store.withdraw(case.id, requester_id="U_OFFICER")
    assert done.applied and done.escalation is not None
    assert done.escalation.status == "withdrawn" and done.decided_by == "U_OFFICER"
    again = store.withdraw(case.id, requester_id="U_OFFICER")
    assert not again.applied and again.reason == "duplicate"
    late = store.decide(case.id, reviewer_id="U_PIO", outcome="approved", note=None)
    assert not late.applied and late.reason == "withdrawn"

    decided = escalate(store, requester="U_OFFICER")
    store.decide(decided.id, reviewer_id="U_PIO", outcome="approved", note=None)
    too_late = store.withdraw(decided.id, requester_id="U_OFFICER")
    assert not too_late.applied and too_late.reason == "already_decided"
    assert store.withdraw(31337, requester_id="U_OFFICER").reason == "not_found"
    assert [e.action for e in store.events(case.id)] == ["created", "withdrawn"]


# ---------------------------------------------------------------------------- reminders, events


def test_claim_due_reminders_once_across_instances(open_store: Callable[..., Store]) -> None:
    clock = Clock(datetime.now(UTC) - timedelta(hours=3))
    creator = open_store(clock=clock)
    cases = [escalate(creator, requester=f"U_{i}") for i in range(12)]
    creator.decide(cases[0].id, reviewer_id="U_PIO", outcome="approved", note=None)
    creator.withdraw(cases[1].id, requester_id="U_1")
    clock.advance(hours=2, minutes=50)  # 10 minutes ago: one fresh case, not yet due
    fresh = escalate(creator, requester="U_FRESH")
    due_ids = {c.id for c in cases[2:]}

    a, b = open_store(), open_store()
    now = datetime.now(UTC)
    barrier = threading.Barrier(2)

    def claim(store: Store) -> list[Escalation]:
        barrier.wait()
        return store.claim_due_reminders(older_than=timedelta(hours=1), now=now)

    with ThreadPoolExecutor(max_workers=2) as pool:
        claimed_a, claimed_b = pool.map(claim, [a, b])

    ids_a, ids_b = {e.id for e in claimed_a}, {e.id for e in claimed_b}
    assert not ids_a & ids_b
    assert ids_a | ids_b == due_ids
    assert fresh.id not in ids_a | ids_b
    for esc in [*claimed_a, *claimed_b]:
        assert esc.is_pending and esc.last_reminded_at == now and esc.last_announced_at == now

    # Just re-announced: nothing is due again until another interval has passed.
    assert a.claim_due_reminders(older_than=timedelta(hours=1), now=now) == []
    later = now + timedelta(hours=1)
    again = b.claim_due_reminders(older_than=timedelta(hours=1), now=later)
    assert {e.id for e in again} == due_ids | {fresh.id}
    limited = a.claim_due_reminders(
        older_than=timedelta(hours=1), now=later + timedelta(hours=2), limit=3
    )
    assert len(limited) == 3
    reminded = [e for e in a.events(cases[2].id) if e.action == "reminded"]
    assert len(reminded) == 3 and all(e.actor == "system" for e in reminded)


def test_mark_event_seen_across_instances(open_store: Callable[..., Store]) -> None:
    a, b = open_store(), open_store()
    keys = [f"Ev{i:03d}" for i in range(20)]
    barrier = threading.Barrier(4)

    def run(store: Store) -> list[bool]:
        barrier.wait()
        return [store.mark_event_seen(k) for k in keys]

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(run, [a, b, a, b]))
    for i in range(len(keys)):
        assert sum(result[i] for result in outcomes) == 1
    assert a.mark_event_seen("Ev000") is False
    assert b.mark_event_seen("brand-new") is True
    assert a.mark_event_seen("brand-new") is False


# ---------------------------------------------------------------------------- checks, feedback


def test_check_record_keeps_hash_never_draft(store: Store, db_url: str) -> None:
    decision = make_decision(verdict="revise", latency_ms=3.25)
    check_id = store.record_check(
        user_id="U_OFFICER", surface="slash", channel_id="C1", decision=decision, draft_text=DRAFT
    )
    other = store.record_check(
        user_id="U_OFFICER", surface="dm", channel_id=None, decision=decision, draft_text="hi"
    )
    recent = store.recent_checks("U_OFFICER")
    assert [c.id for c in recent] == [other, check_id]
    record = recent[1]
    assert record.draft_sha256 == hashlib.sha256(DRAFT.encode()).hexdigest()
    assert record.verdict == "revise" and record.finding_codes == ("pii.named_suspect",)
    assert (record.policy_version, record.engine, record.latency_ms) == ("pv-123", "local", 3.25)
    assert (record.surface, record.channel_id) == ("slash", "C1") and is_utc(record.created_at)
    assert store.recent_checks("U_OFFICER", limit=1)[0].id == other
    assert store.recent_checks("U_NOBODY") == []

    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM checks")).all()
    assert rows and not any("Suspect John" in str(value) for row in rows for value in row)
    if db_url.startswith("sqlite"):
        store.close()
        db_file = Path(db_url.removeprefix("sqlite:///"))
        blobs = [p.read_bytes() for p in db_file.parent.glob(db_file.name + "*")]
        assert blobs and not any(b"Suspect John" in blob for blob in blobs)


def test_feedback(store: Store) -> None:
    check_id = store.record_check(
        user_id="U1", surface="dm", channel_id=None, decision=make_decision(), draft_text="x"
    )
    case = escalate(store)
    first = store.record_feedback(user_id="U1", value="up", check_id=check_id)
    assert first.status == "saved" and (first.id or 0) > 0
    # One person, one vote: a second click replaces the first.
    again = store.record_feedback(user_id="U1", value="down", check_id=check_id)
    assert again.status == "changed"
    with store.engine.connect() as conn:
        rows = conn.execute(select(feedback.c.value).where(feedback.c.check_id == check_id))
        assert [row.value for row in rows] == ["down"]
    # Someone else's check: nothing stored.
    assert store.record_feedback(user_id="U2", value="up", check_id=check_id).status == (
        "not_owner"
    )
    escalated = store.record_feedback(user_id="U1", value="down", escalation_id=case.id)
    assert escalated.status == "saved"
    with pytest.raises(ValueError):
        store.record_feedback(user_id="U1", value="meh", check_id=check_id)
    with pytest.raises(ValueError):
        store.record_feedback(user_id="U1", value="up")
    with pytest.raises(StoreError):
        store.record_feedback(user_id="U1", value="up", check_id=987654)


# ---------------------------------------------------------------------------- retention, audit


def test_purge_removes_only_old_drafts(open_store: Callable[..., Store]) -> None:
    clock = Clock(datetime.now(UTC) - timedelta(days=40))
    store = open_store(clock=clock)
    old_pending = escalate(store, draft="old pending draft")
    old_decided = escalate(store, draft="old decided draft")
    store.decide(old_decided.id, reviewer_id="U_PIO", outcome="approved", note=None)
    clock.at = datetime.now(UTC) - timedelta(days=2)
    assert store.mark_event_seen("old-event")
    clock.at = datetime.now(UTC)
    recent = escalate(store, draft="recent draft")
    assert store.mark_event_seen("new-event")

    assert store.purge(older_than_days=30) == 2
    for case_id in (old_pending.id, old_decided.id):
        purged = store.get_escalation(case_id)
        assert purged is not None and purged.draft_text == "" and purged.is_purged
        assert is_utc(purged.draft_purged_at)
        assert purged.decision.rewrite is None  # derived from the draft, so scrubbed too
        assert purged.decision.verdict == "needs_review"
    assert store.get_escalation(old_decided.id).status == "approved"  # type: ignore[union-attr]
    kept = store.get_escalation(recent.id)
    assert kept is not None and kept.draft_text == "recent draft" and not kept.is_purged
    assert kept.decision.rewrite == make_decision().rewrite

    assert store.purge(older_than_days=30) == 0  # idempotent
    assert store.mark_event_seen("old-event") is True  # its record was deleted (> 1 day)
    assert store.mark_event_seen("new-event") is False  # kept
    actions = [e.action for e in store.events(old_pending.id)]
    assert actions == ["created", "draft_purged"]
    with pytest.raises(ValueError):
        store.purge(older_than_days=-1)


def test_audit_has_events_and_no_draft_text(store: Store) -> None:
    start = datetime.now(UTC) - timedelta(seconds=1)
    a = escalate(store, requester="U_A")
    b = escalate(store, requester="U_B")
    store.decide(a.id, reviewer_id="U_PIO", outcome="changes_requested", note="Drop the name.")
    store.withdraw(b.id, requester_id="U_B")

    rows = store.audit(since=start)
    assert [(r["escalation_id"], r["action"], r["actor"]) for r in rows] == [
        (a.id, "created", "U_A"),
        (b.id, "created", "U_B"),
        (a.id, "changes_requested", "U_PIO"),
        (b.id, "withdrawn", "U_B"),
    ]
    decided = rows[2]
    assert decided["note"] == "Drop the name." and decided["status"] == "changes_requested"
    assert decided["verdict"] == "needs_review"
    assert decided["finding_codes"] == ["pii.named_suspect"]
    assert decided["policy_version"] == "pv-123" and decided["requester_id"] == "U_A"
    assert datetime.fromisoformat(decided["at"]).utcoffset() == timedelta(0)
    assert store.audit(since=datetime.now(UTC) + timedelta(minutes=1)) == []

    as_json, as_csv, as_lines = io.StringIO(), io.StringIO(), io.StringIO()
    assert store.export_audit(as_json, since=start, fmt="json") == 4
    store.export_audit(as_csv, since=start, fmt="csv")
    store.export_audit(as_lines, since=start, fmt="jsonl")
    for blob in (json.dumps(rows), as_json.getvalue(), as_csv.getvalue(), as_lines.getvalue()):
        assert "Suspect John" not in blob and "A suspect was arrested" not in blob
    assert len(json.loads(as_json.getvalue())) == 4
    assert len(as_lines.getvalue().splitlines()) == 4
    parsed = list(csv.DictReader(io.StringIO(as_csv.getvalue())))
    assert [r["action"] for r in parsed][2] == "changes_requested"
    assert parsed[2]["finding_codes"] == "pii.named_suspect"


def test_no_draft_text_in_logs(db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.DEBUG)
    try:
        with Store.open(db_url) as store:
            case = escalate(store)
            store.record_check(
                user_id="U1",
                surface="dm",
                channel_id=None,
                decision=make_decision(),
                draft_text=DRAFT,
            )
            store.get_escalation(case.id)
            store.purge(older_than_days=0, now=datetime.now(UTC) + timedelta(seconds=1))
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    assert "INSERT INTO escalations" in caplog.text  # the SQL was logged...
    assert "Suspect John" not in caplog.text  # ...but never its parameters


# ---------------------------------------------------------------------------- migrations


def test_migration_from_v1_keeps_rows(db_url: str) -> None:
    engine = create_store_engine(normalize_url(db_url))
    created = "2024-01-02 03:04:05.000000"
    if engine.dialect.name == "postgresql":
        created += "+00:00"
    decision_json = make_decision().to_json()
    insert_escalation = text(
        "INSERT INTO escalations (created_at, updated_at, status, draft_text, decision_json,"
        " requester_id, surface, reason, reply_channel, reply_thread_ts, reviewer_id, decided_at)"
        " VALUES (:ts, :ts, :status, :draft, :dj, 'U_OLD', 'dm', 'r', 'D1', '1.1', :rev, :dec)"
    )
    with engine.connect() as conn, conn.begin():
        assert migrate(conn, target=1) == [1]  # the frozen v1 DDL, as an old install has it
        for status, draft, reviewer in [
            ("pending", "legacy draft", None),
            ("rejected", "x", "U_P"),
        ]:
            conn.execute(
                insert_escalation,
                {
                    "ts": created,
                    "status": status,
                    "draft": draft,
                    "dj": decision_json,
                    "rev": reviewer,
                    "dec": created if reviewer else None,
                },
            )
        pending_id, rejected_id = conn.execute(
            text("SELECT id FROM escalations ORDER BY id")
        ).scalars()
        conn.execute(
            text(
                "INSERT INTO escalation_events (escalation_id, action, actor, at)"
                " VALUES (:e, 'created', 'U_OLD', :ts)"
            ),
            [{"e": pending_id, "ts": created}, {"e": rejected_id, "ts": created}],
        )
        conn.execute(
            text(
                "INSERT INTO checks (created_at, user_id, surface, verdict, finding_codes,"
                " policy_version, engine, latency_ms, draft_sha256)"
                " VALUES (:ts, 'U_OLD', 'dm', 'ok', '[]', 'pv', 'local', 1.5, :h)"
            ),
            {"ts": created, "h": "0" * 64},
        )
        check_id = conn.scalar(text("SELECT id FROM checks"))
        conn.execute(
            text(
                "INSERT INTO feedback (created_at, user_id, check_id, value)"
                " VALUES (:ts, 'U_OLD', :c, 'up')"
            ),
            {"ts": created, "c": check_id},
        )
        conn.execute(
            text("INSERT INTO processed_events (event_key, created_at) VALUES ('Ev1', :ts)"),
            {"ts": created},
        )
        columns = {c["name"] for c in inspect(conn).get_columns("escalations")}
        assert "last_reminded_at" not in columns
    engine.dispose()

    with Store.open(db_url) as store:
        assert store.schema_version() == LATEST_VERSION
        old = store.get_escalation(pending_id)
        assert old is not None and old.draft_text == "legacy draft" and old.status == "pending"
        assert old.created_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
        assert old.last_reminded_at is None and old.draft_purged_at is None
        assert old.decision == make_decision()
        rejected = store.get_escalation(rejected_id)
        assert rejected is not None and rejected.reviewer_id == "U_P"
        assert [e.action for e in store.events(pending_id)] == ["created"]
        assert [c.id for c in store.recent_checks("U_OLD")] == [check_id]
        assert store.mark_event_seen("Ev1") is False
        claimed = store.claim_due_reminders(older_than=timedelta(hours=1))
        assert [e.id for e in claimed] == [pending_id]
        assert escalate(store).id > rejected_id  # ids continue after the old rows
        with store.engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM feedback")) == 1
            assert conn.scalar(text("SELECT count(*) FROM escalations")) == 3


def test_migration_from_v2_adds_channel_modes_and_keeps_rows(db_url: str) -> None:
    engine = create_store_engine(normalize_url(db_url))
    with engine.connect() as conn, conn.begin():
        assert migrate(conn, target=2) == [1, 2]
        conn.execute(
            text(
                "INSERT INTO escalations (created_at, updated_at, status, draft_text,"
                " decision_json, requester_id, surface, reason, last_reminded_at)"
                " VALUES (:ts, :ts, 'pending', 'v2 draft', :dj, 'U_V2', 'dm', 'r', :ts)"
            ),
            {"ts": datetime(2025, 5, 6, 7, 8, 9, tzinfo=UTC), "dj": make_decision().to_json()},
        )
        assert "channel_modes" not in inspect(conn).get_table_names()
    engine.dispose()

    with Store.open(db_url) as first, Store.open(db_url) as second:
        assert first.schema_version() == LATEST_VERSION
        (old,) = first.list_escalations(requester_id="U_V2")
        assert old.draft_text == "v2 draft" and old.requester_note is None
        assert old.last_reminded_at == datetime(2025, 5, 6, 7, 8, 9, tzinfo=UTC)
        assert first.count_escalations(status="pending") == 1
        assert first.count_escalations(status="approved") == 0
        assert second.incident_channels() == {}
        first.set_incident_channel("C_FIRE", incident=True, set_by="U_PIO")
        first.set_incident_channel("C_QUIET", incident=False, set_by="U_PIO")
        assert second.incident_channels() == {"C_FIRE": True, "C_QUIET": False}
        second.set_incident_channel("C_FIRE", incident=False, set_by="U_DEPUTY")
        assert first.incident_channels() == {"C_FIRE": False, "C_QUIET": False}
        with pytest.raises(ValueError):
            first.set_incident_channel("", incident=True, set_by="U_PIO")


def test_schema_matches_metadata_and_reopen_is_idempotent(db_url: str) -> None:
    with Store.open(db_url) as store:
        assert store.schema_version() == LATEST_VERSION
    with Store.open(db_url) as store, store.engine.connect() as conn:
        versions = conn.execute(text("SELECT version FROM schema_version ORDER BY 1")).scalars()
        assert list(versions) == list(range(1, LATEST_VERSION + 1))
        inspector = inspect(conn)
        for table in metadata.sorted_tables:
            actual = {c["name"] for c in inspector.get_columns(table.name)}
            assert actual == {c.name for c in table.columns}, table.name


def test_concurrent_open_migrates_once(db_url: str) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        stores = list(pool.map(lambda _: Store.open(db_url), range(4)))
    try:
        with stores[0].engine.connect() as conn:
            count = conn.scalar(text("SELECT count(*) FROM schema_version"))
        assert count == LATEST_VERSION
        assert all(s.schema_version() == LATEST_VERSION for s in stores)
    finally:
        for s in stores:
            s.close()


def test_newer_database_is_refused(db_url: str) -> None:
    with Store.open(db_url) as store, store.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO schema_version (version, description, applied_at) VALUES (99, 'x', :t)"
            ),
            {"t": datetime.now(UTC).replace(tzinfo=None)},
        )
    with pytest.raises(StoreError, match="upgrade CanIPost"):
        Store.open(db_url)


# ---------------------------------------------------------------------------- opening, errors


def test_unreachable_postgres_fails_fast_with_one_line() -> None:
    started = time.monotonic()
    with pytest.raises(StoreError) as info:
        Store.open("postgresql://postgres:secret@127.0.0.1:1/test")
    assert time.monotonic() - started < 6
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    assert "PostgreSQL" in message and "127.0.0.1" in message and "secret" not in message
    assert isinstance(info.value, UserError)


def test_url_normalisation() -> None:
    for raw in ("postgres://u:p@h/db", "postgresql://u:p@h/db", "postgresql+psycopg2://u:p@h/db"):
        assert normalize_url(raw).drivername == "postgresql+psycopg"
    assert normalize_url("sqlite:///data/canipost.db").database == "data/canipost.db"
    assert "p@" not in describe_url(normalize_url("postgres://u:p@h/db"))
    for bad in ("", "mysql://u@h/db", "not a url"):
        with pytest.raises(StoreError):
            normalize_url(bad)
    with pytest.raises(StoreError):
        Store.open("sqlite://", schema="x")


def test_sqlite_creates_folder_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "canipost.db"
    with Store.open(f"sqlite:///{path}") as store:
        assert path.exists()
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with Store.open("sqlite://") as memory:  # in-memory works too (tests, demos)
        assert escalate(memory).id == 1


def test_sqlite_unopenable_and_locked(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot open the SQLite database"):
        Store.open(f"sqlite:///{blocker / 'x.db'}")

    path = tmp_path / "locked.db"
    Store.open(f"sqlite:///{path}").close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked") as info:
            Store.open(f"sqlite:///{path}", connect_timeout=0.2)
        assert "\n" not in str(info.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_writes_retry_transient_locks_then_give_up(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    store = Store.open(f"sqlite:///{path}", connect_timeout=0.15)
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        holder.execute("BEGIN IMMEDIATE")
        release = threading.Timer(0.4, lambda: holder.execute("ROLLBACK"))
        release.start()
        assert store.mark_event_seen("after-lock") is True  # retried until the lock went away
        release.join()

        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreError, match="locked"):
            store.mark_event_seen("never")
        holder.execute("ROLLBACK")
    finally:
        holder.close()
        store.close()


def test_schema_argument_on_postgres() -> None:
    base = pg_base_url()
    if base is None:
        pytest.skip(f"{PG_ENV} is not set; PostgreSQL store tests skipped")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    try:
        with Store.open(base, schema=schema) as store:
            case = escalate(store)
            with store.engine.connect() as conn:
                where = conn.scalar(
                    text(
                        "SELECT table_schema FROM information_schema.tables"
                        " WHERE table_name = 'escalations' AND table_schema = :s"
                    ),
                    {"s": schema},
                )
            assert where == schema and case.id == 1
        with pytest.raises(StoreError, match="schema name"):
            Store.open(base, schema="bad; DROP TABLE x")
    finally:
        admin = create_engine(normalize_url(base))
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()
