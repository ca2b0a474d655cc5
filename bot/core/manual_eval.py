"""Questions about real departments' manuals, scored against those manuals.

Each line of `evals/manuals/<set>.jsonl` was written by a reader of one manual (and checked by a
second reader): a draft, the provision that governs it as the manual numbers itself, its page,
and the answer the manual calls for. `evals/manuals/folders.json` names the folder of each
set's manual under a policies root (the manuals are never copied into this repository).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.engine import Engine
from bot.core.errors import PolicyError
from bot.core.evaluation import EVALS_DIR
from bot.core.models import CheckRequest, Decision

MANUALS_DIR = EVALS_DIR / "manuals"
FOLDERS_FILE = MANUALS_DIR / "folders.json"
FIRST_RUNS = EVALS_DIR / "first_runs"


def first_run_path(name: str) -> Path:
    """Where a question set's first run is recorded (once, before anything is tuned to it)."""
    return FIRST_RUNS / f"manual-{name}.json"


_ID_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class ManualCase:
    id: str
    text: str
    account: str
    incident: bool
    governing: tuple[str, ...]
    file: str
    page: int
    expected: str
    force: str


@dataclass
class ManualResult:
    case: ManualCase
    decision: Decision
    governing_cited: bool
    quotes_whole: bool
    pages_shown: bool

    @property
    def unsafe(self) -> bool:
        return self.case.expected != "ok" and self.decision.verdict == "ok"

    @property
    def over_escalated(self) -> bool:
        return self.case.expected == "ok" and self.decision.verdict != "ok"


@dataclass
class ManualReport:
    name: str
    sections: int
    index_seconds: float
    results: list[ManualResult] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        harmful = [r for r in self.results if r.case.expected != "ok"]
        harmless = [r for r in self.results if r.case.expected == "ok"]
        return {
            "cases": len(self.results),
            "governing_cited": sum(r.governing_cited for r in self.results),
            "exact": sum(r.decision.verdict == r.case.expected for r in self.results),
            "harmful": len(harmful),
            "unsafe_ok": sum(r.unsafe for r in harmful),
            "harmless": len(harmless),
            "over_escalated": sum(r.over_escalated for r in harmless),
            "quotes_whole": sum(r.quotes_whole for r in self.results),
            "pages_shown": sum(r.pages_shown for r in self.results),
        }


def id_tokens(section_id: str) -> tuple[str, ...]:
    """'1026.4(g)' -> ('1026', '4', 'g'); 'PERSONAL USE 4.b' -> ('personal', 'use', '4', 'b');
    a '~2' suffix (a repeated id) is ignored."""
    return tuple(_ID_TOKEN.findall(section_id.split("~")[0].lower()))


def cites(decision: Decision, governing: tuple[str, ...]) -> bool:
    """True when a citation is the governing provision or one of its items."""
    wanted = [id_tokens(item) for item in governing]
    for citation in decision.citations:
        cited = id_tokens(citation.section)
        if any(cited[: len(goal)] == goal for goal in wanted if goal):
            return True
    return False


def load_manual_cases(path: Path) -> list[ManualCase]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise PolicyError(f"{path.name} line {number}: not JSON ({error.msg})") from None
        if str(item.get("check", "")).startswith("dropped"):
            continue
        cases.append(
            ManualCase(
                id=str(item["id"]),
                text=str(item["text"]),
                account=str(item.get("account", "unknown")),
                incident=bool(item.get("incident", False)),
                governing=tuple(str(value) for value in item["governing"]),
                file=str(item.get("file", "")),
                page=int(item.get("page", 0)),
                expected=str(item["expected"]),
                force=str(item.get("force", "")),
            )
        )
    return cases


def _whole_sentences(decision: Decision, engine: Engine) -> bool:
    for citation in decision.citations:
        section = engine.section(citation.source, citation.section)
        if section is None or citation.quote not in section.text:
            return False
        quote = citation.quote.strip()
        whole_line = any(line.strip(" •") == quote.strip(" •") for line in section.text.split("\n"))
        if not (quote.endswith((".", "!", "?", ":", ";", ")")) or whole_line):
            return False
    return True


def _pages_shown(decision: Decision, engine: Engine) -> bool:
    return all(
        citation.page is not None
        for citation in decision.citations
        if citation.source.lower().endswith(".pdf")
    )


def manual_sets() -> dict[str, str]:
    """Question set name -> the folder of its manual under the policies root."""
    try:
        return json.loads(FOLDERS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PolicyError(f"cannot read {FOLDERS_FILE}: {error}") from None


def run_manual_eval(
    policies_root: Path, cache_dir: Path | None = None, only: set[str] | None = None
) -> list[ManualReport]:
    reports = []
    engines: dict[str, Engine] = {}
    for name, folder in manual_sets().items():
        if only is not None and name not in only:
            continue
        path = MANUALS_DIR / f"{name}.jsonl"
        manual = Path(policies_root) / folder
        if not manual.is_dir():
            raise PolicyError(f"manual folder {manual} does not exist (pass --manuals ROOT)")
        engine = engines.get(folder) or Engine.load(manual, cache_dir)
        engines[folder] = engine
        report = ManualReport(name, engine.stats.sections, engine.stats.seconds)
        for case in load_manual_cases(path):
            request = CheckRequest(case.text, account=case.account, incident=case.incident)  # type: ignore[arg-type]
            decision = engine.check(request)
            report.results.append(
                ManualResult(
                    case,
                    decision,
                    cites(decision, case.governing),
                    _whole_sentences(decision, engine),
                    _pages_shown(decision, engine),
                )
            )
        reports.append(report)
    return reports


def totals(reports: list[ManualReport]) -> dict[str, int]:
    total: dict[str, int] = {}
    for report in reports:
        for key, value in report.counts().items():
            total[key] = total.get(key, 0) + value
    return total


def format_manual_reports(reports: list[ManualReport]) -> str:
    header = (
        "| manual | sections | cases | governing cited | exact | unsafe ok | "
        "over-escalated | whole-sentence quotes | pages shown |"
    )
    lines = [header, "|" + "---|" * 9]

    def row(name: str, sections: str, c: dict[str, int]) -> str:
        return (
            f"| {name} | {sections} | {c['cases']} | {c['governing_cited']}/{c['cases']} | "
            f"{c['exact']}/{c['cases']} | {c['unsafe_ok']}/{c['harmful']} | "
            f"{c['over_escalated']}/{c['harmless']} | {c['quotes_whole']}/{c['cases']} | "
            f"{c['pages_shown']}/{c['cases']} |"
        )

    for report in reports:
        lines.append(row(report.name, str(report.sections), report.counts()))
    lines.append(row("**all**", "", totals(reports)))
    return "\n".join(lines)


def manual_report_dict(reports: list[ManualReport]) -> dict[str, object]:
    return {
        "manuals": {
            report.name: {
                **report.counts(),
                "sections": report.sections,
                "cases_detail": [
                    {
                        "id": r.case.id,
                        "expected": r.case.expected,
                        "verdict": r.decision.verdict,
                        "governing": list(r.case.governing),
                        "cited": [c.section for c in r.decision.citations],
                        "governing_cited": r.governing_cited,
                    }
                    for r in report.results
                ],
            }
            for report in reports
        },
        "all": totals(reports),
    }
