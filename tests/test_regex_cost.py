"""No input costs more than linear time: every regular expression the product runs, fed
40,000 characters of its worst shape, grows no faster than linearly (compared with the
same pattern on a tenth of the input, and with a plainly linear scan timed alongside)."""

from __future__ import annotations

import re

import pytest

from bot.core import redact, regex_audit
from bot.core.patterns import EMAIL
from bot.slack import text as slack_text
from bot.slack.listeners import actions, review


def product_patterns() -> list[regex_audit.NamedPattern]:
    return regex_audit.core_patterns() + regex_audit.patterns_in([slack_text, actions, review])


def test_the_inventory_holds_every_kind_of_pattern() -> None:
    names = {item.name for item in product_patterns()}
    assert "redact._PATTERNS[EMAIL]" in names and "patterns.EMAIL" in names
    assert "text._LINK" in names and "text._SPACED_LETTERS" in names
    assert any(name.endswith(":media_inquiry:pattern[0]") for name in names)
    assert sum(name.startswith("rules[") for name in names) > 80


def test_a_quadratic_pattern_is_caught() -> None:
    # The e-mail pattern as it was: every start in "a.a.a..." rescanned the run to its end.
    old_email = regex_audit.NamedPattern(
        "old-email", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
    )
    cost = regex_audit.measure(old_email, full_chars=10_000, probe_chars=1_000)
    reference = regex_audit.linear_reference()
    assert cost.shape in {"dotted", "hyphenated", "letters", "digit-dot", "digit-dash"}
    assert regex_audit.superlinear(cost, reference), cost


def test_no_pattern_grows_faster_than_linear_on_40k_characters() -> None:
    reference = regex_audit.linear_reference()
    slow = []
    for cost in regex_audit.audit(product_patterns()):
        if regex_audit.superlinear(cost, reference):
            # Measure once more on the same shape: a busy machine, not the pattern, may
            # have slowed the first run.
            item = next(i for i in product_patterns() if i.name == cost.name)
            again = regex_audit.measure(item, unit=(cost.shape, cost.unit))
            if regex_audit.superlinear(again, reference):
                slow.append(again)
    report = [
        f"{c.name}: {c.full_seconds * 1000:.0f} ms on 40k of {c.shape!r} ({c.growth:.1f}x linear)"
        for c in slow
    ]
    assert not slow, "superlinear patterns:\n" + "\n".join(report)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "Write to maria.lopez+tips@city-pd.example.org today",
            "maria.lopez+tips@city-pd.example.org",
        ),
        ("mail " + "a" * 64 + "@example.com", "a" * 64 + "@example.com"),
        ("j_doe-1@mail.co.uk.", "j_doe-1@mail.co.uk"),
    ],
)
def test_the_bounded_email_pattern_finds_what_it_found(text: str, found: str) -> None:
    assert re.search(EMAIL, text, re.IGNORECASE).group(0) == found  # type: ignore[union-attr]
    assert found in redact.redact(text).mapping.values()


def test_an_overlong_local_part_is_not_an_address() -> None:
    # RFC 5321 caps the local part at 64 characters; a longer run is not an address.
    assert re.search(EMAIL, "a" * 65 + "@example.com") is None
