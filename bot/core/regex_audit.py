"""Every regular expression the product runs, fed the inputs that make regexes slow.

A backtracking regex can cost quadratic (or worse) time in the input length when it can
start a long, doomed attempt at many positions: `[\\w.]+@` over "a.a.a.a..." rescans the
whole run from every start. A draft is at most 40,000 characters, and a check holds the
GIL while it matches, so one slow pattern stalls every request in the process.

`audit()` finds, for each pattern, its worst shape on a short search input: the fixed
`SHAPES` (repeated units chosen to keep attempts alive for long: runs of word characters,
dots, digits, capitalised words, digit words, unclosed Slack markup...) and shapes made of
the pattern's own words ("should we should we ...", so a keyword-led scan is tried from
every start). It then times the pattern on that shape at a probe length and at the full
length. `growth` compares the full-length time with the probe's scaled up linearly: about
1 for a linear pattern, about the length ratio (10) for a quadratic one. Used by
tests/test_regex_cost.py and bench/bench_patterns.py.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType

from bot.core import patterns as fragments

FULL_CHARS = 40_000
PROBE_CHARS = 4_000
SEARCH_CHARS = 1_000
MAX_WORD_SHAPES = 40
_WORD = re.compile(r"\b[a-z]{2,}\b")
_RULE_FLAGS = re.IGNORECASE | re.DOTALL

# Units repeated to the input length. Each keeps some pattern's attempt going for long.
SHAPES: dict[str, str] = {
    "letters": "a",
    "capitals": "A",
    "dotted": "a.",
    "dotted-at": "a.a@",
    "hyphenated": "a-",
    "at-dots": "@a.",
    "word-space": "word ",
    "capital-words": "Maria ",
    "name-pairs": "Maria Lopez ",
    "initials": "A. ",
    "ranked": "Sgt. Aa ",
    "digits": "1",
    "digit-space": "1 ",
    "digit-dash": "1-",
    "digit-dot": "1.",
    "number-words": "12 Elm ",
    "digit-words": "one ",
    "digit-words-comma": "one, ",
    "spaces": " ",
    "newlines": "\n",
    "spaced-letters": "a ",
    "spaced-dots": "a . ",
    "keyword-plate": "plate ",
    "keyword-case": "case # ",
    "keyword-badge": "badge ",
    "keyword-dob": "born ",
    "victim-words": "victim ",
    "suspect-words": "suspect arrested ",
    "hash-digits": "#1",
    "brackets": "[photo ",
    "placeholders": "[NAME_",
    "mention": "<@U1|",
    "channel": "<#C1|",
    "special": "<!here|",
    "subteam": "<!subteam^A|",
    "date": "<!date^1|",
    "link": "<http:",
    "link-label": "<http://a|",
    "prose": "Great turnout at the bike rodeo today, thanks to everyone who came out! ",
}


@dataclass(frozen=True)
class NamedPattern:
    name: str  # where it lives: "redact._PATTERNS[EMAIL]", "rules[3]:victim_identity:pattern[0]"
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Cost:
    name: str
    shape: str
    unit: str
    probe_seconds: float  # on PROBE_CHARS of the worst shape
    full_seconds: float  # on FULL_CHARS of it
    full_chars: int
    probe_chars: int

    @property
    def growth(self) -> float:
        """Full-length time over the probe's time scaled linearly (1 = linear)."""
        linear = self.probe_seconds * self.full_chars / self.probe_chars
        return self.full_seconds / linear if linear > 0 else 0.0


