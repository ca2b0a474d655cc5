"""The work after the ack, in a process of its own: `WORK_MODE=process`.

The listeners ack and call `deps.jobs.submit(label, fn, deps, client, ...)`. `ProcessJobs`
has the same `submit`, but sends the call to a work process (spawned, at a lower OS
priority) instead of a thread next to the acks: the function by name, its payload
arguments as they are, and `deps` and the Web API client as markers that the work process
replaces with its own. That process holds the engine, the advisor, the store, and the
in-memory drafts "Ask a reviewer" needs, so every job (checks, buttons, review decisions)
runs there, on its own interpreter and CPU time; the web process only verifies and acks.
The judgment itself runs in JUDGE_WORKERS judge processes the work process starts (the
judge pool of bot/slack/judging.py), so a burst of long drafts uses every CPU, not one
interpreter's share of it.

A work process that dies is started again on the next submit; the jobs it held are lost
(logged), as they would be with the process itself.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import pickle
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from slack_sdk import WebClient

from bot.config import Settings
from bot.core.errors import UserError
from bot.slack.claims import current_request
from bot.slack.logsetup import describe_exception

log = logging.getLogger(__name__)

WORK_NICE = 10
READY_SECONDS = 180.0
WARM_UP_DRAFT = "Join us for Coffee with a Cop this Saturday at the public library."
_DEPS = "__canipost_deps__"
_CLIENT = "__canipost_client__"
# deps attributes whose bound methods may be submitted (e.g. deps.review.publish_outcome)
_DEPS_MEMBERS = ("service", "review", "incidents", "reviewers")


class ProcessJobs:
    def __init__(self, settings: Settings, deps_holder: Callable[[], Any]) -> None:
        self.settings = settings
        self._deps = deps_holder  # the web process's Deps (to recognise it in arguments)
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._closed = False
        self._process: Any = None
        self._queue: Any = None
        self._done: Any = None
        self._start(wait=True)

    def _start(self, wait: bool = False) -> None:
        self._queue = self._context.Queue()
        self._done = self._context.Value("q", 0)
        self._ready = self._context.Event()
        self._submitted = 0
        self._process = self._context.Process(
            target=work_process_main,
            args=(self.settings, self._queue, self._done, self._ready),
            name="canipost-work",
            daemon=False,  # it starts the judge processes, which a daemon may not
        )
        self._process.start()
        if not wait:  # a restart: the exit hook is already registered
            return
        # Before multiprocessing's own exit hook, which would wait for it forever: stop it.
        atexit.register(self._stop_at_exit)
        self.wait_ready()

    def wait_ready(self, timeout: float = READY_SECONDS) -> None:
        """Block until the work process has loaded the engine (the app takes traffic only
        then). Raises UserError if it exits or takes longer than `timeout`."""
        deadline = time.monotonic() + timeout
        while not self._ready.wait(0.1):
            if not self._process.is_alive():
                raise UserError(
                    f"the work process exited at start (code {self._process.exitcode}); "
                    "its error is in the log above"
                )
            if time.monotonic() > deadline:
                self._process.kill()
                raise UserError(f"the work process did not start in {timeout:.0f}s")

    def _encode(self, value: Any) -> Any:
        deps = self._deps()
        if value is deps:
            return _DEPS
        if isinstance(value, WebClient):
            return _CLIENT
        return value

    def submit(self, label: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        owner = getattr(fn, "__self__", None)
        target: Any = fn
        if owner is not None:
            deps = self._deps()
            member = next((m for m in _DEPS_MEMBERS if getattr(deps, m, None) is owner), None)
            if member is None:
                log.error("job %s dropped: %s cannot run in the work process", label, fn)
                return False
            target = (member, fn.__name__)
        try:  # here, so that a payload that cannot cross is reported, not lost silently
            task = pickle.dumps(
                (
                    label,
                    current_request.get(),  # its claim is taken where it runs
                    target,
                    tuple(self._encode(a) for a in args),
                    {k: self._encode(v) for k, v in kwargs.items()},
                )
            )
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            log.error("job %s dropped: cannot send it to the work process (%s)", label,
                      type(exc).__name__)  # fmt: skip
            return False
        with self._lock:
            if self._closed:
                log.warning("job %s dropped: shutting down", label)
                return False
            if not self._process.is_alive():
                lost = self._submitted - self._done.value
                log.error(
                    "work process exited (code %s), %d job(s) lost; starting it again",
                    self._process.exitcode,
                    max(0, lost),
                )
                self._start()
            self._submitted += 1
            self._queue.put(task)
        return True

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every job submitted so far has finished; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._done.value < self._submitted:
            if deadline is not None and time.monotonic() > deadline:
                return False
            if not self._process.is_alive():
                return False
            time.sleep(0.01)
        return True

    def _stop_at_exit(self) -> None:
        if not self._closed and self._process.is_alive():
            self.shutdown(5.0)

    def shutdown(self, timeout: float | None = 20.0) -> None:
        """Stop taking jobs, let the work process finish the queued ones, then stop it."""
        with self._lock:
            self._closed = True
        self._queue.put(None)
        self._process.join(timeout)
        if self._process.is_alive():
            log.warning("work process still busy after %ss: stopping it", timeout)
            self._process.kill()
            self._process.join(5)


# ------------------------------------------------------------------ in the work process


def work_process_main(settings: Settings, tasks: Any, done: Any, ready: Any) -> None:
    from bot.slack.logsetup import configure_logging
    from bot.slack.runtime import Runtime

    configure_logging(settings.log_level)
    # The web process decides when this one stops (it sends None, then waits for the
    # queued jobs): a Ctrl-C or a TERM sent to the whole process group must not cut them.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    try:
        os.nice(WORK_NICE)
    except OSError as exc:
        log.warning("work process: os.nice(%d) refused (%s)", WORK_NICE, type(exc).__name__)
    started = time.perf_counter()
    # Its own runtime: jobs on threads, the judgment in the judge pool, no housekeeping
    # loop (the web process runs that).
    # socket_mode: this Bolt app is never served (no signing secret needed), only its client
    # and listeners' functions are used.
    runtime = Runtime.start(
        replace(settings, work_mode="pool"), socket_mode=True, housekeeping_seconds=None
    )
    deps, client = runtime.deps, runtime.app.client
    warm_up(runtime.engine)
    ready.set()
    log.info(
        "work process %d ready: policy %s, nice %d, loaded in %.1fs",
        os.getpid(),
        runtime.engine.policy_version,
        os.nice(0),
        time.perf_counter() - started,
    )

    def decode(value: Any) -> Any:
        if value == _DEPS:
            return deps
        if value == _CLIENT:
            return client
        return value

    def finished() -> None:
        with done.get_lock():
            done.value += 1

    parent = os.getppid()
    try:
        while True:
            try:
                task = tasks.get(timeout=1.0)
            except queue.Empty:
                if os.getppid() != parent:  # the web process is gone: nobody to serve
                    log.warning("work process: the web process exited; stopping")
                    break
                continue
            except (EOFError, OSError):
                break
            if task is None:
                break
            label, request, target, args, kwargs = pickle.loads(task)
            token = current_request.set(request)
            try:
                fn = target
                if isinstance(target, tuple):
                    fn = getattr(getattr(deps, target[0]), target[1])
                ok = deps.jobs.submit(
                    label,
                    _counted(fn, finished),
                    *(decode(a) for a in args),
                    **{k: decode(v) for k, v in kwargs.items()},
                )
                if not ok:
                    finished()
            except Exception as exc:
                log.error("job %s not started: %s", label, describe_exception(exc))
                finished()
            finally:
                current_request.reset(token)
    finally:
        runtime.close()


def warm_up(engine: Any) -> None:
    """One check of a harmless draft: the judge's first embedding is several times slower
    than the rest, and no officer should wait for it."""
    from bot.core.models import CheckRequest

    try:
        engine.check(CheckRequest(text=WARM_UP_DRAFT, surface="warmup"))
    except Exception as exc:  # the first real check will report it properly
        log.warning("warm-up check failed: %s", describe_exception(exc))


def _counted(fn: Callable[..., Any], finished: Callable[[], None]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        finally:
            finished()

    return run
