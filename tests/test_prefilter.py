"""The RE2 prefilter may only skip patterns that cannot match: findings never change."""

from __future__ import annotations

import re

import pytest

from bot.core.evaluation import SHIPPED_CASE_FILES, load_cases
from bot.core.models import CheckRequest
from bot.core.prefilter import PatternSet, loosened
from bot.core.rules import RULES, match_rules, scanner_for
from bot.core.text import normalize, normalize_light


def _views(text: str) -> dict:
    return {"strict": normalize(text), "light": normalize_light(text)}


def _findings(request: CheckRequest, prefilter: bool) -> list[tuple[str, object]]:
    views = _views(request.text)
    return [(rule.code, f.span) for rule, f in match_rules(request, views, RULES, prefilter)]


def test_every_rule_pattern_has_an_re2_twin() -> None:
    # A pattern without a twin still works (it always runs) but costs the full price.
    for view, patterns in scanner_for(RULES).sets.items():
        assert not patterns.always, f"{view} patterns with no RE2 twin: {sorted(patterns.always)}"


def test_the_shipped_cases_get_the_same_findings_with_and_without_the_prefilter() -> None:
    cases = [case for path in SHIPPED_CASE_FILES for case in load_cases(path)]
    assert len(cases) >= 400
    for case in cases:
        for account in ("personal", "official"):
            request = CheckRequest(text=case.text, account=account, incident=case.incident)
            assert _findings(request, True) == _findings(request, False), case.id


@pytest.mark.parametrize(
    ("pattern", "flags", "text"),
    [
        # look-arounds are dropped, so the twin matches more, never less
        (r"approved (?:this(?=\s*(?:[^\w\s]|$)))", re.I, "the chief approved this!"),
        (r"(?<!not )allowed", re.I, "it is allowed"),
        # a case-sensitive group becomes case-insensitive
        (r"officer (?-i:[A-Z][a-z]+)", re.I, "officer Reyes"),
        # counted gaps open up
        (r"raid.{0,40}?tomorrow", re.I | re.S, "raid on elm street tomorrow"),
        (r"\b(?:only|just)\s+\d+\s+of us\b", re.I, "Only 3 of us tonight"),
    ],
)
def test_a_twin_matches_wherever_its_pattern_does(pattern: str, flags: int, text: str) -> None:
    compiled = re.compile(pattern, flags)
    assert compiled.search(text)
    assert 0 in PatternSet.build([compiled]).candidates(text)
    assert loosened(pattern, flags) is not None


def test_a_twin_that_does_not_match_lets_its_pattern_be_skipped() -> None:
    patterns = PatternSet.build([re.compile(r"\bsearch warrant\b", re.I)])
    assert patterns.candidates("we had a lovely picnic") == set()


def test_on_text_with_non_ascii_letters_every_pattern_runs() -> None:
    # RE2's \w and \b are ASCII; where that could differ from Python the prefilter steps aside.
    patterns = PatternSet.build([re.compile(r"\bzzz\b", re.I), re.compile(r"qqq", re.I)])
    assert patterns.candidates("una canción para mañana") == {0, 1}


def test_long_and_unicode_drafts_get_the_same_findings() -> None:
    drafts = [
        "Big raid tomorrow at 0500 on Elm St, wish us luck 🙏 " * 40,
        "¡Mañana operativo en la colonia Álamo a las 5! Solo somos tres en el turno 😬",
        "Ofc. Dana Ortiz (#4410) and 3-Lincoln-20, shoutout to day shift AGAIN 🙃",
        "Ｒａｉｄ tomorrow",  # full-width letters fold to ASCII in the strict view
    ]
    for text in drafts:
        request = CheckRequest(text=text, account="personal")
        assert _findings(request, True) == _findings(request, False), text[:40]
