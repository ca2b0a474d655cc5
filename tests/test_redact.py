"""Redaction before text leaves the machine, and the way back."""

from __future__ import annotations

import pytest

from bot.core.redact import PLACEHOLDER, Redaction, redact, restore

ARREST = (
    "We arrested John Smith at 123 Main Street today; the victim Maria Lopez was hurt. "
    "Plate 7ABC123, case #24-001234, DOB: 01/02/1990, call 555-123-4567 or "
    "write jo.doe@example.com."
)


def test_every_kind_gets_a_typed_placeholder() -> None:
    result = redact(ARREST)
    assert result.text == (
        "We arrested [NAME_1] at [ADDRESS_1] today; the victim [NAME_2] was hurt. "
        "Plate [PLATE_1], case #[CASE_1], DOB: [DOB_1], call [PHONE_1] or "
        "write [EMAIL_1]."
    )
    assert result.counts == {
        "NAME": 2,
        "ADDRESS": 1,
        "PLATE": 1,
        "CASE": 1,
        "DOB": 1,
        "PHONE": 1,
        "EMAIL": 1,
    }
    for secret in ("John Smith", "Maria Lopez", "123 Main", "7ABC123", "555-123-4567", "jo.doe"):
        assert secret not in result.text


def test_restore_is_the_inverse() -> None:
    result = redact(ARREST)
    assert result.restore(result.text) == ARREST
    assert restore("Remove [ADDRESS_1] and [PLATE_1].", result.mapping) == (
        "Remove 123 Main Street and 7ABC123."
    )


def test_repeated_value_keeps_its_placeholder() -> None:
    result = redact("Suspect John Smith was booked. John Smith is 34.")
    assert result.text == "Suspect [NAME_1] was booked. [NAME_1] is 34."
    assert result.mapping == {"[NAME_1]": "John Smith"}


def test_first_name_after_role_word() -> None:
    result = redact("The victim, Maria, was robbed near the park.")
    assert result.text == "The victim, [NAME_1], was robbed near the park."


@pytest.mark.parametrize(
    "draft",
    [
        "Great turnout at National Night Out tonight. Thanks Quillfield!",
        "Happy retirement to Officer Jane Doe! Proud of you.",
        "Killed it at the Turkey Trot 5K this morning, 24:10, new PR!",
        "I shot an 82 at Pinecrest Golf Course today. Personal best!",
    ],
)
def test_names_outside_enforcement_context_are_kept(draft: str) -> None:
    assert redact(draft) == Redaction(draft, {})


def test_names_everywhere_on_request() -> None:
    assert (
        redact("Dinner with Jane Doe tonight", names="all").text == "Dinner with [NAME_1] tonight"
    )


def test_keywords_without_values_are_not_redacted() -> None:
    draft = "The report number is pending and the DOB was not given."
    assert redact(draft).text == draft


def test_text_that_already_looks_like_a_placeholder_is_not_overwritten() -> None:
    result = redact("[NAME_1] wrote: suspect John Smith was arrested.")
    assert result.text == "[NAME_1] wrote: suspect [NAME_2] was arrested."
    assert result.restore(result.text) == "[NAME_1] wrote: suspect John Smith was arrested."


def test_unknown_placeholders_stay_as_written() -> None:
    assert restore("[NAME_9] and [PHONE_1]", {"[PHONE_1]": "555-0100"}) == "[NAME_9] and 555-0100"
    assert PLACEHOLDER.fullmatch("[ADDRESS_12]")
