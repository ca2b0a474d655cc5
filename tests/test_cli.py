"""The `canipost` command as a user runs it: real subprocesses, real files, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pdf_factory import write_pdf

REPO = Path(__file__).resolve().parents[1]


def run(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None, cwd: Path
) -> subprocess.CompletedProcess[bytes]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OPENAI_", "SLACK_", "POLICY_DOCS_DIR", "CANIPOST_"))
    }
    environment["CANIPOST_DATA_DIR"] = str(cwd / "data")
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        env=environment,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[bytes], *needles: str) -> None:
    stderr = result.stderr.decode()
    assert result.returncode != 0
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_ask_prints_verdict_first_then_fixes_and_citations(tmp_path: Path) -> None:
    result = run("ask", "--account", "personal", "Prayers for the victim, Maria Lopez.",
                 cwd=tmp_path)  # fmt: skip
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr
    first_line = out.splitlines()[0]
    assert first_line.startswith("DO NOT POST")
    assert "Fix:" in out and "§ 1058.10(a)" in out
    assert out.index("Fix:") < out.index("§ 1058.10(a)")


def test_ask_json_is_the_decision_contract(tmp_path: Path) -> None:
    result = run("ask", "--json", "--account", "official", "--incident",
                 "Officers are on scene; avoid Main and 3rd.", cwd=tmp_path)  # fmt: skip
    decision = json.loads(result.stdout)
    assert decision["verdict"] == "needs_review" and decision["escalate"] is True
    for key in ("summary", "findings", "citations", "confidence", "policy_version", "engine"):
        assert key in decision
    assert decision["engine"] == "local"
    citation = decision["citations"][0]
    assert set(citation) == {"source", "section", "title", "quote", "page"}
    assert citation["quote"] in (REPO / "policy_docs" / citation["source"]).read_text("utf-8")


def test_ask_reads_stdin(tmp_path: Path) -> None:
    result = run("ask", "--json", "-", stdin="Bodycam clip from last night 😂".encode(),
                 cwd=tmp_path)  # fmt: skip
    assert json.loads(result.stdout)["verdict"] == "do_not_post"


def test_jsonl_keeps_order_and_reports_bad_lines_inline(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "Happy Thanksgiving from our family!", "account": "personal"}),
        "{not json",
        json.dumps({"text": "Ran his plate in NCIC, 3 priors", "account": "personal"}),
        json.dumps({"account": "personal"}),
        json.dumps({"text": "Officers on scene", "incident": "yes"}),
        json.dumps({"text": "  "}),
    ]
    source = tmp_path / "drafts.jsonl"
    source.write_bytes(("\n".join(lines) + "\n").encode() + b'{"text": "bad \xff byte"}\n')
    result = run("ask", "--jsonl", str(source), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert len(rows) == 7
    assert rows[0]["verdict"] == "ok"
    assert rows[1]["error"].startswith("line 2: not valid JSON")
    assert rows[2]["verdict"] == "do_not_post"
    assert 'missing "text"' in rows[3]["error"]
    assert '"incident" must be true or false' in rows[4]["error"]
    assert "empty" in rows[5]["error"]
    assert "UTF-8" in rows[6]["error"]
    assert "Traceback" not in result.stderr.decode()


@pytest.mark.parametrize(
    ("args", "stdin", "needles"),
    [
        (("ask", "   "), None, ("draft is empty",)),
        (("ask", "x" * 100_000), None, ("100,000 characters", "limit")),
        (("ask", "ding \x07 dong"), None, ("control character", "U+0007")),
        (("ask", "-"), b"caf\xe9 au lait", ("not valid UTF-8", "0xe9")),
        (("ask",), None, ("give the draft",)),
        (("ask", "--jsonl", "missing.jsonl"), None, ("cannot read missing.jsonl",)),
    ],
)
def test_bad_input_gets_one_clear_line_and_nonzero_exit(
    tmp_path: Path, args: tuple[str, ...], stdin: bytes | None, needles: tuple[str, ...]
) -> None:
    assert_one_line_error(run(*args, stdin=stdin, cwd=tmp_path), *needles)


def test_policy_folder_problems_name_the_folder_or_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("ask", "hello", env={"POLICY_DOCS_DIR": str(empty)}, cwd=tmp_path)
    assert_one_line_error(result, "has no policy files")

    result = run("index", env={"POLICY_DOCS_DIR": str(tmp_path / "gone")}, cwd=tmp_path)
    assert_one_line_error(result, "does not exist")

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "ok.md").write_text("## 1.1 Fine\n\nText.\n", encoding="utf-8")
    (bad / "scan.pdf").write_bytes(b"%PDF-1.7\n garbage")
    result = run("index", env={"POLICY_DOCS_DIR": str(bad)}, cwd=tmp_path)
    assert_one_line_error(result, "scan.pdf", "not a readable PDF")

    (bad / "scan.pdf").unlink()
    (bad / "old.md").write_bytes(b"## 2.1 Old\n\nna\xefve text\n")
    result = run("index", env={"POLICY_DOCS_DIR": str(bad)}, cwd=tmp_path)
    assert_one_line_error(result, "old.md", "not UTF-8")


def test_index_reports_what_it_read_and_uses_a_departments_folder(tmp_path: Path) -> None:
    policy = tmp_path / "dept"
    policy.mkdir()
    (policy / "rules.md").write_text("# Our Policy\n\n## 5.1 Photos\n\nNo crime-scene photos.\n",
                                     encoding="utf-8")  # fmt: skip
    write_pdf(policy / "annex.pdf", [["5.2 Victims", "Never name a victim."]])
    result = run("index", env={"POLICY_DOCS_DIR": str(policy)}, cwd=tmp_path)
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr
    assert "Index built: 2 file(s), 2 sections" in out
    again = run("ask", "--json", "the victim is Jane Roe", env={"POLICY_DOCS_DIR": str(policy)},
                cwd=tmp_path)  # fmt: skip
    decision = json.loads(again.stdout)
    assert decision["verdict"] == "do_not_post"
    assert {c["source"] for c in decision["citations"]} <= {"rules.md", "annex.pdf"}


def test_eval_command_reports_rules_judge_and_combined(tmp_path: Path) -> None:
    holdout = REPO / "evals" / "holdout.jsonl"
    result = run("eval", "--json", "--cases", str(holdout), cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    results = json.loads(result.stdout)
    assert set(results["as_shipped"]) == {"holdout", "all"}
    readers = results["as_shipped"]["all"]
    assert set(readers) == {"rules", "judge", "combined"}
    assert readers["combined"]["unsafe_approvals"] == 0
    assert readers["combined"]["cases"] == 80
    assert results["combined"]["citation_validity"] == 1.0


def test_eval_first_run_is_recorded_once_and_only_for_batches(tmp_path: Path) -> None:
    holdout = REPO / "evals" / "holdout.jsonl"
    refused = run("eval", "--first-run", "--cases", str(holdout), cwd=tmp_path)
    assert refused.returncode == 2
    assert "only batches get a first run" in refused.stderr.decode()
    recorded = sorted((REPO / "evals" / "first_runs").glob("*.json"))[0]
    batch = REPO / "evals" / "batches" / f"{recorded.stem}.jsonl"
    again = run("eval", "--first-run", "--cases", str(batch), cwd=tmp_path)
    assert again.returncode == 2
    assert "already has its first run on record" in again.stderr.decode()


def test_bench_reports_percentiles_and_the_budget_point(tmp_path: Path) -> None:
    result = run("bench", "--json", "--scales", "1", "--decisions", "20", "--repeats", "1",
                 cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(result.stdout)
    assert [row["label"] for row in data["rows"]] == ["1x", "10,000 passages"]
    assert data["budget"]["passages"] >= 10_000
    assert all(row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"] for row in data["rows"])


def test_model_path_from_the_command_line(tmp_path: Path) -> None:
    """`index` embeds once and then reuses the cache; `eval --engine llm` and `ask` go through
    the OpenAI-compatible server and still never answer looser than the rules."""
    from fake_openai import FakeOpenAI

    with FakeOpenAI() as server:
        env = {"OPENAI_API_KEY": "sk-test-cli", "OPENAI_BASE_URL": server.base_url}
        first = run("index", env=env, cwd=tmp_path)
        assert first.returncode == 0, first.stderr.decode()
        assert "92 passages, 0 from cache, 92 new" in first.stdout.decode()
        calls = len(server.embedding_requests)
        assert calls >= 1
        second = run("index", env=env, cwd=tmp_path)
        assert "92 from cache, 0 new in 0 call(s)" in second.stdout.decode()
        assert len(server.embedding_requests) == calls

        asked = run("ask", "--json", "--account", "personal",
                    "Prayers for the victim, Maria Lopez.", env=env, cwd=tmp_path)  # fmt: skip
        decision = json.loads(asked.stdout)
        assert decision["engine"] != "local" and decision["verdict"] == "do_not_post"
        sent = server.chat_requests[-1].text
        assert "Maria Lopez" not in sent

        cases = tmp_path / "few.jsonl"
        violations = [
            line
            for line in (REPO / "evals" / "cases.jsonl").read_text("utf-8").splitlines()
            if json.loads(line)["expected"] == "do_not_post"
        ]
        cases.write_text("\n".join(violations[:5]) + "\n", encoding="utf-8")
        evaluated = run("eval", "--json", "--engine", "llm", "--cases", str(cases), env=env,
                        cwd=tmp_path)  # fmt: skip
        assert evaluated.returncode == 0, evaluated.stderr.decode()
        report = json.loads(evaluated.stdout)["combined"]
        assert report["cases"] == 5 and report["unsafe_approvals"] == []