def repeated(unit: str, chars: int) -> str:
    return (unit * (chars // len(unit) + 1))[:chars]


def patterns_in(modules: Iterable[ModuleType]) -> list[NamedPattern]:
    """Compiled patterns held at module level, directly or in a dict, tuple or list."""
    found: list[NamedPattern] = []
    for module in modules:
        short = module.__name__.rsplit(".", 1)[-1]
        for attr, value in vars(module).items():
            if isinstance(value, re.Pattern):
                found.append(NamedPattern(f"{short}.{attr}", value))
            elif isinstance(value, dict):
                for key, item in value.items():
                    if isinstance(item, re.Pattern):
                        found.append(NamedPattern(f"{short}.{attr}[{key}]", item))
            elif isinstance(value, tuple | list):
                for index, item in enumerate(value):
                    if isinstance(item, re.Pattern):
                        found.append(NamedPattern(f"{short}.{attr}[{index}]", item))
    return found


def core_patterns() -> list[NamedPattern]:
    """The rule table's patterns, the shared fragments as the rules compile them, and the
    module-level patterns of bot.core (redaction, normalisation, placeholders)."""
    from bot.core import redact, rules, text

    found: list[NamedPattern] = []
    for number, rule in enumerate(rules.RULES):  # a code may have several rules
        for kind, compiled in (
            ("pattern", rule.compiled),
            ("requires", rule.compiled_requires),
            ("unless", rule.compiled_unless),
        ):
            for index, pattern in enumerate(compiled):
                name = f"rules[{number}]:{rule.code}:{kind}[{index}]"
                found.append(NamedPattern(name, pattern))
    for attr, value in vars(fragments).items():
        if attr.isupper() and isinstance(value, str):
            found.append(NamedPattern(f"patterns.{attr}", re.compile(value, _RULE_FLAGS)))
    found.extend(patterns_in([redact, text, rules]))
    return found


def run_seconds(pattern: re.Pattern[str], subject: str, repeat: int = 1) -> float:
    """The best of `repeat` full scans (finditer to the end, as search/sub/findall do)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for _match in pattern.finditer(subject):
            pass
        best = min(best, time.perf_counter() - started)
    return best


def shapes_for(pattern: re.Pattern[str]) -> dict[str, str]:
    """`SHAPES` plus units made of the pattern's own literal words, alone and in pairs."""
    source = re.sub(r"\\[A-Za-z]", " ", pattern.pattern).lower()  # drop \w, \b, \d ...
    sequence = _WORD.findall(source)
    found: dict[str, str] = dict(SHAPES)
    for word in list(dict.fromkeys(sequence))[: MAX_WORD_SHAPES // 2]:
        found[f"word:{word}"] = word + " "
    pairs = zip(sequence, sequence[1:], strict=False)
    for first, second in list(pairs)[: MAX_WORD_SHAPES // 2]:
        found[f"words:{first}+{second}"] = f"{first} {second} "
    return found


def worst_shape(
    pattern: re.Pattern[str], search_chars: int = SEARCH_CHARS
) -> tuple[str, str, float]:
    """(name, unit, seconds) of the shape this pattern is slowest on."""
    worst = ("", "", -1.0)
    for name, unit in shapes_for(pattern).items():
        seconds = run_seconds(pattern, repeated(unit, search_chars))
        if seconds > worst[2]:
            worst = (name, unit, seconds)
    return worst


def measure(
    item: NamedPattern,
    *,
    full_chars: int = FULL_CHARS,
    probe_chars: int = PROBE_CHARS,
    unit: tuple[str, str] | None = None,
) -> Cost:
    """`item`'s cost on its worst shape (or on `unit`: (name, text))."""
    name, text = unit if unit is not None else worst_shape(item.pattern)[:2]
    probe = run_seconds(item.pattern, repeated(text, probe_chars), repeat=3)
    full = run_seconds(item.pattern, repeated(text, full_chars), repeat=1)
    return Cost(item.name, name, text, probe, full, full_chars, probe_chars)


def audit(
    items: Iterable[NamedPattern],
    *,
    full_chars: int = FULL_CHARS,
    probe_chars: int = PROBE_CHARS,
) -> list[Cost]:
    """Each pattern's cost on its worst shape, slowest first."""
    costs = [measure(item, full_chars=full_chars, probe_chars=probe_chars) for item in items]
    return sorted(costs, key=lambda cost: cost.full_seconds, reverse=True)


def linear_reference(chars: int = FULL_CHARS) -> float:
    """Seconds a plainly linear scan (every word of some prose) takes on `chars`: the
    yardstick for how slow a pattern may be before its growth matters."""
    prose = repeated(SHAPES["prose"], chars)
    return run_seconds(re.compile(r"\b\w+\b"), prose, repeat=3)


MAX_GROWTH = 5.0  # linear is about 1, quadratic about 10 (the full/probe length ratio)
FLOOR_FACTOR = 50.0  # below this many linear-reference times, growth is noise, not harm


def superlinear(cost: Cost, reference_seconds: float) -> bool:
    """True when `cost` grew clearly faster than linearly and is slow enough to matter:
    a generous bound (five times linear growth, and fifty times the linear reference on the
    same length) so a busy machine does not make a linear pattern fail."""
    floor = FLOOR_FACTOR * reference_seconds * cost.full_chars / FULL_CHARS
    return cost.growth > MAX_GROWTH and cost.full_seconds > floor
