"""Measure the three readers (rules, judge, combined) as shipped and on unseen wording.

`as_shipped` scores each draft with the engine exactly as it answers officers. `unseen`
scores each batch with heads fitted on the other batches only, and an `ok` threshold chosen
from the other batches' out-of-fold scores: the figure for wording the judge never saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.core.combine import COMBINATIONS
from bot.core.engine import Engine
from bot.core.evaluation import (
    CaseResult,
    EvalCase,
    EvalReport,
    Score,
    citations_valid,
    reader_verdicts,
    score_table,
)
from bot.core.judge import Assessment
from bot.core.models import CheckRequest, Finding
from bot.core.training import (
    DEFAULT_CONFIG,
    CorpusFeatures,
    EmbeddingCache,
    Progress,
    TrainConfig,
    choose_ok_threshold,
    leave_one_batch_out,
)
from bot.core.verdict import verdict_for


@dataclass
class Readings:
    cases: list[EvalCase]
    rule_findings: list[list[Finding]]
    assessments: list[Assessment]

    def table(self, combination: str = "fill") -> dict[str, dict[str, Score]]:
        verdicts = reader_verdicts(self.rule_findings, self.assessments, combination)
        return score_table(self.cases, verdicts)

    def report(self, engine: Engine) -> EvalReport:
        """The engine's full answers (citations included) from these readings."""
        report = EvalReport()
        for case, findings, assessment in zip(
            self.cases, self.rule_findings, self.assessments, strict=True
        ):
            decision = engine.decision(request_of(case), findings, assessment)
            report.results.append(
                CaseResult(case, decision, citations_valid(decision, engine.section))
            )
        return report

    def combinations(self) -> dict[str, Score]:
        """The combined reader's overall score under each way of combining."""
        return {name: self.table(name)["all"]["combined"] for name in COMBINATIONS}


def request_of(case: EvalCase) -> CheckRequest:
    return CheckRequest(text=case.text, account=case.account, incident=case.incident)  # type: ignore[arg-type]


def rule_findings_of(engine: Engine, cases: list[EvalCase]) -> list[list[Finding]]:
    return [engine.rule_findings(request_of(case)) for case in cases]


def as_shipped(
    engine: Engine, cases: list[EvalCase], rule_findings: list[list[Finding]] | None = None
) -> Readings:
    if engine.judge is None:
        raise ValueError("the engine has no judge")
    findings = rule_findings if rule_findings is not None else rule_findings_of(engine, cases)
    assessments = [engine.assess(request_of(case)) for case in cases]
    return Readings(cases, findings, assessments)  # type: ignore[arg-type]


def unseen(
    cases: list[EvalCase],
    rule_findings: list[list[Finding]],
    cache: EmbeddingCache,
    config: TrainConfig = DEFAULT_CONFIG,
    progress: Progress | None = None,
    with_verdicts: bool = True,
    batches: Sequence[str] | None = None,
) -> Readings:
    """Leave-one-batch-out readings, in the order of `cases`. Without the verdict heads
    (faster) the clear/not-clear split, and so every unsafe approval, is unchanged. With
    `batches`, only those are held out (each still scored by heads fitted on all others)
    and the readings cover only them."""
    features = CorpusFeatures.build(cases, cache, progress)
    folds = leave_one_batch_out(
        features, config, progress, batches=batches, with_verdicts=with_verdicts
    )
    harm = [assessment.harm for assessment in folds.assessments]
    harmful = [case.expected != "ok" for case in folds.cases]
    caught = [verdict_for(rule_findings[row]) != "ok" for row in folds.rows]
    thresholds = {}
    for batch in {case.batch for case in folds.cases}:
        others = [i for i, case in enumerate(folds.cases) if case.batch != batch]
        thresholds[batch] = choose_ok_threshold(
            [harm[i] for i in others], [harmful[i] for i in others], [caught[i] for i in others]
        )
    ordered: list[Assessment | None] = [None] * len(cases)
    for row, case, assessment in zip(folds.rows, folds.cases, folds.assessments, strict=True):
        ordered[row] = replace(assessment, ok_threshold=thresholds[case.batch])
    kept = [row for row, assessment in enumerate(ordered) if assessment is not None]
    return Readings(
        [cases[row] for row in kept],
        [rule_findings[row] for row in kept],
        [ordered[row] for row in kept],  # type: ignore[misc]
    )
