"""`canipost eval --redaction`: recall on the evasion set, by kind, and what was missed."""

from __future__ import annotations

import json
from pathlib import Path

from test_cli import run


def test_redaction_eval_reports_recall_by_kind(tmp_path: Path) -> None:
    result = run("eval", "--redaction", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)["redaction"]
    assert report["total"] >= 40 and report["recall"] >= 0.95
    assert {"phone_spelled", "cad_number", "name_confusables"} <= set(report["by_kind"])

    text = run("eval", "--redaction", cwd=tmp_path).stdout.decode()
    assert "phone_international" in text
    assert f"redaction: {report['caught']}/{report['total']} evasions redacted" in text


def test_a_miss_and_an_over_redaction_are_named(tmp_path: Path) -> None:
    cases = tmp_path / "mine.jsonl"
    lines = [
        # a nickname with no enforcement context and no shape: nothing can find it
        {"id": "m1", "kind": "nickname", "text": "Say hi to Big Tony for me.", "redact": ["Tony"]},
        {"id": "m2", "kind": "phone", "text": "Victim cell 5551234567", "redact": ["5551234567"]},
        {
            "id": "m3",
            "kind": "keep",
            "text": "Arrested at 12 Elm Street.",
            "redact": [],
            "keep": ["12 Elm Street"],
        },
    ]
    cases.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    result = run("eval", "--redaction", "--cases", str(cases), cwd=tmp_path)
    text = result.stdout.decode()
    assert "missed     m1: 'Tony'" in text
    assert "redacted   m3: '12 Elm Street' (should have stayed)" in text
    assert "redaction: 1/2 evasions redacted (recall 50.0%); 0/1 harmless phrases kept" in text

    cases.write_text('{"id": "x", "kind": "k", "text": "abc", "redact": ["zzz"]}\n')
    bad = run("eval", "--redaction", "--cases", str(cases), cwd=tmp_path)
    assert bad.returncode == 2 and b"Traceback" not in bad.stderr
    assert b"'zzz' is not in the draft" in bad.stderr
