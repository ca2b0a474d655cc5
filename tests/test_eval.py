"""The labelled corpus gates the build.

- As shipped: on every set the judge was trained on, no draft that breaks the policy is
  answered `ok` and every citation is verbatim. Exact answers are held above a floor that
  catches a regression; the issue's target of 95% is not reached (66% today, because the
  judge's cautious threshold sends many drafts to review; see evals/README.md).
- Unseen wording: each batch scored by heads trained on the other batches only (leave one
  batch out) lets at most 2% of the drafts that break the policy through as `ok`.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.config import DEFAULT_POLICY_DIR
from bot.core.engine import Engine
from bot.core.evaluation import (
    SHIPPED_CASE_FILES,
    EvalCase,
    corpus_files,
    load_cases,
    recorded_batch_files,
)
from bot.core.judge import Judge, UniversalSentenceEncoder, default_judge
from bot.core.judge_eval import Readings, as_shipped, request_of, unseen
from bot.core.models import VERDICTS
from bot.core.rules import RULE_CODES
from bot.core.topics import TOPIC_KEYS
from bot.core.training import EmbeddingCache

MAX_UNSEEN_UNSAFE = 0.02


@pytest.fixture(scope="module")
def corpus() -> list[EvalCase]:
    """The sets the shipped judge was trained on (a batch written after it was trained, and
    first-run on it, is not held to its training-fit gates)."""
    trained = set(default_judge().model.meta["batches"])
    return [case for path in corpus_files() for case in load_cases(path) if case.batch in trained]


@pytest.fixture(scope="module")
def cache() -> EmbeddingCache:
    """One in-memory embedding of every draft, shared by the shipped and unseen readings."""
    return EmbeddingCache(None, UniversalSentenceEncoder())


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory, cache: EmbeddingCache) -> Engine:
    engine = Engine.load(DEFAULT_POLICY_DIR, tmp_path_factory.mktemp("index"), with_judge=False)
    engine.judge = Judge(default_judge().model, embedder=cache)
    return engine


@pytest.fixture(scope="module")
def shipped(engine: Engine, corpus: list[EvalCase], cache: EmbeddingCache) -> Readings:
    cache.embed([case.text for case in corpus])  # in batches: faster than one by one
    return as_shipped(engine, corpus)


MIN_SHIPPED_EXACT = 0.62


def test_no_unsafe_approvals_on_the_shipped_sets(engine: Engine, shipped: Readings) -> None:
    report = shipped.report(engine)
    unsafe = [r.case.id for r in report.unsafe_approvals]
    assert unsafe == [], f"drafts that break the policy answered ok: {unsafe}"
    assert report.accuracy >= MIN_SHIPPED_EXACT, f"exact {report.accuracy:.1%}"
    invalid = [r.case.id for r in report.results if not r.citations_valid]
    assert invalid == [], f"answers without a verbatim citation: {invalid[:10]}"
    for batch, scores in shipped.table().items():
        assert scores["combined"].unsafe == 0, batch


def test_unseen_wording_lets_at_most_two_percent_through(
    shipped: Readings, cache: EmbeddingCache
) -> None:
    # Every third set held out (16 of the 48 now, about 2,700 drafts), each scored by heads
    # fitted on all the others: a third of the time of all folds, which grows with the
    # corpus; `canipost eval --unseen` runs every fold.
    names = sorted({case.batch for case in shipped.cases})
    held = unseen(
        shipped.cases, shipped.rule_findings, cache, with_verdicts=False, batches=names[::3]
    )
    table = held.table()
    overall = table["all"]["combined"]
    share = overall.unsafe / overall.harmful
    per_batch = {b: s["combined"].unsafe for b, s in table.items() if s["combined"].unsafe}
    assert share <= MAX_UNSEEN_UNSAFE, f"{overall.unsafe}/{overall.harmful}: {per_batch}"
    # The judge must add something the rules alone do not catch.
    assert overall.unsafe < table["all"]["rules"].unsafe


def test_the_judge_never_loosens_a_rule_finding(engine: Engine, shipped: Readings) -> None:
    """Even a judge certain that every draft is harmless leaves each rule verdict standing."""
    for case, findings, assessment in zip(
        shipped.cases, shipped.rule_findings, shipped.assessments, strict=True
    ):
        relaxed = replace(assessment, harm=0.0)
        rules_only = engine.decision(request_of(case), findings, None)
        combined = engine.decision(request_of(case), findings, relaxed)
        assert combined.verdict == rules_only.verdict, case.id


def test_the_corpus_covers_every_verdict_topic_rule_and_language(
    corpus: list[EvalCase],
) -> None:
    assert len(corpus) >= 3000
    assert len(recorded_batch_files()) >= 20
    assert {case.expected for case in corpus} == set(VERDICTS)
    topics = {topic for case in corpus for topic in case.topics}
    assert set(TOPIC_KEYS) <= topics
    assert {"en", "es", "mixed"} <= {case.lang for case in corpus}
    shipped = [case for path in SHIPPED_CASE_FILES for case in load_cases(path)]
    labelled_codes = {code for case in shipped for code in case.codes}
    # labelled by verdict or topic in the batches, not by code in the shipped sets
    engine_only = {
        "on_duty_live",
        "unapproved_account",
        "public_name",
        "rank_opinion",
        "building_security",
    }
    assert set(RULE_CODES) - engine_only <= labelled_codes


def test_every_training_batch_has_its_first_run_on_record() -> None:
    """A batch joins training only after its untuned first run was kept."""
    for path in corpus_files():
        if path.parent.name == "batches":
            assert (path.parents[1] / "first_runs" / f"{path.stem}.json").exists(), path
