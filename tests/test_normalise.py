"""Normalisation that holds: look-alike letters from Unicode's confusables data, invisible
characters, written-out numbers, and what the rules then find."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.engine import Engine
from bot.core.models import CheckRequest
from bot.core.text import normalize, normalize_light, spell_out_numbers

POLICY_DIR = Path(__file__).resolve().parent.parent / "policy_docs"

# The letters the old hand-written table folded; the Unicode data must fold them the same.
HAND_TABLE = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "ɡ": "g", "ո": "n", "ν": "v", "Α": "A", "Β": "B", "Ε": "E", "Η": "H",
    "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Χ": "X", "А": "A",
    "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "Х": "X", "ο": "o", "α": "a",
}  # fmt: skip


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine.load(POLICY_DIR, tmp_path_factory.mktemp("index"))


def test_every_letter_of_the_old_table_still_folds() -> None:
    for char, latin in HAND_TABLE.items():
        assert normalize(char).text == latin, char
        assert normalize_light(char).text == latin, char


@pytest.mark.parametrize(
    ("written", "reads"),
    [
        ("\u0475\u03b9ct\u03b9m", "victim"),  # Cyrillic izhitsa, Greek iota
        ("\u1d20\u026a\u1d04\u1d1b\u026a\u1d0d", "victim"),  # small capitals
        ("\u0455u\u0455\u0440\u0435\u0441t", "suspect"),  # Cyrillic dze, er, ie, es
        ("Ma\u200bria Lo\u2062pez\u200e", "maria lopez"),  # invisible and format characters
        ("\U0001d42f\U0001d422\U0001d41c\U0001d42d\U0001d422\U0001d426", "victim"),  # math bold
    ],
)
def test_look_alikes_read_as_latin(written: str, reads: str) -> None:
    assert normalize(written).text.lower() == reads
    assert normalize_light(written).text.lower() == reads


def test_accents_stay_in_the_light_view_and_go_in_the_strict_one() -> None:
    assert normalize_light("José Núñez").text == "José Núñez"
    assert normalize("José Núñez").text == "Jose Nunez"


def test_spans_still_point_into_the_draft() -> None:
    draft = "the \u0475\u03b9c\u200btim"
    view = normalize(draft)
    start = view.text.index("victim")
    assert view.span_in_source(start, start + 6) == (4, len(draft))


@pytest.mark.parametrize(
    ("written", "digits"),
    [
        ("five five five, one two three, four five six seven", "555, 123, 4567"),
        ("forty-five Elm Street", "45 Elm Street"),
        ("one hundred twelve Oak Ave", "112 Oak Ave"),
        ("the fifth of March, nineteen ninety", "the 5 of March, 1990"),
        ("twenty twenty-four", "2024"),
        ("oh well", "oh well"),
    ],
)
def test_written_numbers_become_digits_mapped_to_their_words(written: str, digits: str) -> None:
    view = spell_out_numbers(written)
    assert view.text == digits
    if written != digits:
        first = next(i for i, c in enumerate(view.text) if c.isdigit())
        last = max(i for i, c in enumerate(view.text) if c.isdigit()) + 1
        start, end = view.span_in_source(first, last)
        assert written[start].isalpha() and (end == len(written) or not written[end].isalpha())


@pytest.mark.parametrize(
    "draft",
    [
        "Prayers for the \u0475\u03b9ct\u03b9m, Maria Lopez, and her family tonight.",
        "Thinking of the \u1d20\u026a\u1d04\u1d1b\u026a\u1d0d, Maria Lopez, today.",
        "Praying for the v\u0456ct\u0456m Maria Lopez and her kids.",
        "Prayers for the vic\u200btim, Ma\u200bria Lo\u200bpez.",
    ],
)
def test_look_alike_letters_do_not_clear_a_post_naming_a_victim(engine: Engine, draft: str) -> None:
    decision = engine.check(CheckRequest(text=draft, account="personal"))
    assert decision.verdict == "do_not_post"
    finding = next(f for f in decision.findings if f.code == "victim_identity")
    start, end = finding.span
    assert "Lopez" in draft[start:end] or "Lo\u200bpez" in draft[start:end]
