"""Running the Slack app: HTTP through gunicorn, or Socket Mode.

`serve(settings)` is what `canipost serve` calls. With SLACK_APP_TOKEN set it connects
over Socket Mode; otherwise it serves the Events API, interactivity and the slash command
at POST /slack/events on $PORT (gunicorn, gthread workers; GET /healthz for probes).
Problems a person can fix print one line and return 2.
"""

from __future__ import annotations

import logging
import os
import shlex
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from types import FrameType
from typing import TYPE_CHECKING, Any

from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.config import ConfigError, Settings
from bot.core.engine import Engine
from bot.core.errors import UserError
from bot.llm import build_advisor, check_model_access
from bot.slack.client import make_web_client
from bot.slack.guard import RequestGuard
from bot.slack.logsetup import configure_logging, library_logger, quieted
from bot.slack.runtime import Runtime
from bot.store import Store

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATHS = ("/healthz", "/health")
GUNICORN_THREADS = 32
EXIT_USAGE = 2


def wsgi_app(runtime: Runtime, path: str = EVENTS_PATH) -> WSGIApplication:
    """The WSGI callable gunicorn serves: Bolt at `path` behind the request guard (size,
    signature, body shape, replays: see bot/slack/guard.py), a health probe, 404 elsewhere."""
    handler = SlackRequestHandler(runtime.app, path=path)
    guarded = RequestGuard(
        handler,
        signing_secret=runtime.settings.slack_signing_secret or "",
        max_body_bytes=runtime.settings.max_request_bytes,
    )

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") in HEALTH_PATHS and environ.get("REQUEST_METHOD") in (
            "GET",
            "HEAD",
        ):
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
            return [b"ok"]
        if environ.get("PATH_INFO") == path and environ.get("REQUEST_METHOD") == "POST":
            return guarded(environ, start_response)
        return handler(environ, start_response)

    return application


def preflight(settings: Settings, *, socket_mode: bool) -> None:
    """Check everything a worker will need, once, with one clear message on failure."""
    settings.require_slack(socket_mode=socket_mode)
    if not settings.review_channel_id:
        log.warning("REVIEW_CHANNEL_ID is not set: escalations are stored but no card is posted")
    Store.open(settings.effective_database_url).close()
    engine = Engine.load(settings.policy_docs_dir, settings.index_dir)  # warms the index cache
    check_model_access(build_advisor(settings, engine), settings)
    client = make_web_client(settings)
    try:
        with quieted(library_logger("slack_sdk")):
            client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error") or exc.response.status_code
        raise ConfigError(f"Slack refused SLACK_BOT_TOKEN ({error})") from None
    except (SlackClientError, OSError) as exc:
        where = client.base_url
        raise UserError(f"cannot reach the Slack API at {where} ({type(exc).__name__})") from None


def _fail(message: str) -> int:
    print(f"canipost: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def serve(settings: Settings) -> int:
    """Run the app until stopped; returns the process exit code."""
    configure_logging(settings.log_level)
    socket_mode = bool(settings.slack_app_token)
    try:
        preflight(settings, socket_mode=socket_mode)
    except UserError as exc:
        return _fail(str(exc))
    if socket_mode:
        return serve_socket_mode(settings)
    return serve_http(settings)


# --------------------------------------------------------------------------- HTTP


def gunicorn_options(settings: Settings) -> dict[str, Any]:
    """Defaults; GUNICORN_CMD_ARGS (e.g. "--bind 127.0.0.1:3000 --threads 64") overrides.

    One worker process on purpose, whatever WEB_CONCURRENCY says: the drafts kept for
    "Ask a reviewer" live in the process's memory, so with several workers a click can land
    where they are unknown. Scale with threads, or pass `--workers N` in GUNICORN_CMD_ARGS
    knowing that.
    """
    return {
        "bind": f"0.0.0.0:{settings.port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": GUNICORN_THREADS,
        "timeout": 30,
        "graceful_timeout": 25,
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": settings.log_level.lower(),
        "proc_name": "canipost",
        "preload_app": False,
    }


def serve_http(settings: Settings) -> int:
    from gunicorn.app.base import BaseApplication

    holder: dict[str, Runtime] = {}

    def build() -> WSGIApplication:
        # Runs in each worker after the fork: threads and connections are per process.
        runtime = Runtime.start(settings)
        holder["runtime"] = runtime
        log.info("worker ready: policy %s, POST %s", runtime.engine.policy_version, EVENTS_PATH)
        return wsgi_app(runtime)

    def worker_exit(_server: Any, _worker: Any) -> None:
        runtime = holder.pop("runtime", None)
        if runtime is not None:
            runtime.close()

    class CanIPostServer(BaseApplication):  # type: ignore[misc]
        def __init__(self, loader: Callable[[], WSGIApplication], options: dict[str, Any]):
            self._loader = loader
            self._options = options
            super().__init__()

        def load_config(self) -> None:
            for key, value in self._options.items():
                self.cfg.set(key, value)
            self.cfg.set("worker_exit", worker_exit)
            if "control_socket_disable" in self.cfg.settings:
                # gunicorn >= 25 opens a control socket at one path per user ($HOME):
                # several instances would fight over it, and the app does not need it.
                self.cfg.set("control_socket_disable", True)
            extra = os.environ.get("GUNICORN_CMD_ARGS", "").strip()
            if extra:
                parsed = self.cfg.parser().parse_args(shlex.split(extra))
                for key, value in vars(parsed).items():
                    if value is not None and key != "args" and key in self.cfg.settings:
                        self.cfg.set(key.lower(), value)

        def load(self) -> WSGIApplication:
            return self._loader()

    try:
        CanIPostServer(build, gunicorn_options(settings)).run()
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


# --------------------------------------------------------------------------- Socket Mode


def serve_socket_mode(settings: Settings) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    try:
        runtime = Runtime.start(settings, socket_mode=True)
    except UserError as exc:
        return _fail(str(exc))
    except BoltError as exc:
        return _fail(f"Slack refused SLACK_BOT_TOKEN ({exc})")
    socket_log = library_logger("slack_sdk.socket_mode.canipost")
    handler = SocketModeHandler(runtime.app, settings.slack_app_token, logger=socket_log)
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: stopping", signum)
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        try:
            # A refused token is reported below in one line, not as the client's error log.
            with quieted(socket_log):
                handler.connect()
        except SlackApiError as exc:
            error = exc.response.get("error") or exc.response.status_code
            return _fail(f"Slack refused SLACK_APP_TOKEN ({error})")
        except (SlackClientError, OSError) as exc:
            return _fail(f"cannot open the Socket Mode connection ({type(exc).__name__})")
        log.info("socket mode: connected, policy %s", runtime.engine.policy_version)
        stop.wait()
        return 0
    finally:
        for sig, handler_before in previous.items():
            signal.signal(sig, handler_before)
        try:
            handler.close()
        except Exception as exc:  # closing a half-open socket must not hide the exit code
            log.debug("socket mode: close failed (%s)", type(exc).__name__)
        runtime.close()
