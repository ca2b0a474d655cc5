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
    ADDRESS_LOOSE,
    CAD_NUMBER,
    CASE_NUMBER,
    DATE_OF_BIRTH,
    DOB_WRITTEN,
    EMAIL,
    EMAIL_WRITTEN,
    FIRST_NAME,
    LICENSE_PLATE,
    NAME,
    NAME_ANY_CASE,
    NAME_LOWER_CASE,
    PHONE,
    PHONE_AFTER_WORD,
    PHONE_INTERNATIONAL,
    PHONE_LOOSE,
    PLATE_SPACED,
    STREET_ADDRESS,
    words,
)
from bot.core.text import MappedText, NormalizedText, normalize, normalize_light, spell_out_numbers

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
# Shapes the patterns above miss: written-out, loosely formatted or in another case order.
# Keyed "KIND:shape"; each keeps what it replaces in a named group (the first that matched).
_MORE_PATTERNS: dict[str, re.Pattern[str]] = {
    "EMAIL:written": re.compile(EMAIL_WRITTEN, _FLAGS),
    "CASE:dispatch": re.compile(CAD_NUMBER, _FLAGS),
    "DOB:written": re.compile(DOB_WRITTEN, _FLAGS),
    "PHONE:international": re.compile(PHONE_INTERNATIONAL, _FLAGS),
    "PHONE:loose": re.compile(PHONE_LOOSE, _FLAGS),
    "PHONE:after-word": re.compile(PHONE_AFTER_WORD, _FLAGS),
    "PLATE:spaced": re.compile(PLATE_SPACED, _FLAGS),
    "ADDRESS:any-case": re.compile(ADDRESS_LOOSE, _FLAGS),
    "NAME:any-case": re.compile(NAME_ANY_CASE, _FLAGS),
    "NAME:lower-case": re.compile(NAME_LOWER_CASE, _FLAGS),
}
# The fewest digits each kind's value holds (a plate also needs a letter); an international
# number needs nine ("0033 187" is not one).
_MIN_DIGITS: dict[str, int] = {
    "CASE": 4, "DOB": 1, "PHONE": 7, "PLATE": 1, "ADDRESS": 1, "PHONE:international": 9,
}  # fmt: skip
_STREET_ABBREVIATION = re.compile(
    r"\b(?:St|Ave|Rd|Blvd|Dr|Ln|Ct|Pl|Ter|Pkwy|Cir|Hwy)\.$", re.IGNORECASE
)
_NEEDS_DIGIT: frozenset[Kind] = frozenset({"CASE", "DOB", "PLATE", "PHONE", "ADDRESS"})
# Kinds read on the view where written-out numbers are digits ("forty-five Elm Street").
_NUMBER_KINDS: frozenset[Kind] = frozenset({"CASE", "DOB", "PHONE", "ADDRESS"})


@dataclass(frozen=True)
class Redaction:
    """A redacted text and the way back: `mapping` is placeholder -> original text;
    `spans` are the (start, end) of the draft's characters that were replaced."""

    text: str
    mapping: Mapping[str, str] = field(default_factory=dict)
    spans: tuple[tuple[int, int], ...] = field(default=(), compare=False)

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


@dataclass(frozen=True)
class _Views:
    """The draft as the rules read it: `light` (look-alike letters folded, invisible
    characters dropped, whitespace folded), `numbers` (the light view with written-out
    numbers as digits) and `strict` (also digit-for-letter and spaced-out letters undone),
    each with its way back to the draft."""

    light: NormalizedText
    numbers: MappedText
    strict: NormalizedText

    @classmethod
    def of(cls, text: str) -> _Views:
        light = normalize_light(text)
        return cls(light, spell_out_numbers(light.text), normalize(text))

    def in_draft(self, kind: Kind, start: int, end: int) -> tuple[int, int]:
        """A span of the view `kind` is read on, as a span of the draft."""
        if kind in _NUMBER_KINDS:
            start, end = self.numbers.span_in_source(start, end)
        return self.light.span_in_source(start, end)

    def view(self, kind: Kind) -> str:
        return self.numbers.text if kind in _NUMBER_KINDS else self.light.text


def _trimmed(view: str, kind: Kind, start: int, end: int) -> tuple[int, int]:
    while end > start and view[end - 1] in ".,;:":
        if kind == "ADDRESS" and _STREET_ABBREVIATION.search(view, start, end):
            break  # "12 Elm St." keeps its dot
        end -= 1
    return start, end


def _plausible(view: str, key: str, start: int, end: int) -> bool:
    kind = key.split(":")[0]
    value = view[start:end]
    if kind not in _NEEDS_DIGIT:
        return True
    if sum(char.isdigit() for char in value) < _MIN_DIGITS.get(key, _MIN_DIGITS[kind]):
        return False
    return kind != "PLATE" or any(char.isalpha() for char in value)


def _matches(key: str, pattern: re.Pattern[str], view: str) -> list[tuple[int, int]]:
    kind: Kind = key.split(":")[0]  # type: ignore[assignment]
    found = []
    for match in pattern.finditer(view):
        start, end = match.start(), match.end()
        groups = [name for name, value in match.groupdict().items() if value is not None]
        if groups:
            start, end = match.span(groups[0])
        else:
            value_pattern = _VALUE.get(kind)
            value = value_pattern.search(match.group()) if value_pattern else None
            if value:
                start, end = start + value.start(), start + value.end()
        start, end = _trimmed(view, kind, start, end)
        if end > start and _plausible(view, key, start, end):
            found.append((start, end))
    return found


def _candidates(views: _Views, names: NameMode) -> list[_Span]:
    """Every identifier found, as spans of the draft (the views it was found on mapped back)."""
    with_names = names == "all" or (names == "context" and _has_context(views))
    detectors = [*_PATTERNS.items(), *_MORE_PATTERNS.items()]
    spans: list[_Span] = []
    for key, pattern in detectors:
        kind: Kind = key.split(":")[0]  # type: ignore[assignment]
        if kind == "NAME" and not with_names:
            continue
        view = views.view(kind)
        for start, end in _matches(key, pattern, view):
            spans.append(_Span(*views.in_draft(kind, start, end), kind))
    if names != "none" and _has_context(views):
        for match in _ROLE_FIRST_NAME.finditer(views.light.text):
            spans.append(_Span(*views.in_draft("NAME", *match.span("value")), "NAME"))
    return spans


def _has_context(views: _Views) -> bool:
    """Enforcement words in the draft, read through look-alikes and "v1ct1m" spellings."""
    return any(_NAME_CONTEXT.search(text) for text in (views.light.text, views.strict.text))


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
    views = _Views.of(text)
    spans = _resolve(_candidates(views, names))
    if not spans:
        return Redaction(text, {})
    counters: Counter[str] = Counter()
    by_value: dict[tuple[str, str], str] = {}
    mapping: dict[str, str] = {}
    pieces: list[str] = []
    position = 0
    for span in spans:
        original = text[span.start : span.end]
        key = (span.kind, " ".join(normalize_light(original).text.split()).casefold())
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
    return Redaction("".join(pieces), mapping, tuple((span.start, span.end) for span in spans))


def restore(text: str, mapping: Mapping[str, str]) -> str:
    """Put the originals back for every known placeholder; unknown ones stay as written."""
    if not mapping or not text:
        return text
    return PLACEHOLDER.sub(lambda match: mapping.get(match.group(0), match.group(0)), text)
