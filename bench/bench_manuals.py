"""Real manuals: index build time and decision latency, per manual, in one run.

.venv/bin/python bench/bench_manuals.py [--root ../shared/policies] [--builds 3] [--runs 100]

For each manual under ROOT (evals/manuals/folders.json): the index build (PDF reading, the
outline, passages, BM25 and the provisions' forces; no cache) median and max over `--builds`
builds, then decision latency p50/p95/p99 of the same engine for short drafts (the corpus'
own) and 2,000-character drafts, interleaved draft by draft so the machine's noise hits both.
The judge is loaded once before timing and shared, as in the running bot.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from bench_judge import drafts, percentile

from bot.core.engine import Engine
from bot.core.judge import default_judge
from bot.core.manual_eval import FOLDERS_FILE
from bot.core.models import CheckRequest


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--root", default=str(Path(__file__).resolve().parents[2] / "shared" / "policies")
    )
    parser.add_argument("--builds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    root = Path(args.root)
    if not root.is_dir():
        print(f"bench_manuals: no manuals at {root} (pass --root)", file=sys.stderr)
        raise SystemExit(2)
    default_judge().assess("warm up the embedding model", "unknown", False)
    folders = json.loads(FOLDERS_FILE.read_text(encoding="utf-8"))
    short, long = drafts(args.runs, None), drafts(args.runs, 2000, seed=11)
    print(
        "| manual | sections | index build median / max (s) | short p50/p95/p99 (ms) "
        "| 2k p50/p95/p99 (ms) |"
    )
    print("|---|---|---|---|---|")
    for folder in dict.fromkeys(folders.values()):  # several question sets share a manual
        builds = []
        engine = None
        for _ in range(args.builds):
            started = time.perf_counter()
            engine = Engine.load(root / folder, None)
            builds.append(time.perf_counter() - started)
        assert engine is not None
        timings: dict[str, list[float]] = {"short": [], "long": []}
        for short_text, long_text in zip(short, long, strict=True):
            for name, text in (("short", short_text), ("long", long_text)):
                started = time.perf_counter()
                engine.check(CheckRequest(text, account="personal"))
                timings[name].append((time.perf_counter() - started) * 1000)

        def cell(values: list[float]) -> str:
            return "/".join(f"{percentile(values, q):.0f}" for q in (0.5, 0.95, 0.99))

        print(
            f"| {folder} | {engine.stats.sections} | {statistics.median(builds):.1f} / "
            f"{max(builds):.1f} | {cell(timings['short'])} | {cell(timings['long'])} |"
        )


if __name__ == "__main__":
    main()
