"""Admin commands for the review queue: the same rules as in Slack, run from a shell."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fake_slack import FakeSlack

from bot.config import DEFAULT_POLICY_DIR
from bot.core.engine import Engine
from bot.core.models import CheckRequest
from bot.store import Store

DRAFT = "We arrested Tyler Reed this morning on burglary charges."


@pytest.fixture
def workspace(tmp_path: Path) -> dict[str, object]:
    engine = Engine.load(DEFAULT_POLICY_DIR, tmp_path / "index")
    url = f"sqlite:///{tmp_path / 'canipost.db'}"
    old_clock = datetime.now(UTC) - timedelta(days=45)
    with Store.open(url, clock=lambda: old_clock) as store:
        old = store.create_escalation(
            draft_text="an old draft", decision=engine.check(CheckRequest("an old draft")),
            requester_id="UOLD", surface="dm", reason="asked", reply_channel="D1",
            reply_thread_ts=None,
        )  # fmt: skip
    with Store.open(url) as store:
        new = store.create_escalation(
            draft_text=DRAFT, decision=engine.check(CheckRequest(DRAFT, account="official")),
            requester_id="UOFF", surface="slash_command", reason="needs_review",
            reply_channel="C1", reply_thread_ts="1.2",
        )  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))}
    env.update(DATABASE_URL=url, REVIEWER_IDS="UREV,UOFF", CANIPOST_DATA_DIR=str(tmp_path / "data"))
    return {"env": env, "cwd": tmp_path, "url": url, "old": old.id, "new": new.id}


def canipost(workspace: dict[str, object], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True, text=True, env=workspace["env"], cwd=workspace["cwd"],
        timeout=60, check=False,
    )  # fmt: skip


def test_list_shows_pending_oldest_first_with_ages(workspace: dict[str, object]) -> None:
    result = canipost(workspace, "review", "list")
    rows = result.stdout.splitlines()[1:]
    assert [int(row.split()[0]) for row in rows] == [workspace["old"], workspace["new"]]
    assert rows[0].split()[2] == "45d"


def test_show_has_draft_decision_and_trail(workspace: dict[str, object]) -> None:
    result = canipost(workspace, "review", "show", str(workspace["new"]))
    assert DRAFT in result.stdout
    assert "NEEDS REVIEW" in result.stdout and "§ 1058.4(b)" in result.stdout
    assert "created by UOFF" in result.stdout


def test_decide_applies_reviewer_rules(workspace: dict[str, object]) -> None:
    case = str(workspace["new"])
    outsider = canipost(workspace, "review", "decide", case, "approve", "--as", "UNOBODY")
    assert outsider.returncode == 2 and "not a reviewer" in outsider.stderr
    own = canipost(workspace, "review", "decide", case, "approve", "--as", "UOFF")
    assert own.returncode == 2 and "cannot decide their own request" in own.stderr
    no_note = canipost(workspace, "review", "decide", case, "reject", "--as", "UREV")
    assert no_note.returncode == 2 and "--note" in no_note.stderr
    ok = canipost(workspace, "review", "decide", case, "reject", "--as", "UREV",
                  "--note", "Wait for the press release.")  # fmt: skip
    assert ok.returncode == 0 and "now rejected" in ok.stdout
    assert "SLACK_BOT_TOKEN is not set: the officer was not notified in Slack" in ok.stdout
    again = canipost(workspace, "review", "decide", case, "approve", "--as", "UREV")
    assert again.returncode == 2 and "already decided" in again.stderr
    with Store.open(str(workspace["url"])) as store:
        decided = store.get_escalation(int(case))
    assert decided.status == "rejected" and decided.reviewer_id == "UREV"
    assert decided.note == "Wait for the press release."


def test_unknown_id_and_overlong_note_are_clear(workspace: dict[str, object]) -> None:
    missing = canipost(workspace, "review", "show", "9999")
    assert missing.returncode == 2 and "no review request #9999" in missing.stderr
    long_note = canipost(workspace, "review", "decide", str(workspace["new"]), "changes",
                         "--as", "UREV", "--note", "x" * 2001)  # fmt: skip
    assert long_note.returncode == 2 and "limit is 2,000" in long_note.stderr


def test_purge_removes_only_old_drafts(workspace: dict[str, object]) -> None:
    result = canipost(workspace, "purge")
    assert "Purged the drafts of 1 review request(s) older than 30 day(s)." in result.stdout
    with Store.open(str(workspace["url"])) as store:
        assert store.get_escalation(int(workspace["old"])).draft_text == ""
        assert store.get_escalation(int(workspace["new"])).draft_text == DRAFT


def test_audit_exports_csv_and_json_without_drafts(workspace: dict[str, object]) -> None:
    since = (datetime.now(UTC) - timedelta(days=60)).date().isoformat()
    as_json = canipost(workspace, "audit", "--since", since, "--format", "json")
    events = json.loads(as_json.stdout)
    assert {event["escalation_id"] for event in events} == {workspace["old"], workspace["new"]}
    assert DRAFT not in as_json.stdout
    out = Path(str(workspace["cwd"])) / "trail.csv"
    as_csv = canipost(workspace, "audit", "--since", since, "--output", str(out))
    assert as_csv.returncode == 0
    assert out.read_text().splitlines()[0].startswith("event_id,")


def test_unreachable_database_is_one_line(workspace: dict[str, object]) -> None:
    workspace["env"]["DATABASE_URL"] = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    result = canipost(workspace, "review", "list")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def database_bytes(url: str) -> bytes:
    """Every byte SQLite keeps for the database: the file, its write-ahead log and index."""
    path = Path(url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*") if p.is_file())


def test_purge_days_0_leaves_no_draft_text_in_the_database_file(
    workspace: dict[str, object],
) -> None:
    # A model answer maps identifiers back into its summary, reasons and rewrite.
    with Store.open(str(workspace["url"])) as store:
        case = store.get_escalation(int(workspace["new"]))
        assert case is not None
        model_said = replace(
            case.decision,
            summary="Do not post: it names Tyler Reed, arrested this morning.",
            notes=("1058.4(b): the post names Tyler Reed before charges are filed.",),
            rewrite="We made an arrest this morning; Tyler Reed's case is with the DA.",
            engine="gpt-4.1-mini",
        )
        noted = store.create_escalation(
            draft_text=DRAFT + " (second copy)", decision=model_said, requester_id="UOFF",
            surface="dm", reason="asked", reply_channel="D1", reply_thread_ts=None,
            requester_note="Tyler Reed's mugshot is attached in the thread.",
        )  # fmt: skip
    before = database_bytes(str(workspace["url"]))
    assert b"Tyler Reed" in before  # the check below can fail

    result = canipost(workspace, "purge", "--days", "0")

    assert result.returncode == 0, result.stderr
    assert "Purged the drafts of 3 review request(s) (--days 0: all of them)." in result.stdout
    after = database_bytes(str(workspace["url"]))
    for text in ("Tyler Reed", "an old draft", "this morning on burglary", "mugshot"):
        assert text.encode() not in after, text
    with Store.open(str(workspace["url"])) as store:
        purged = store.get_escalation(noted.id)
        events = [event.action for event in store.events(noted.id)]
    assert purged is not None and purged.is_purged and purged.draft_text == ""
    assert purged.decision.verdict == model_said.verdict  # what was decided stays
    assert purged.decision.finding_codes == model_said.finding_codes
    assert purged.decision.citations == model_said.citations
    assert purged.decision.rewrite is None and purged.decision.notes == ()
    assert "Tyler" not in purged.decision.summary
    assert events == ["created", "draft_purged"]


def test_purge_rejects_negative_days(workspace: dict[str, object]) -> None:
    result = canipost(workspace, "purge", "--days", "-1")
    assert result.returncode == 2 and "--days must be 0 or more" in result.stderr
    assert "Traceback" not in result.stderr


def test_purge_replaces_the_posted_card(
    workspace: dict[str, object], fake_slack: FakeSlack
) -> None:
    with Store.open(str(workspace["url"])) as store:
        assert store.set_card(int(workspace["new"]), "CREVIEW01", "1700000999.000100")
    env = dict(workspace["env"])  # type: ignore[call-overload]
    env.update(SLACK_BOT_TOKEN="xoxb-test-purge", SLACK_API_URL=fake_slack.api_url)
    result = canipost({**workspace, "env": env}, "purge", "--days", "0")
    assert result.returncode == 0, result.stderr
    assert "1 review card(s) in Slack now say the draft was deleted." in result.stdout
    update = fake_slack.wait_for(
        "chat.update", lambda c: c.body.get("ts") == "1700000999.000100", timeout=10
    )[0]
    assert update.body["channel"] == "CREVIEW01" and update.error is None
    assert "draft deleted under the retention policy" in update.text_dump
    assert "Tyler Reed" not in update.text_dump


def test_purge_without_slack_says_which_cards_still_show_the_draft(
    workspace: dict[str, object],
) -> None:
    with Store.open(str(workspace["url"])) as store:
        store.set_card(int(workspace["old"]), "CREVIEW01", "1700000998.000100")
    result = canipost(workspace, "purge", "--days", "0")
    assert result.returncode == 0
    assert f"The review cards of #{workspace['old']} were not updated" in result.stdout
    assert "SLACK_BOT_TOKEN is not set" in result.stdout
