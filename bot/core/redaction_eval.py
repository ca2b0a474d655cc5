"""How much of what must not leave the machine redaction actually removes.

`evals/redaction.jsonl` holds drafts written to get identifiers past redaction (spelled-out
and unformatted phone numbers, international numbers, plates with spaces, dispatch numbers,
names in every case order or with invisible and look-alike letters, e-mails and birth dates
written out, addresses with written numbers), each with the exact strings that must be
redacted and strings that must survive (so redacting everything does not score). A string
counts as redacted when every one of its characters falls inside a replaced span.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.errors import InputError
from bot.core.redact import redact

REDACTION_CASES = Path(__file__).resolve().parents[2] / "evals" / "redaction.jsonl"


@dataclass(frozen=True)
class RedactionCase:
    id: str
    kind: str
    text: str
    redact: tuple[str, ...]
    keep: tuple[str, ...] = ()


@dataclass
class KindScore:
    caught: int = 0
    total: int = 0
    kept: int = 0
    keep_total: int = 0


@dataclass
class RedactionReport:
    by_kind: dict[str, KindScore] = field(default_factory=dict)
    missed: list[tuple[str, str]] = field(default_factory=list)  # (case id, string)
    over_redacted: list[tuple[str, str]] = field(default_factory=list)

    @property
    def caught(self) -> int:
        return sum(score.caught for score in self.by_kind.values())

    @property
    def total(self) -> int:
        return sum(score.total for score in self.by_kind.values())

    @property
    def recall(self) -> float:
        return self.caught / self.total if self.total else 1.0

    @property
    def kept(self) -> int:
        return sum(score.kept for score in self.by_kind.values())

    @property
    def keep_total(self) -> int:
        return sum(score.keep_total for score in self.by_kind.values())

    def line(self) -> str:
        return (
            f"redaction: {self.caught}/{self.total} evasions redacted "
            f"(recall {self.recall:.1%}); {self.kept}/{self.keep_total} harmless phrases kept"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "caught": self.caught,
            "total": self.total,
            "recall": round(self.recall, 4),
            "kept": self.kept,
            "keep_total": self.keep_total,
            "by_kind": {
                kind: {"caught": s.caught, "total": s.total, "kept": s.kept, "keep": s.keep_total}
                for kind, s in sorted(self.by_kind.items())
            },
            "missed": [list(item) for item in self.missed],
            "over_redacted": [list(item) for item in self.over_redacted],
        }


def load_redaction_cases(path: Path = REDACTION_CASES) -> list[RedactionCase]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read {path}: {error}") from None
    cases = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            case = RedactionCase(
                id=str(data["id"]),
                kind=str(data["kind"]),
                text=str(data["text"]),
                redact=tuple(data.get("redact") or ()),
                keep=tuple(data.get("keep") or ()),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise InputError(f"{path}:{number}: not a redaction case ({error})") from None
        for value in (*case.redact, *case.keep):
            if value not in case.text:
                raise InputError(f"{path}:{number}: {value!r} is not in the draft")
        cases.append(case)
    return cases


def _covered(start: int, end: int, spans: tuple[tuple[int, int], ...]) -> bool:
    return all(any(a <= index < b for a, b in spans) for index in range(start, end))


def _touched(start: int, end: int, spans: tuple[tuple[int, int], ...]) -> bool:
    return any(a < end and start < b for a, b in spans)


def run_redaction_eval(cases: list[RedactionCase]) -> RedactionReport:
    report = RedactionReport(by_kind=defaultdict(KindScore))
    for case in cases:
        result = redact(case.text)
        score = report.by_kind[case.kind]
        for value in case.redact:
            start = case.text.index(value)
            score.total += 1
            if _covered(start, start + len(value), result.spans):
                score.caught += 1
            else:
                report.missed.append((case.id, value))
        for value in case.keep:
            start = case.text.index(value)
            score.keep_total += 1
            if _touched(start, start + len(value), result.spans):
                report.over_redacted.append((case.id, value))
            else:
                score.kept += 1
    report.by_kind = dict(report.by_kind)
    return report


def format_redaction_report(report: RedactionReport) -> str:
    lines = ["== redaction: drafts written to get identifiers past it ==", ""]
    lines.append(f"  {'kind':<22}{'redacted':>10}{'kept':>8}")
    for kind, score in sorted(report.by_kind.items()):
        kept = f"{score.kept}/{score.keep_total}"
        lines.append(f"  {kind:<22}{f'{score.caught}/{score.total}':>10}{kept:>8}")
    lines.append("")
    for case_id, value in report.missed:
        lines.append(f"  missed     {case_id}: {value!r}")
    for case_id, value in report.over_redacted:
        lines.append(f"  redacted   {case_id}: {value!r} (should have stayed)")
    lines.append(report.line())
    return "\n".join(lines)
