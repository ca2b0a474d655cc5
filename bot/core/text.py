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

# Typographic punctuation folded to ASCII (letters are folded by `_confusables`).
_PUNCTUATION = {
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"',
    "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-",
}  # fmt: skip
# Invisible characters are dropped: zero-width space and joiners, word joiner, BOM, soft
# hyphen, and every other format character (Unicode category Cf: bidi marks and the like).
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}
_SMALL_CAPITAL = re.compile(r"^LATIN LETTER SMALL CAPITAL ([A-Z])$")
# IPA Extensions, Phonetic Extensions and Latin Extended-D: where the small capitals live.
_SMALL_CAPITAL_BLOCKS = (range(0x0250, 0x02B0), range(0x1D00, 0x1DC0), range(0xA720, 0xA800))


def _case_like(source: str, target: str) -> str:
    """`target` in the case `source` is written in: Unicode's prototypes for confusables are
    chosen by shape ("I" is listed as "l"), so a capital source maps to a capital letter."""
    name = unicodedata.name(source, "")
    if "SMALL" in name:
        return target.lower()
    if "CAPITAL" in name:
        return "I" if target == "l" else target.upper()
    return target


@functools.cache
def _confusables() -> dict[int, str]:
    """Look-alike letters and digits from other scripts, folded to the ASCII letter or digit
    they are confused with, from Unicode's confusables data (the `confusable-homoglyphs`
    package carries it) and the small capitals' Unicode names.

    Only characters that compatibility decomposition leaves alone are listed: accented
    letters ("é", "ñ") keep their accent in the light view and lose it in the strict one, as
    before; mathematical and full-width letters are folded by NFKD/NFKC already.
    """
    from confusable_homoglyphs.confusables import confusables_data

    def eligible(char: str) -> bool:
        return (
            len(char) == 1
            and not char.isascii()
            and unicodedata.normalize("NFKD", char) == char
            and unicodedata.category(char)[0] in "LNS"
        )

    def ascii_alnum(text: str) -> str | None:
        text = text.replace("\u200e", "")  # the data wraps right-to-left letters in marks
        return text if len(text) == 1 and text.isascii() and text.isalnum() else None

    table: dict[str, str] = {}
    for char, homoglyphs in confusables_data.items():
        if not eligible(char):
            continue
        if unicodedata.decimal(char, None) is not None:
            table[char] = str(unicodedata.decimal(char))
            continue
        small_capital = _SMALL_CAPITAL.match(unicodedata.name(char, ""))
        if small_capital:
            table[char] = small_capital.group(1).lower()
            continue
        for homoglyph in homoglyphs:
            target = ascii_alnum(homoglyph["c"])
            if target:
                table[char] = _case_like(char, target)
                break
    # Small capitals the data lists without an ASCII partner ("ᴛ") reach one through their
    # name; their look-alikes (Cyrillic "т") through them, one step further.
    for block in _SMALL_CAPITAL_BLOCKS:
        for char in map(chr, block):
            small_capital = _SMALL_CAPITAL.match(unicodedata.name(char, ""))
            if small_capital:
                table.setdefault(char, small_capital.group(1).lower())
    for char, homoglyphs in confusables_data.items():
        if char in table or not eligible(char):
            continue
        for homoglyph in homoglyphs:
            via = table.get(homoglyph["c"].replace("\u200e", ""))
            if via:
                table[char] = _case_like(char, via)
                break
    return str.maketrans({**table, **_PUNCTUATION})


def _invisible(char: str) -> bool:
    return char in _INVISIBLE or (char > "\x7f" and unicodedata.category(char) == "Cf")


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
        if _invisible(char):
            continue
        folded = unicodedata.normalize("NFKD", char).translate(_confusables())
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
        if _invisible(char):
            continue
        is_space = char.isspace()
        if is_space and previous_space:
            continue
        folded = " " if is_space else unicodedata.normalize("NFKC", char).translate(_confusables())
        for piece in folded:
            chars.append(piece)
            origin.append(index)
        previous_space = is_space
    return NormalizedText("".join(chars), tuple(origin), len(text))


# Written-out numbers, for the identifier patterns: "forty-five" -> "45", "five five five"
# -> "555", "nineteen ninety" -> "1990", "the fifth of March" -> "the 5 of March".
_UNITS = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9,
}  # fmt: skip
_TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1000}
_NUMBER_WORDS = sorted({*_UNITS, *_TEENS, *_TENS, *_ORDINALS, *_SCALES}, key=len, reverse=True)
_NUMBER_WORD = r"(?:" + "|".join(_NUMBER_WORDS) + r")\b"
# A run of number words joined by spaces, hyphens or "and" (at most 20 words).
_NUMBER_RUN = re.compile(
    rf"\b{_NUMBER_WORD}(?:(?:[ \t-]{{1,3}}|\s+and\s+){_NUMBER_WORD}){{0,19}}", re.IGNORECASE
)
_RUN_WORD = re.compile(rf"{_NUMBER_WORD}|\band\b", re.IGNORECASE)


@dataclass(frozen=True)
class MappedText:
    """Text derived from another, where `text[i]` came from `source[starts[i]:ends[i]]`."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span_in_source(self, start: int, end: int) -> tuple[int, int]:
        return (self.starts[start], self.ends[end - 1])


def _number_value(words: list[str]) -> str | None:
    """The digits a run of number words stands for; None for a lone "oh"."""
    if all(word in _UNITS for word in words):
        if words == ["oh"]:
            return None
        return "".join(str(_UNITS[word]) for word in words)  # spoken digit by digit
    groups: list[int] = []
    current: int | None = None
    for word in words:
        if word == "and":
            continue
        if word in _SCALES:
            current = (current or 1) * _SCALES[word]
            continue
        value = _UNITS.get(word, _TEENS.get(word, _TENS.get(word, _ORDINALS.get(word, 0))))
        joins = current is not None and (
            (current >= 100 and current % 100 == 0)  # "one hundred twelve"
            or (value < 10 and current >= 20 and current % 10 == 0 and current % 100 != 0)
        )  # "forty-five"
        if joins:
            current = (current or 0) + value
        else:
            if current is not None:
                groups.append(current)  # "nineteen ninety" -> 19, 90 -> "1990"
            current = value
    if current is not None:
        groups.append(current)
    return "".join(str(group) for group in groups)


def spell_out_numbers(text: str) -> MappedText:
    """`text` with written-out numbers as digits, each digit mapped to its words."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    position = 0
    for run in _NUMBER_RUN.finditer(text):
        words = [word.lower() for word in _RUN_WORD.findall(run.group())]
        digits = _number_value(words)
        if digits is None:
            continue
        for index in range(position, run.start()):
            chars.append(text[index])
            starts.append(index)
            ends.append(index + 1)
        chars.extend(digits)
        starts.extend([run.start()] * len(digits))
        ends.extend([run.end()] * len(digits))
        position = run.end()
    for index in range(position, len(text)):
        chars.append(text[index])
        starts.append(index)
        ends.append(index + 1)
    return MappedText("".join(chars), tuple(starts), tuple(ends))
