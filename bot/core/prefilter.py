"""A fast RE2 pass over a draft says which rule patterns could match; only those run in `re`.

The rule table holds a hundred-odd large Python patterns, and trying each in turn was most of
a decision's time on a long draft. Each pattern gets an RE2 twin that matches wherever the
original can: look-arounds dropped, case ignored everywhere, counted gaps (`.{0,60}?`) opened
up, anything RE2 cannot say replaced by something that matches more. `\\w`, `\\d`, `\\s` and
`\\b` keep their ASCII meaning, which is Python's on text whose letters, digits and spaces
are all ASCII (the strict view folds accents and look-alikes, so nearly every draft); on any
other text the prefilter steps aside and every pattern runs. RE2 runs in linear time without
backtracking, so trying every twin is cheap. A pattern whose twin does not match cannot
match, so skipping it changes nothing; one whose twin matches is still confirmed by `re`, so
the findings are exactly those of the table run in full. A pattern with no twin always runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]

try:  # google-re2 is a normal dependency; without it every pattern simply runs
    import re2
except ImportError:  # pragma: no cover - exercised only on a broken install
    re2 = None

_MAX_COUNTED_REPEAT = 3  # a longer counted repeat is loosened to an open one
# On text whose letters, digits and spaces are all ASCII, RE2's ASCII classes and word
# boundary mean exactly what Python's Unicode ones do.
_CATEGORY = {
    sre_constants.CATEGORY_WORD: "[A-Za-z0-9_]",
    sre_constants.CATEGORY_DIGIT: "[0-9]",
    sre_constants.CATEGORY_SPACE: r"[\t\n\x0b\f\r ]",
    sre_constants.CATEGORY_NOT_WORD: "[^A-Za-z0-9_]",
    sre_constants.CATEGORY_NOT_DIGIT: "[^0-9]",
    sre_constants.CATEGORY_NOT_SPACE: r"[^\t\n\x0b\f\r ]",
}
_IN_CLASS = {
    sre_constants.CATEGORY_WORD: "A-Za-z0-9_",
    sre_constants.CATEGORY_DIGIT: "0-9",
    sre_constants.CATEGORY_SPACE: r"\t\n\x0b\f\r ",
}
_AT = {
    sre_constants.AT_BOUNDARY: r"\b",
    sre_constants.AT_NON_BOUNDARY: r"\B",
}
# A non-ASCII letter, digit or space: on such text the prefilter steps aside.
_NOT_ASCII_WORD_OR_SPACE = re.compile(r"(?![\x00-\x7f])[\w\s]")


class _Unsupported(Exception):
    """A construct with no RE2 rewrite: the pattern is then always run."""


def _char(code: int) -> str:
    char = chr(code)
    return char if code > 127 else re.escape(char)


def _class_item(op: object, value: object) -> str:
    if op is sre_constants.LITERAL:
        return _char(int(value))  # type: ignore[arg-type]
    if op is sre_constants.RANGE:
        low, high = value  # type: ignore[misc]
        return f"{_char(low)}-{_char(high)}"
    if op is sre_constants.CATEGORY and value in _IN_CLASS:
        return _IN_CLASS[value]  # type: ignore[index]
    raise _Unsupported(op)


def _loosen(parsed: Iterable[tuple[object, object]]) -> str:
    out: list[str] = []
    for op, value in parsed:
        if op is sre_constants.LITERAL:
            out.append(_char(int(value)))  # type: ignore[arg-type]
        elif op is sre_constants.NOT_LITERAL:
            out.append(f"[^{_char(int(value))}]")  # type: ignore[arg-type]
        elif op is sre_constants.ANY:
            out.append("(?s:.)")
        elif op is sre_constants.IN:
            items = list(value)  # type: ignore[call-overload]
            negated = bool(items) and items[0][0] is sre_constants.NEGATE
            try:
                body = "".join(_class_item(o, v) for o, v in items[negated:])
                out.append(f"[{'^' if negated else ''}{body}]")
            except _Unsupported:
                out.append("(?s:.)")  # any one character is a superset of the class
        elif op is sre_constants.CATEGORY:
            out.append(_CATEGORY.get(value, "(?s:.)"))  # type: ignore[call-overload]
        elif op is sre_constants.BRANCH:
            _, branches = value  # type: ignore[misc]
            out.append("(?:" + "|".join(_loosen(branch) for branch in branches) + ")")
        elif op is sre_constants.SUBPATTERN:
            out.append("(?:" + _loosen(value[-1]) + ")")  # type: ignore[index]
        elif op is sre_constants.ATOMIC_GROUP:
            out.append("(?:" + _loosen(value) + ")")  # type: ignore[arg-type]
        elif op in (
            sre_constants.MAX_REPEAT,
            sre_constants.MIN_REPEAT,
            sre_constants.POSSESSIVE_REPEAT,
        ):
            low, high, body = value  # type: ignore[misc]
            inner = "(?:" + _loosen(body) + ")"
            # A counted gap (".{0,60}?") is unrolled by RE2 into as many states; an open
            # repeat matches more and keeps the automaton small.
            if high is sre_constants.MAXREPEAT or high > _MAX_COUNTED_REPEAT:
                out.append(inner + ("*" if low == 0 else "+"))
            else:
                out.append(f"{inner}{{{low},{high}}}")
        elif op is sre_constants.AT:
            out.append(_AT.get(value, ""))  # type: ignore[call-overload]
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            continue  # look-arounds only ever narrow a match
        elif op is sre_constants.GROUPREF:
            out.append("(?s:.*)")
        else:
            raise _Unsupported(op)
    return "".join(out)


def loosened(pattern: str, flags: int = 0) -> str | None:
    """An RE2 pattern matching wherever `pattern` can, or None when there is none."""
    try:
        return _loosen(sre_parse.parse(pattern, flags))
    except (_Unsupported, re.error, ValueError):
        return None


@dataclass
class PatternSet:
    """Python patterns, each with its loosened RE2 twin. (One `re2.Set` over all of them was
    measured too: on a 2,000-character draft it took as long as running every Python
    pattern, while the twins one by one take a tenth of that.)"""

    patterns: list[re.Pattern[str]] = field(default_factory=list)
    always: set[int] = field(default_factory=set)  # patterns RE2 could not take
    twins: list[tuple[int, object]] = field(default_factory=list)  # (pattern index, RE2 twin)

    @classmethod
    def build(cls, patterns: Sequence[re.Pattern[str]]) -> PatternSet:
        built = cls(patterns=list(patterns))
        if re2 is None:
            built.always = set(range(len(patterns)))
            return built
        options = re2.Options()
        options.case_sensitive = False
        options.never_capture = True
        for index, pattern in enumerate(patterns):
            loose = loosened(pattern.pattern, pattern.flags)
            try:
                if loose is None:
                    raise re2.error("no loosened form")
                built.twins.append((index, re2.compile(loose, options)))
            except re2.error:
                built.always.add(index)
        return built

    def candidates(self, text: str) -> set[int]:
        """Indices of the patterns that could match `text` (a superset of those that do)."""
        if _NOT_ASCII_WORD_OR_SPACE.search(text):
            return set(range(len(self.patterns)))
        found = set(self.always)
        found.update(index for index, twin in self.twins if twin.search(text))  # type: ignore[attr-defined]
        return found
