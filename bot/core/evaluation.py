"""Run the labelled eval set through an advisor and measure what matters to officers."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.errors import UserError
from bot.core.models import ACCOUNTS, VERDICTS, Advisor, CheckRequest, Decision, PolicySection
from bot.core.topics import CODE_TOPICS, INFORMATIVE_TOPICS, TOPIC_KEYS

EVALS_DIR = Path(__file__).resolve().parents[2] / "evals"
DEFAULT_CASES = EVALS_DIR / "cases.jsonl"
# The shipped labelled set: the tuning cases plus three held-out sets, each folded in after
# its first, untuned run was recorded (see README, "Quality and speed").
SHIPPED_CASE_FILES = (
    DEFAULT_CASES,
    EVALS_DIR / "holdout.jsonl",
    EVALS_DIR / "fresh.jsonl",
    EVALS_DIR / "fresh2.jsonl",
)
# Batches written for the judge (docs/labelling.md). A batch joins training only after its
# first run is on record in FIRST_RUNS_DIR, so no batch is scored by a judge that learnt it.
BATCHES_DIR = EVALS_DIR / "batches"
FIRST_RUNS_DIR = EVALS_DIR / "first_runs"


def batch_files() -> list[Path]:
    return sorted(BATCHES_DIR.glob("*.jsonl"))


def recorded_batch_files() -> list[Path]:
    """Batches whose first-run table is on record: the ones training may use."""
    return [path for path in batch_files() if (FIRST_RUNS_DIR / f"{path.stem}.json").exists()]


def corpus_files() -> list[Path]:
    """Everything the judge trains on: the shipped sets and the recorded batches."""
    return [*SHIPPED_CASE_FILES, *recorded_batch_files()]


@dataclass(frozen=True)
class EvalCase:
    id: str
    text: str
    account: str
    incident: bool
    expected: str
    category: str
    codes: tuple[str, ...]
    topics: tuple[str, ...] = ()
    batch: str = ""
    lang: str = "en"


@dataclass(frozen=True)
class CaseResult:
    case: EvalCase
    decision: Decision
    citations_valid: bool

    @property
    def correct(self) -> bool:
        return self.decision.verdict == self.case.expected

    @property
    def unsafe_approval(self) -> bool:
        return self.case.expected != "ok" and self.decision.verdict == "ok"

    @property
    def over_caution(self) -> bool:
        return self.case.expected == "ok" and self.decision.verdict in (
            "do_not_post",
            "needs_review",
        )

    @property
    def missed_codes(self) -> set[str]:
        return set(self.case.codes) - set(self.decision.finding_codes)


@dataclass
class EvalReport:
    results: list[CaseResult] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def accuracy(self) -> float:
        return sum(r.correct for r in self.results) / self.total if self.total else 0.0

    @property
    def unsafe_approvals(self) -> list[CaseResult]:
        return [r for r in self.results if r.unsafe_approval]

    @property
    def over_caution(self) -> list[CaseResult]:
        return [r for r in self.results if r.over_caution]

    @property
    def citation_validity(self) -> float:
        return sum(r.citations_valid for r in self.results) / self.total if self.total else 0.0

    @property
    def code_recall(self) -> float:
        expected = sum(len(r.case.codes) for r in self.results)
        missed = sum(len(r.missed_codes) for r in self.results)
        return (expected - missed) / expected if expected else 1.0

    def per_verdict(self) -> dict[str, tuple[int, int]]:
        """expected verdict -> (cases, answered exactly)."""
        totals: Counter[str] = Counter()
        hits: Counter[str] = Counter()
        for result in self.results:
            totals[result.case.expected] += 1
            hits[result.case.expected] += result.correct
        return {verdict: (totals[verdict], hits[verdict]) for verdict in VERDICTS}

    def confusion(self) -> dict[tuple[str, str], int]:
        return Counter((r.case.expected, r.decision.verdict) for r in self.results)

    def to_dict(self) -> dict[str, object]:
        return {
            "cases": self.total,
            "accuracy": round(self.accuracy, 4),
            "per_verdict": {
                verdict: {"cases": cases, "correct": correct}
                for verdict, (cases, correct) in self.per_verdict().items()
            },
            "unsafe_approvals": [r.case.id for r in self.unsafe_approvals],
            "over_caution": [r.case.id for r in self.over_caution],
            "citation_validity": round(self.citation_validity, 4),
            "code_recall": round(self.code_recall, 4),
            "wrong": [
                {"id": r.case.id, "expected": r.case.expected, "got": r.decision.verdict}
                for r in self.results
                if not r.correct
            ],
        }


def load_cases(path: Path = DEFAULT_CASES) -> list[EvalCase]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise UserError(f"cannot read eval cases {path}: {error.strerror}") from None
    cases = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            codes = tuple(data.get("codes", ()))
            topics = data.get("topics")
            if topics is None:
                topics = [topic for code in codes for topic in CODE_TOPICS.get(code, ())]
            case = EvalCase(
                id=str(data["id"]),
                text=str(data["text"]),
                account=str(data.get("account", "unknown")),
                incident=bool(data.get("incident", False)),
                expected=str(data["expected"]),
                category=str(data.get("category", "")),
                codes=codes,
                topics=tuple(dict.fromkeys(str(topic) for topic in topics)),
                batch=path.stem,
                lang=str(data.get("lang", "en")),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise UserError(f"{path}:{number}: not a valid eval case ({error})") from None
        if case.expected not in VERDICTS or case.account not in ACCOUNTS:
            raise UserError(f"{path}:{number}: unknown verdict or account in case {case.id}")
        unknown = set(case.topics) - set(TOPIC_KEYS) - INFORMATIVE_TOPICS
        if unknown:
            raise UserError(f"{path}:{number}: unknown topic {sorted(unknown)[0]!r} in {case.id}")
        cases.append(case)
    if not cases:
        raise UserError(f"{path} has no eval cases")
    return cases


def citations_valid(
    decision: Decision, find_section: Callable[[str, str], PolicySection | None]
) -> bool:
    """Every quote is verbatim in its section, and a non-ok answer cites something."""
    if decision.verdict != "ok" and not decision.citations:
        return False
    for citation in decision.citations:
        section = find_section(citation.source, citation.section)
        if section is None or citation.quote not in section.text:
            return False
    return True


def run_eval(
    advisor: Advisor,
    cases: list[EvalCase],
    find_section: Callable[[str, str], PolicySection | None],
    progress: Callable[[int, int], None] | None = None,
) -> EvalReport:
    report = EvalReport()
    for index, case in enumerate(cases, 1):
        request = CheckRequest(
            text=case.text,
            account=case.account,  # type: ignore[arg-type]
            incident=case.incident,
            surface="eval",
        )
        decision = advisor.check(request)
        report.results.append(CaseResult(case, decision, citations_valid(decision, find_section)))
        if progress:
            progress(index, len(cases))
    return report


def format_report(report: EvalReport) -> str:
    lines = [f"{'expected verdict':<18}{'cases':>7}{'correct':>9}{'accuracy':>10}"]
    for verdict, (cases, correct) in report.per_verdict().items():
        share = f"{correct / cases:.1%}" if cases else "-"
        lines.append(f"{verdict:<18}{cases:>7}{correct:>9}{share:>10}")
    correct_total = sum(r.correct for r in report.results)
    lines.append(f"{'all':<18}{report.total:>7}{correct_total:>9}{report.accuracy:>10.1%}")
    lines.append("")
    lines.append(f"unsafe approvals (non-ok answered ok):        {len(report.unsafe_approvals)}")
    lines.append(
        f"over-caution (ok answered do_not_post/review): {len(report.over_caution)}"
        f" of {report.per_verdict()['ok'][0]}"
    )
    lines.append(f"citation validity (verbatim, non-ok cited):   {report.citation_validity:.1%}")
    lines.append(f"rule-code recall:                             {report.code_recall:.1%}")
    wrong = [r for r in report.results if not r.correct]
    if wrong:
        lines.append("")
        lines.append("wrong answers:")
        for result in wrong:
            flag = "  UNSAFE" if result.unsafe_approval else ""
            lines.append(
                f"  {result.case.id:<10} expected {result.case.expected:<13}"
                f"got {result.decision.verdict:<13}{flag}"
            )
    return "\n".join(lines)


# ----------------------------------------------------------- rules, judge, combined
@dataclass(frozen=True)
class Score:
    """How one reader did on a set of drafts."""

    cases: int
    exact: int
    unsafe: int  # a draft that breaks the policy answered ok
    harmful: int
    over_caution: int  # a harmless draft sent to review or refused
    harmless: int
    per_verdict: dict[str, tuple[int, int]]

    @classmethod
    def of(cls, cases: list[EvalCase], verdicts: list[str]) -> Score:
        totals: Counter[str] = Counter(case.expected for case in cases)
        hits: Counter[str] = Counter(
            case.expected for case, got in zip(cases, verdicts, strict=True) if got == case.expected
        )
        pairs = list(zip(cases, verdicts, strict=True))
        return cls(
            cases=len(cases),
            exact=sum(hits.values()),
            unsafe=sum(case.expected != "ok" and got == "ok" for case, got in pairs),
            harmful=sum(case.expected != "ok" for case in cases),
            over_caution=sum(
                case.expected == "ok" and got in ("do_not_post", "needs_review")
                for case, got in pairs
            ),
            harmless=totals["ok"],
            per_verdict={v: (totals[v], hits[v]) for v in VERDICTS},
        )

    @property
    def accuracy(self) -> float:
        return self.exact / self.cases if self.cases else 0.0

    def cell(self) -> str:
        return (
            f"{self.accuracy:6.1%} {self.unsafe:>3}/{self.harmful:<4}{self.over_caution:>3}/"
            f"{self.harmless:<4}"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "cases": self.cases,
            "exact": self.exact,
            "accuracy": round(self.accuracy, 4),
            "unsafe_approvals": self.unsafe,
            "harmful": self.harmful,
            "over_caution": self.over_caution,
            "harmless": self.harmless,
            "per_verdict": {
                v: {"cases": c, "correct": k} for v, (c, k) in self.per_verdict.items()
            },
        }


READERS = ("rules", "judge", "combined")


def reader_verdicts(
    rule_findings: list[list], assessments: list, combination: str = "fill"
) -> dict[str, list[str]]:
    """The verdict each reader gives every draft: the rule table alone, the judge alone, and
    the two combined as the engine combines them."""
    from bot.core.combine import judge_findings
    from bot.core.verdict import verdict_for

    rules = [verdict_for(findings) for findings in rule_findings]
    judge = [assessment.verdict for assessment in assessments]
    combined = [
        verdict_for(findings + judge_findings(findings, assessment, combination))  # type: ignore[arg-type]
        for findings, assessment in zip(rule_findings, assessments, strict=True)
    ]
    return {"rules": rules, "judge": judge, "combined": combined}


def score_table(
    cases: list[EvalCase], verdicts: dict[str, list[str]]
) -> dict[str, dict[str, Score]]:
    """batch -> reader -> Score, with an "all" row."""
    batches = list(dict.fromkeys(case.batch for case in cases)) + ["all"]
    table: dict[str, dict[str, Score]] = {}
    for batch in batches:
        rows = [i for i, case in enumerate(cases) if batch in ("all", case.batch)]
        table[batch] = {
            reader: Score.of([cases[i] for i in rows], [answers[i] for i in rows])
            for reader, answers in verdicts.items()
        }
    return table


def format_score_table(table: dict[str, dict[str, Score]], title: str) -> str:
    readers = list(next(iter(table.values())))
    header = f"{'batch':<10}" + "".join(
        f"{reader + ': exact unsafe over':<32}" for reader in readers
    )
    lines = [title, header]
    for batch, scores in table.items():
        lines.append(f"{batch:<10}" + "".join(f"{scores[r].cell():<32}" for r in readers))
    lines.append("(exact share; unsafe approvals / drafts that break the policy; over-caution /")
    lines.append(" harmless drafts)")
    return "\n".join(lines)


def format_first_runs(directory: Path = FIRST_RUNS_DIR) -> str:
    """The first-run table of every recorded batch, as Markdown (for evals/README.md)."""
    header = (
        "| batch | judge (trained on) | drafts | rules: exact, unsafe, over | "
        "judge: exact, unsafe, over | combined: exact, unsafe, over |"
    )
    lines = [header, "|---|---|---|---|---|---|"]
    totals: dict[str, Counter[str]] = {reader: Counter() for reader in READERS}
    for record in sorted(directory.glob("b[0-9]*.json")):
        data = json.loads(record.read_text(encoding="utf-8"))
        readers = data["readers"]
        trained = data.get("judge_trained_on") or []
        cells = []
        for reader in READERS:
            score = readers[reader]
            totals[reader].update(
                {k: score[k] for k in ("cases", "exact", "unsafe_approvals", "harmful")}
                | {"over": score["over_caution"], "harmless": score["harmless"]}
            )
            cells.append(
                f"{score['accuracy']:.1%}, {score['unsafe_approvals']}/{score['harmful']}, "
                f"{score['over_caution']}/{score['harmless']}"
            )
        judge = f"{data.get('judge')} ({len(trained)} sets)"
        lines.append(
            f"| {data['batch']} | {judge} | {readers['rules']['cases']} | "
            + " | ".join(cells)
            + " |"
        )
    cells = []
    for reader in READERS:
        t = totals[reader]
        share = t["exact"] / t["cases"] if t["cases"] else 0.0
        cells.append(
            f"{share:.1%}, {t['unsafe_approvals']}/{t['harmful']}, {t['over']}/{t['harmless']}"
        )
    lines.append(f"| all | | {totals['rules']['cases']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
