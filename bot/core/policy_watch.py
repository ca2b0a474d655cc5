"""Watch a policy folder and load each new version in the background.

The running app calls `PolicyWatcher.start()`: every `interval` seconds it looks at the
folder's files (names, sizes, modification times; a change is confirmed by their content
hashes), waits until a change has stopped changing for one look (an editor still writing a
file is not loaded half-written), then builds the new engine on its own thread and hands it
to `on_load`, which swaps it in. Checks go on being answered by the version in service the
whole time. A version that fails to load (a damaged PDF, a file that is not UTF-8, a broken
policy.toml) is reported in one warning line, once, and the last good version keeps serving
until the files change again.

Pure Python: no Slack, no network.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Literal, TypeVar

log = logging.getLogger(__name__)

Outcome = Literal["unchanged", "settling", "reloaded", "failed"]
Loaded = TypeVar("Loaded")

Snapshot = tuple[tuple[str, int, int], ...]


def snapshot(policy_dir: Path) -> Snapshot:
    """(relative path, size, mtime_ns) of every visible file under `policy_dir`; cheap."""
    entries = []
    try:
        paths = sorted(Path(policy_dir).rglob("*"))
    except OSError:
        return ()
    for path in paths:
        relative = path.relative_to(policy_dir).as_posix()
        if any(part.startswith(".") for part in Path(relative).parts):
            continue
        try:
            stat = path.stat()
        except OSError:
            continue
        if path.is_file():
            entries.append((relative, stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


def fingerprint(policy_dir: Path, files: Snapshot) -> str:
    """A hash of the named files' paths and contents (what decides "a new version")."""
    digest = hashlib.sha256()
    for relative, _size, _mtime in files:
        digest.update(relative.encode() + b"\0")
        try:
            digest.update(hashlib.sha256((Path(policy_dir) / relative).read_bytes()).digest())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()


@dataclass
class _State:
    seen: Snapshot  # what the folder looked like at the last look
    settled: Snapshot  # the last look that was loaded (or failed): not hashed again
    served: str  # fingerprint of the version in service
    failed: str | None = None  # fingerprint of the last version that failed to load


class PolicyWatcher(Generic[Loaded]):
    """Polls `policy_dir`; `load()` builds a version, `on_load(version)` puts it in service,
    `describe(version)` names it in the log ("policy 1a2b3c (412 sections)")."""

    def __init__(
        self,
        policy_dir: Path,
        *,
        load: Callable[[], Loaded],
        on_load: Callable[[Loaded], None],
        describe: Callable[[Loaded], str],
        serving: str,
        interval: float = 10.0,
    ) -> None:
        self.policy_dir = Path(policy_dir)
        self.load = load
        self.on_load = on_load
        self.describe = describe
        self.serving = serving  # how the version in service is named in the log
        self.interval = interval
        files = snapshot(self.policy_dir)
        self._state = _State(files, files, fingerprint(self.policy_dir, files))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one look at a time (the loop, or a test's poll())

    def start(self) -> PolicyWatcher[Loaded]:
        self._thread = threading.Thread(target=self._run, name="policy-watch", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.poll()
            except Exception:  # never let the watcher die; the next look tries again
                log.exception("policy watch: unexpected error (will look again)")

    def poll(self) -> Outcome:
        """Look once; load and swap in a changed version that has settled."""
        with self._lock:
            state = self._state
            files = snapshot(self.policy_dir)
            if files == state.settled:
                return "unchanged"
            if files != state.seen:
                state.seen = files
                return "settling"  # changed since the last look: wait for it to settle
            state.settled = files
            current = fingerprint(self.policy_dir, files) if files else ""
            if current in (state.served, state.failed):
                return "unchanged"  # touched, or put back as it was
            return self._load(current)

    def _load(self, version: str) -> Outcome:
        state = self._state
        try:
            loaded = self.load()
        except Exception as error:  # a damaged file must never take the bot down
            state.failed = version
            reason = " ".join(str(error).split()) or type(error).__name__
            log.warning(
                "policy folder %s changed but cannot be loaded: %s; still serving %s "
                "(fix the file and it is picked up without a restart)",
                self.policy_dir,
                reason,
                self.serving,
            )
            return "failed"
        previous = self.serving
        self.on_load(loaded)
        self.serving = self.describe(loaded)
        state.served, state.failed = version, None
        log.info("policy reloaded without a restart: %s -> %s", previous, self.serving)
        return "reloaded"
