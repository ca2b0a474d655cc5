"""Starting the app: `python -m bot.slack` (the same `serve()` as `canipost serve`) refuses
to start with one clear line and exit code 2 when something a person must fix is wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import slack_env
from fake_openai import FakeOpenAI
from fake_slack import FakeSlack

from bot.config import REPO_ROOT


def start(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot.slack"],
        env={**base, **env, "PYTHONPATH": str(REPO_ROOT)},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET is not set"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL must be"),
        ({"DATABASE_URL": "postgresql://canipost:pw@127.0.0.1:1/canipost"}, "database"),
        ({"SLACK_BOT_TOKEN": "xoxb-refused"}, "Slack refused SLACK_BOT_TOKEN (invalid_auth)"),
        ({"SLACK_APP_TOKEN": "xapp-1-test"}, "Slack refused SLACK_APP_TOKEN (invalid_auth)"),
    ],
    ids=["no-token", "no-secret", "bad-setting", "store-down", "token-refused", "socket-refused"],
)
def test_start_problems_give_one_line_and_exit_2(
    fake_slack: FakeSlack, tmp_path: Path, overrides: dict[str, str], expected: str
) -> None:
    fake_slack.fail(
        "auth.test", "invalid_auth", times=None, where=lambda c: c.token == "xoxb-refused"
    )
    result = start({**slack_env(fake_slack, tmp_path), **overrides}, tmp_path)
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert result.returncode == 2, result.stderr
    assert len(errors) == 1 and expected in errors[0], result.stderr
    assert errors[0].startswith("canipost: error: ")
    assert "Traceback" not in result.stderr and "pw@" not in result.stderr


def test_a_model_key_the_server_rejects_stops_the_start(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    with FakeOpenAI(valid_keys={"sk-good"}) as model_server:
        env = {
            **slack_env(fake_slack, tmp_path),
            "OPENAI_API_KEY": "sk-revoked",
            "OPENAI_BASE_URL": model_server.base_url,
        }
        result = start(env, tmp_path)
        probes = [r for r in model_server.requests if r.path.endswith("/models")]
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1, result.stderr
    assert "rejected OPENAI_API_KEY (HTTP 401)" in errors[0]
    assert "sk-revoked" not in result.stderr
    assert len(probes) == 1
