"""Engines for SQLite and PostgreSQL, URL normalisation and error classification."""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from bot.store.errors import StoreError

# Execution option asking the SQLite `begin` hook for BEGIN IMMEDIATE (take the write lock
# up front, waiting up to the busy timeout, instead of failing when upgrading a read lock).
WRITE_OPTION = "canipost_write"

SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")

# Engines log under this name; DEBUG records there (result rows, which can hold draft text)
# are dropped so no log configuration can leak a draft. SQL parameters are hidden as well.
ENGINE_LOGGING_NAME = "canipost"
ENGINE_LOGGER = f"sqlalchemy.engine.Engine.{ENGINE_LOGGING_NAME}"

# PostgreSQL SQLSTATEs worth retrying: serialization failure, deadlock, connection
# exceptions (class 08), admin/crash shutdown, cannot connect now.
_PG_TRANSIENT_STATES = {"40001", "40P01", "57P01", "57P02", "57P03"}
_SQLITE_TRANSIENT = ("database is locked", "database table is locked", "busy")


def normalize_url(raw: str) -> URL:
    """Parse a database URL, sending every PostgreSQL URL to the psycopg 3 driver."""
    raw = (raw or "").strip()
    if not raw:
        raise StoreError("the database URL is empty; set DATABASE_URL or leave it unset for SQLite")
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            raw = "postgresql+psycopg://" + raw[len(prefix) :]
    try:
        url = make_url(raw)
    except ArgumentError:
        scheme = raw.split(":", 1)[0]
        raise StoreError(
            f"the database URL (scheme {scheme!r}) is not a valid URL; expected "
            "sqlite:///path/to/file.db or postgresql://user:pass@host:5432/dbname"
        ) from None
    backend = url.get_backend_name()
    if backend == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    elif backend == "sqlite":
        url = url.set(drivername="sqlite")
    else:
        raise StoreError(
            f"unsupported database {backend!r} in the database URL; use sqlite:///... "
            "or postgresql://..."
        )
    return url


def describe_url(url: URL) -> str:
    """The URL as safe to print: password hidden, query (search_path etc.) dropped."""
    return url.set(query={}).render_as_string(hide_password=True)


def is_memory_sqlite(url: URL) -> bool:
    database = url.database or ""
    return url.get_backend_name() == "sqlite" and database in ("", ":memory:")


def with_schema(url: URL, schema: str) -> URL:
    """Add `-csearch_path=<schema>` to the libpq `options` of a PostgreSQL URL."""
    if not SCHEMA_NAME.match(schema):
        raise StoreError(f"invalid schema name {schema!r}: use letters, digits and underscores")
    options = url.query.get("options", "")
    if isinstance(options, tuple):
        options = " ".join(options)
    options = f"{options} -csearch_path={schema}".strip()
    return url.update_query_dict({"options": options})


class _NoRowLogging(logging.Filter):
    """Drop SQLAlchemy's DEBUG records (fetched rows); keep the SQL statements and timings."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.INFO


def _guard_engine_logger() -> None:
    logger = logging.getLogger(ENGINE_LOGGER)
    if not any(isinstance(f, _NoRowLogging) for f in logger.filters):
        logger.addFilter(_NoRowLogging())


def create_store_engine(url: URL, *, connect_timeout: float = 5.0) -> Engine:
    """A pooled engine with short timeouts, hidden parameters and per-engine SQLite setup."""
    _guard_engine_logger()
    if url.get_backend_name() == "postgresql":
        return create_engine(
            url,
            connect_args={
                "connect_timeout": max(1, round(connect_timeout)),
                "application_name": "canipost",
            },
            pool_pre_ping=True,
            pool_size=5,
            max_overflow=10,
            pool_timeout=max(1.0, connect_timeout * 2),
            pool_recycle=1800,
            hide_parameters=True,
            logging_name=ENGINE_LOGGING_NAME,
        )
    return _create_sqlite_engine(url, connect_timeout=connect_timeout)


def _set_wal(cursor: Any, timeout: float) -> None:
    """Switch to WAL. The switch needs the file to itself, and SQLite answers "database is
    locked" at once (no busy wait) while another connection is creating or migrating it, so
    several processes opening a new database at the same moment retry for `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


def _create_sqlite_engine(url: URL, *, connect_timeout: float) -> Engine:
    kwargs: dict[str, Any] = {"hide_parameters": True, "logging_name": ENGINE_LOGGING_NAME}
    connect_args: dict[str, Any] = {"timeout": connect_timeout, "check_same_thread": False}
    if is_memory_sqlite(url):
        kwargs["poolclass"] = StaticPool
    elif not str(url.database).startswith("file:"):
        Path(str(url.database)).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    busy_ms = int(connect_timeout * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over BEGIN from the sqlite3 module so DDL and SELECTs are transactional.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
            _set_wal(cursor, busy_ms / 1000)
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
            # Deleted and overwritten content is zeroed, not left in free space: a purged
            # draft must not stay readable in the file.
            cursor.execute("PRAGMA secure_delete = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(WRITE_OPTION)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def error_reason(exc: BaseException) -> str:
    """One line saying what the driver reported, without SQL text or parameters."""
    orig = getattr(exc, "orig", None)
    source = orig if orig is not None else exc
    message = str(source).strip()
    if isinstance(source, SQLAlchemyError) and orig is None:
        message = message.split("[SQL:", 1)[0]
    first = next((line.strip() for line in message.splitlines() if line.strip()), "")
    return first or type(source).__name__


def is_transient(exc: BaseException) -> bool:
    """True for errors a short wait and retry can fix: locks, dropped connections."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate:
        return sqlstate in _PG_TRANSIENT_STATES or sqlstate.startswith("08")
    module = type(orig).__module__ if orig is not None else ""
    if module.startswith("psycopg"):
        # Errors without a SQLSTATE are client-side: connection lost or failed.
        return type(orig).__name__ in {"OperationalError", "InterfaceError"}
    reason = error_reason(exc).lower()
    return any(marker in reason for marker in _SQLITE_TRANSIENT)
