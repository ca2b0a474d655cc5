"""Draft text validation and normalisation that keeps a map back to the original text.

Rules run on the normalised text so that look-alike characters, spaced-out letters
("V I C T I M") and light digit substitution ("v1ct1m") do not hide a violation, while
every finding's span still points into the officer's own draft.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from bot.core.errors import InputError

MAX_DRAFT_CHARS = 40_000

# Letters from other scripts that render like Latin ones, and typographic punctuation.
_LOOKALIKES = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
        "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g", "ո": "n", "ν": "v", "Α": "A", "Β": "B",
        "Ε": "E", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P",
        "Τ": "T", "Χ": "X", "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H",
        "О": "O", "Р": "P", "С": "C", "Т": "T", "Х": "X", "ο": "o", "α": "a",
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"',
        "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-",
    }
)  # fmt: skip
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t"}
_SPACED_LETTERS = re.compile(r"\b(?:[A-Za-z][ .\-_*·]{1,2}){2,}[A-Za-z]\b")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class NormalizedText:
    """`text` is the normalised draft; `origin[i]` is the index in the draft of `text[i]`."""

    text: str
    origin: tuple[int, ...]
    source_length: int

    def span_in_source(self, start: int, end: int) -> tuple[int, int]:
        if not self.origin:
            return (0, 0)
        first = self.origin[min(start, len(self.origin) - 1)]
        last = self.origin[max(min(end, len(self.origin)) - 1, 0)] + 1
        return (first, min(last, self.source_length))


def validate_draft(text: str, max_chars: int = MAX_DRAFT_CHARS) -> str:
    """Return the draft with line endings normalised, or raise InputError naming the problem."""
    if not isinstance(text, str):
        raise InputError("the draft must be text")
    if "\ufffd" in text:
        raise InputError("the draft contains invalid UTF-8 bytes; paste it again as plain text")
    if any("\ud800" <= char <= "\udfff" for char in text):
        raise InputError("the draft is not valid UTF-8 text; paste it again as plain text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for position, char in enumerate(text):
        if char not in "\n\t" and unicodedata.category(char) == "Cc":
            raise InputError(
                f"the draft contains a control character (U+{ord(char):04X}) at position "
                f"{position}; remove it and try again"
            )
    cleaned = text
    if not cleaned.strip():
        raise InputError("the draft is empty: give the text of the post or your question")
    if len(cleaned) > max_chars:
        raise InputError(
            f"the draft is {len(cleaned):,} characters; the limit is {max_chars:,} "
            "(split it into separate posts)"
        )
    return cleaned


def _deleet(word: str) -> str:
    """Map digit-for-letter substitution ("v1ct1m", "r41d") back to letters.

    Only when every digit in the word maps to a letter and the word has letters of its own,
    so numbers, plates ("7ABC123") and times stay as typed.
    """
    if not any(char.isalpha() for char in word) or not any(char.isdigit() for char in word):
        return word
    core = word.strip(".,!?;:'\"()[]")
    if not all(char.isalpha() or char in _LEET for char in core):
        return word
    return "".join(_LEET.get(char, char) for char in word)


@functools.lru_cache(maxsize=8)  # the rules and the judge both read the same draft
def normalize(text: str) -> NormalizedText:
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char in _INVISIBLE:
            continue
        folded = unicodedata.normalize("NFKD", char).translate(_LOOKALIKES)
        for piece in folded:
            if unicodedata.category(piece) == "Mn":  # drop combining accents
                continue
            chars.append(piece)
            origin.append(index)
    joined = "".join(chars)

    # Digit-for-letter substitution inside words, position for position.
    pieces = re.split(r"(\s+)", joined)
    joined = "".join(_deleet(piece) for piece in pieces)

    # Join spaced-out letters ("V I C T I M" -> "VICTIM") and fold whitespace runs.
    keep = [True] * len(joined)
    for match in _SPACED_LETTERS.finditer(joined):
        for position in range(match.start(), match.end()):
            if not joined[position].isalpha():
                keep[position] = False
    for match in _WHITESPACE.finditer(joined):
        for position in range(match.start() + 1, match.end()):
            keep[position] = False
    final_chars = []
    final_origin = []
    for position, char in enumerate(joined):
        if keep[position]:
            final_chars.append(" " if char.isspace() else char)
            final_origin.append(origin[position])
    return NormalizedText("".join(final_chars), tuple(final_origin), len(text))


def normalize_light(text: str) -> NormalizedText:
    """For identifiers, which keep their digits as typed: drop invisible characters, fold
    width variants and whitespace runs."""
    chars: list[str] = []
    origin: list[int] = []
    previous_space = False
    for index, char in enumerate(text):
        if char in _INVISIBLE:
            continue
        is_space = char.isspace()
        if is_space and previous_space:
            continue
        folded = " " if is_space else unicodedata.normalize("NFKC", char).translate(_LOOKALIKES)
        for piece in folded:
            chars.append(piece)
            origin.append(index)
        previous_space = is_space
    return NormalizedText("".join(chars), tuple(origin), len(text))
