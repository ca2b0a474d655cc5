"""Shared pytest fixtures, in sections owned by the layer they serve.

Add fixtures for another layer under its own section header.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from fake_slack import AppProcess, FakeSlack, SlackSender
from sqlalchemy import create_engine

from bot.config import DEFAULT_POLICY_DIR, REPO_ROOT, Settings
from bot.core.engine import Engine
from bot.core.models import Advisor
from bot.store import Store
from bot.store.engine import normalize_url

# =============================================================================== Store layer
# `db_url`: each test runs twice, on a temp SQLite file and on a fresh schema of the real
# PostgreSQL named by TEST_DATABASE_URL (`.ci/run` sets it; without it those runs skip).

PG_ENV = "TEST_DATABASE_URL"


def pg_base_url() -> str | None:
    return os.environ.get(PG_ENV, "").strip() or None


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database: a temp SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'canipost.db'}"
        return
    base = pg_base_url()
    if base is None:
        pytest.skip(f"{PG_ENV} is not set; PostgreSQL store tests skipped")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(normalize_url(base))
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    except Exception as exc:  # set but unreachable: that is a failure, not a skip
        admin.dispose()
        pytest.fail(f"{PG_ENV} is set but PostgreSQL is unreachable: {exc}".splitlines()[0])
    url = normalize_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


# =========================================================================== end Store layer


# =============================================================================== Slack layer
# A fake Slack Web API (tests/fake_slack.py), the real Engine on policy_docs/ and a SQLite
# store per app. `slack_server`: the app run by `serve()` under gunicorn in a subprocess
# (shared by a module). `make_slack_app`: the same WSGI app in-process, for tests that
# swap the advisor or read the logs.

SLACK_SECRET = "test-signing-secret-0123456789"
SLACK_TOKEN = "xoxb-test-0000-canipost"
REVIEW_CHANNEL = "CREVIEW01"
REVIEWER = "UREVIEWER1"
INCIDENT_CHANNEL = "CINCIDENT1"


@dataclass
class SlackHarness:
    """One running app and what a test needs around it."""

    fake: FakeSlack
    sender: SlackSender
    store: Store
    settings: Settings
    url: str
    wait_idle: Callable[[], bool] = lambda: True
    runtime: Any = None
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):05d}X"

    def user(self) -> str:
        return self.new_id("UOFFICER")

    def channel(self) -> str:
        return self.new_id("CCHAN")


def slack_env(fake: FakeSlack, data_dir: Path) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": SLACK_SECRET,
        "SLACK_APP_TOKEN": "",
        "SLACK_API_URL": fake.api_url,
        "REVIEW_CHANNEL_ID": REVIEW_CHANNEL,
        "REVIEWER_IDS": REVIEWER,
        "REVIEWER_GROUP_ID": "",
        "INCIDENT_CHANNEL_IDS": INCIDENT_CHANNEL,
        "POLICY_DOCS_DIR": str(DEFAULT_POLICY_DIR),
        "CANIPOST_DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'canipost.db'}",
        "OPENAI_API_KEY": "",
        "LOG_LEVEL": "INFO",
        # One judge process beside the work process: a served app starts with three engine
        # loads instead of four, which a loaded 2-core test machine feels.
        "JUDGE_WORKERS": "1",
    }


@pytest.fixture(scope="session")
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture(scope="session")
def slack_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine.load(DEFAULT_POLICY_DIR, tmp_path_factory.mktemp("slack-index"))


@pytest.fixture(scope="module")
def slack_server(
    fake_slack: FakeSlack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SlackHarness]:
    data_dir = tmp_path_factory.mktemp("slack-server")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))}
    env.update(slack_env(fake_slack, data_dir))
    env["PYTHONPATH"] = str(REPO_ROOT)
    app = AppProcess(
        env, cwd=str(data_dir), log_path=str(data_dir / "app.log"), python=sys.executable
    )
    app.start(timeout=120)  # the work process and its judge process load first
    settings = Settings.from_env(app.env, dotenv=False)
    store = Store.open(settings.effective_database_url)
    try:
        yield SlackHarness(fake_slack, SlackSender(app.url, SLACK_SECRET), store, settings, app.url)
    finally:
        store.close()
        code = app.stop()
        log = app.log()
        assert code == 0, f"the app exited with {code}:\n{log}"


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def make_slack_app(
    fake_slack: FakeSlack, slack_engine: Engine, tmp_path: Path
) -> Iterator[Callable[..., SlackHarness]]:
    from bot.slack.runtime import Runtime
    from bot.slack.server import wsgi_app

    started: list[tuple[Runtime, WSGIServer]] = []

    def start(advisor: Advisor | None = None, **overrides: str) -> SlackHarness:
        data_dir = tmp_path / f"app{len(started)}"
        # Judged in this process (the tests swap the advisor); see test_judge_pool.py.
        env = {**slack_env(fake_slack, tmp_path), "WORK_MODE": "threads", **overrides}
        env["CANIPOST_DATA_DIR"] = str(data_dir)
        settings = Settings.from_env(env, dotenv=False)
        store = Store.open(settings.effective_database_url)
        runtime = Runtime.start(settings, store=store, engine=slack_engine, advisor=advisor)
        server = make_server(
            "127.0.0.1",
            0,
            wsgi_app(runtime),
            server_class=_ThreadingWSGIServer,
            handler_class=_QuietHandler,
        )
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        started.append((runtime, server))
        url = f"http://127.0.0.1:{server.server_address[1]}/slack/events"
        return SlackHarness(
            fake_slack,
            SlackSender(url, SLACK_SECRET),
            store,
            settings,
            url,
            wait_idle=lambda: runtime.deps.jobs.wait_idle(10),
            runtime=runtime,
        )

    yield start
    for runtime, server in started:
        server.shutdown()
        server.server_close()
        runtime.close(timeout=10)
        runtime.store.close()


# =========================================================================== end Slack layer
