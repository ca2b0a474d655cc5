"""The shipped eval set gates the build: no unsafe approvals, at least 90% exact."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import DEFAULT_POLICY_DIR
from bot.core.engine import Engine
from bot.core.evaluation import SHIPPED_CASE_FILES, load_cases, run_eval
from bot.core.models import VERDICTS
from bot.core.rules import RULE_CODES


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine.load(DEFAULT_POLICY_DIR, tmp_path_factory.mktemp("index"))


@pytest.mark.parametrize("path", SHIPPED_CASE_FILES, ids=lambda p: Path(p).name)
def test_no_unsafe_approvals_and_90_percent_exact(engine: Engine, path: Path) -> None:
    report = run_eval(engine, load_cases(path), engine.section)
    unsafe = [r.case.id for r in report.unsafe_approvals]
    assert unsafe == [], f"non-ok cases answered ok: {unsafe}"
    assert report.accuracy >= 0.9
    assert report.citation_validity == 1.0


def test_the_shipped_set_covers_every_verdict_and_rule() -> None:
    cases = [case for path in SHIPPED_CASE_FILES for case in load_cases(path)]
    assert len(cases) >= 100
    assert {case.expected for case in cases} == set(VERDICTS)
    labelled_codes = {code for case in cases for code in case.codes}
    engine_only = {"on_duty_live", "unclear_question"}  # labelled by verdict, not by code
    assert set(RULE_CODES) - engine_only <= labelled_codes
    assert any(case.category == "adversarial" for case in cases)
