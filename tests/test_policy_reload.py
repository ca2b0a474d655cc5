"""Policy reload without restart: a changed policy folder is loaded in the background and
swapped in; a damaged file leaves the last good version serving with one warning."""

from __future__ import annotations

import itertools
import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SlackHarness
from fake_slack import dm_event
from review_harness import uid

from bot.config import DEFAULT_POLICY_DIR
from bot.core.engine import Engine
from bot.core.policy_watch import PolicyWatcher

POLICY_FILE = "social-media-policy.md"
OLD_RULE = "Employees must not post anything that identifies a crime victim"
NEW_RULE = "Employees shall never post anything at all that identifies a crime victim"
VICTIM = "The victim, Maria Gonzalez, was assaulted at 41 Oak Avenue last night."

_ts = itertools.count(1)


@pytest.fixture
def policy_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "policy"
    shutil.copytree(DEFAULT_POLICY_DIR, folder)
    return folder


def edit(policy_dir: Path, old: str, new: str) -> None:
    path = policy_dir / POLICY_FILE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def damage(policy_dir: Path) -> None:
    (policy_dir / "addendum.md").write_bytes(b"# Addendum\n\nCaf\xe9 rules \xff\xfe\n")


def until(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_the_watcher_loads_a_change_keeps_the_last_good_version_and_warns_once(
    policy_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def load() -> Engine:
        return Engine.load(policy_dir, tmp_path / "index", with_judge=False)

    served = [load()]
    watcher = PolicyWatcher(
        policy_dir,
        load=load,
        on_load=served.append,
        describe=lambda engine: f"policy {engine.policy_version}",
        serving=f"policy {served[0].policy_version}",
        interval=3600,
    )
    assert watcher.poll() == "unchanged"

    edit(policy_dir, OLD_RULE, NEW_RULE)
    assert watcher.poll() == "settling"  # changed since the last look: not read half-written
    assert watcher.poll() == "reloaded"
    assert len(served) == 2 and served[1].policy_version != served[0].policy_version
    assert any(NEW_RULE in passage.text for passage in served[1].passages)
    assert watcher.poll() == "unchanged"

    caplog.set_level(logging.WARNING, logger="bot.core.policy_watch")
    damage(policy_dir)
    outcomes = [watcher.poll() for _ in range(4)]
    assert outcomes == ["settling", "failed", "unchanged", "unchanged"]
    assert len(served) == 2  # the last good version is still the one in service
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    message = warning.getMessage()
    assert "addendum.md is not UTF-8" in message
    assert f"still serving policy {served[1].policy_version}" in message
    assert "\n" not in message

    (policy_dir / "addendum.md").write_text("# Addendum\n\nCafé rules apply.\n", "utf-8")
    assert [watcher.poll(), watcher.poll()] == ["settling", "reloaded"]
    assert len(served) == 3 and any("Addendum" in s.title for s in served[2].sections)


def answer(slack: SlackHarness, text: str) -> str:
    user = uid("URELOAD")  # the fake Slack is shared by every module: ids of our own
    slack.sender.event(dm_event(user, text, ts=f"{1_840_000_000 + next(_ts)}.000732"))
    [call] = slack.fake.wait_for("chat.postMessage", lambda c: c.body.get("channel") == "D" + user)
    return call.text_dump


def test_the_running_app_answers_from_the_new_policy_without_a_restart(
    make_slack_app: Callable[..., SlackHarness],
    policy_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    slack = make_slack_app(POLICY_DOCS_DIR=str(policy_dir), POLICY_RELOAD_SECONDS="0.05")
    runtime = slack.runtime
    assert runtime is not None and runtime.watcher is not None
    first = runtime.engine.policy_version
    assert OLD_RULE in answer(slack, VICTIM)

    edit(policy_dir, OLD_RULE, NEW_RULE)
    assert until(lambda: runtime.engine.policy_version != first)
    reloaded = runtime.engine.policy_version
    text = answer(slack, VICTIM)
    assert NEW_RULE in text and OLD_RULE not in text

    caplog.set_level(logging.WARNING, logger="bot.core.policy_watch")
    damage(policy_dir)
    assert until(lambda: any("cannot be loaded" in r.getMessage() for r in caplog.records))
    time.sleep(0.3)  # several more looks at the same damaged folder
    assert runtime.engine.policy_version == reloaded
    assert NEW_RULE in answer(slack, VICTIM)  # the last good version keeps answering
    warnings = [r for r in caplog.records if "cannot be loaded" in r.getMessage()]
    assert len(warnings) == 1


def test_the_reload_interval_is_read_from_the_environment() -> None:
    from bot.config import ConfigError, Settings

    assert Settings.from_env({}, dotenv=False).policy_reload_seconds == 10.0
    assert Settings.from_env({"POLICY_RELOAD_SECONDS": "2.5"}, dotenv=False).policy_reload_seconds
    assert (
        Settings.from_env({"POLICY_RELOAD_SECONDS": "0"}, dotenv=False).policy_reload_seconds == 0
    )
    assert (
        Settings.from_env({"POLICY_RELOAD_SECONDS": "off"}, dotenv=False).policy_reload_seconds == 0
    )
    with pytest.raises(ConfigError, match="POLICY_RELOAD_SECONDS must be a number"):
        Settings.from_env({"POLICY_RELOAD_SECONDS": "soon"}, dotenv=False)
