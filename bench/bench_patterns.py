"""Benchmark every regular expression the product runs on its worst input shape.

    .venv/bin/python bench/bench_patterns.py [--chars 40000] [--top 15] [--json]

For each pattern (the rule table, the shared fragments, redaction, normalisation, Slack
markup) the worst of the shapes in bot/core/regex_audit.py is found on a short input, then
timed at --chars. `growth` is that time over the same pattern on a tenth of the input scaled
up linearly: about 1 is linear, about 10 is quadratic. The table lists the slowest first,
with a plainly linear scan of the same length as the yardstick; the exit code is 1 when
any pattern is superlinear (the bound tests/test_regex_cost.py applies).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core import regex_audit  # noqa: E402
from bot.slack import text as slack_text  # noqa: E402
from bot.slack.listeners import actions, review  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=regex_audit.FULL_CHARS)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    items = regex_audit.core_patterns() + regex_audit.patterns_in([slack_text, actions, review])
    started = time.perf_counter()
    costs = regex_audit.audit(items, full_chars=args.chars, probe_chars=max(args.chars // 10, 1))
    seconds = time.perf_counter() - started
    reference = regex_audit.linear_reference(args.chars)
    bad = [cost for cost in costs if regex_audit.superlinear(cost, reference)]
    if args.json:
        rows = [{**asdict(cost), "growth": round(cost.growth, 2)} for cost in costs]
        print(
            json.dumps({"reference_seconds": reference, "superlinear": len(bad), "patterns": rows})
        )
        return 1 if bad else 0
    print(
        f"{len(items)} patterns, worst shape each, {args.chars:,} characters "
        f"(audit took {seconds:.1f} s); linear reference {reference * 1000:.1f} ms"
    )
    print(f"{'ms':>9}  {'growth':>6}  {'shape':<28}pattern")
    for cost in costs[: args.top]:
        print(f"{cost.full_seconds * 1000:9.1f}  {cost.growth:6.2f}  {cost.shape:<28}{cost.name}")
    worst_growth = max(costs, key=lambda cost: cost.growth)
    print(f"largest growth: {worst_growth.growth:.2f} ({worst_growth.name}, {worst_growth.shape})")
    print(f"superlinear: {len(bad)}" + "".join(f"\n  {cost.name}" for cost in bad))
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
