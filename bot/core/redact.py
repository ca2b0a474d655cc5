"""Replace personal identifiers in a draft with typed placeholders, and put them back.

Used before any text leaves the machine (the model path) and by anything that must show or
store a draft without its identifiers. Pure Python: regular expressions from `patterns`.

    >>> r = redact("Arrested John Smith at 12 Elm Street, plate 7ABC123.")
    >>> r.text
    'Arrested [NAME_1] at [ADDRESS_1], plate [PLATE_1].'
    >>> r.restore("Remove [ADDRESS_1].")
    'Remove 12 Elm Street.'

Names are redacted when the draft is about an enforcement matter (an arrest, a victim, a
witness, a crash...), where a name is protected information; elsewhere a capitalised pair
is as likely to be a golf course as a person, so `names="all"` is opt-in. Addresses, phone
numbers, plates, case numbers, dates of birth and emails are always redacted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from bot.core.patterns import (
    CASE_NUMBER,
    DATE_OF_BIRTH,
    EMAIL,
    FIRST_NAME,
    LICENSE_PLATE,
    NAME,
    PHONE,
    STREET_ADDRESS,
    words,
)

Kind = Literal["EMAIL", "CASE", "DOB", "PHONE", "PLATE", "ADDRESS", "NAME"]
# Earlier kinds win where two matches overlap ("case #24-1234567" is a case, not a phone).
KINDS: tuple[Kind, ...] = ("EMAIL", "CASE", "DOB", "PHONE", "PLATE", "ADDRESS", "NAME")
NameMode = Literal["context", "all", "none"]

PLACEHOLDER = re.compile(r"\[(" + "|".join(KINDS) + r")_(\d+)\]")

_FLAGS = re.IGNORECASE | re.DOTALL

# Words that make a draft an enforcement matter, where names are protected information.
_NAME_CONTEXT = re.compile(
    words(
        r"arrest\w*", r"suspects?", r"victims?", r"witness\w*", r"booked", r"booking",
        r"charged", r"detain\w*", r"custody", r"cited", r"warrants?", r"crash\w*",
        r"collision", r"accident", r"assault\w*", r"robber\w*", r"burglar\w*", r"theft",
        r"stole\w*", r"shoplift\w*", r"shooting", r"stabb\w*", r"homicide",
        r"murder\w*", r"overdose\w*", r"DUI", r"DWI", r"domestic", r"juveniles?", r"runaway",
        r"missing", r"complainant", r"informants?", r"offenders?", r"perps?",
        r"perpetrators?", r"defendants?", r"mug ?shots?", r"investigat\w*", r"incident",
        r"crimes?", r"criminal", r"jail", r"prison", r"court", r"trial", r"pursuit",
        r"traffic stop", r"handcuff\w*", r"cuffed", r"injur\w*", r"died",
        r"deceased", r"abuse\w*", r"raped?", r"kidnap\w*", r"probation", r"parole",
    ),
    _FLAGS,
)  # fmt: skip
# One capitalised word right after a role word: "the victim, Maria," / "suspect named Jo".
_ROLE_FIRST_NAME = re.compile(
    r"\b(?:victim|suspect|witness|arrestee|complainant|juvenile|driver|passenger|offender|"
    r"defendant|informant|reporting party)(?:s|'s|s')?[,:]?\s+"
    r"(?:(?:is|was|named|called|identified as)\s+)?"
    rf"(?P<value>{FIRST_NAME})",
    _FLAGS,
)

# Identifier patterns; where a pattern includes a keyword ("plate", "DOB:"), the trailing
# value pattern picks out the part to replace so the keyword stays readable.
_PATTERNS: dict[Kind, re.Pattern[str]] = {
    "EMAIL": re.compile(EMAIL, _FLAGS),
    "CASE": re.compile(CASE_NUMBER, _FLAGS),
    "DOB": re.compile(DATE_OF_BIRTH, _FLAGS),
    "PHONE": re.compile(PHONE, _FLAGS),
    "PLATE": re.compile(LICENSE_PLATE, _FLAGS),
    "ADDRESS": re.compile(STREET_ADDRESS, _FLAGS),
    "NAME": re.compile(NAME, _FLAGS),
}
_VALUE: dict[Kind, re.Pattern[str]] = {
    "CASE": re.compile(r"[A-Z0-9][A-Z0-9-]{3,}$", re.IGNORECASE),
    "DOB": re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$"),
    "PLATE": re.compile(r"[A-Z0-9]{2,4}[- ]?[A-Z0-9]{2,4}$"),
}
_STREET_ABBREVIATION = re.compile(
    r"\b(?:St|Ave|Rd|Blvd|Dr|Ln|Ct|Pl|Ter|Pkwy|Cir|Hwy)\.$", re.IGNORECASE
)
_NEEDS_DIGIT: frozenset[Kind] = frozenset({"CASE", "DOB", "PLATE", "PHONE", "ADDRESS"})


@dataclass(frozen=True)
class Redaction:
    """A redacted text and the way back: `mapping` is placeholder -> original text."""

    text: str
    mapping: Mapping[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.mapping)

    @property
    def counts(self) -> dict[str, int]:
        """How many distinct values of each kind were replaced (safe to log)."""
        found = Counter(PLACEHOLDER.fullmatch(key).group(1) for key in self.mapping)  # type: ignore[union-attr]
        return dict(found)

    def restore(self, text: str) -> str:
        return restore(text, self.mapping)


@dataclass(frozen=True, order=True)
class _Span:
    start: int
    end: int
    kind: Kind


def _candidates(text: str, names: NameMode) -> list[_Span]:
    spans: list[_Span] = []
    for kind in KINDS:
        if kind == "NAME" and (names == "none" or (names == "context" and not _has_context(text))):
            continue
        for match in _PATTERNS[kind].finditer(text):
            start, end = match.start(), match.end()
            value_pattern = _VALUE.get(kind)
            if value_pattern:
                value = value_pattern.search(match.group())
                if value:
                    start, end = start + value.start(), start + value.end()
            while end > start and text[end - 1] in ".,;:":
                if kind == "ADDRESS" and _STREET_ABBREVIATION.search(text, start, end):
                    break  # "12 Elm St." keeps its dot
                end -= 1
            if end <= start:
                continue
            if kind in _NEEDS_DIGIT and not any(char.isdigit() for char in text[start:end]):
                continue
            spans.append(_Span(start, end, kind))
    if names != "none" and _has_context(text):
        for match in _ROLE_FIRST_NAME.finditer(text):
            spans.append(_Span(match.start("value"), match.end("value"), "NAME"))
    return spans


def _has_context(text: str) -> bool:
    return _NAME_CONTEXT.search(text) is not None


def _resolve(spans: list[_Span]) -> list[_Span]:
    """Keep non-overlapping spans, preferring earlier kinds, then longer, then earlier."""
    priority = {kind: index for index, kind in enumerate(KINDS)}
    ordered = sorted(spans, key=lambda s: (priority[s.kind], -(s.end - s.start), s.start))
    kept: list[_Span] = []
    for span in ordered:
        if all(span.end <= other.start or span.start >= other.end for other in kept):
            kept.append(span)
    return sorted(kept)


def redact(text: str, *, names: NameMode = "context") -> Redaction:
    """Replace identifiers with [KIND_n] placeholders; a repeated value keeps its number."""
    spans = _resolve(_candidates(text, names))
    if not spans:
        return Redaction(text, {})
    counters: Counter[str] = Counter()
    by_value: dict[tuple[str, str], str] = {}
    mapping: dict[str, str] = {}
    pieces: list[str] = []
    position = 0
    for span in spans:
        original = text[span.start : span.end]
        key = (span.kind, " ".join(original.split()).casefold())
        placeholder = by_value.get(key)
        if placeholder is None:
            while True:
                counters[span.kind] += 1
                placeholder = f"[{span.kind}_{counters[span.kind]}]"
                if placeholder not in text:  # never collide with text the author typed
                    break
            by_value[key] = placeholder
            mapping[placeholder] = original
        pieces.append(text[position : span.start])
        pieces.append(placeholder)
        position = span.end
    pieces.append(text[position:])
    return Redaction("".join(pieces), mapping)


def restore(text: str, mapping: Mapping[str, str]) -> str:
    """Put the originals back for every known placeholder; unknown ones stay as written."""
    if not mapping or not text:
        return text
    return PLACEHOLDER.sub(lambda match: mapping.get(match.group(0), match.group(0)), text)
