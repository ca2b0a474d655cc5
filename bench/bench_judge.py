"""The judge's cost, side by side with the rule table alone, in one run.

.venv/bin/python bench/bench_judge.py [--runs 200]

Reports, for short drafts and for 2,000-character drafts: decision latency p50/p95/p99 of the
rule table alone with every pattern run in `re`, of the rule table with its RE2 prefilter (as
shipped), and of rules + judge (embedding included), interleaved run by run so the machine's
noise hits all three alike; the judge's cold load (model file + embedding weights); and
the process's peak resident memory after both engines are loaded.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import time

from bot.config import DEFAULT_POLICY_DIR
from bot.core.engine import Engine
from bot.core.evaluation import corpus_files, load_cases
from bot.core.judge import MODEL_PATH, Judge
from bot.core.models import CheckRequest
from bot.core.text import normalize


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def drafts(count: int, length: int | None, seed: int = 7) -> list[str]:
    texts = [case.text for path in corpus_files() for case in load_cases(path)]
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        if length is None:
            out.append(rng.choice(texts))
            continue
        text = ""
        while len(text) < length:
            text += rng.choice(texts) + "\n\n"
        out.append(text[:length])
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    started = time.perf_counter()
    judge = Judge.load()
    judge.assess("warm up the embedding model", "unknown", False)
    load_seconds = time.perf_counter() - started

    every_pattern = Engine.load(DEFAULT_POLICY_DIR, None, with_judge=False)
    every_pattern.prefilter = False
    rules = Engine.load(DEFAULT_POLICY_DIR, None, with_judge=False)
    combined = Engine.load(DEFAULT_POLICY_DIR, None, with_judge=False)
    combined.judge = judge
    print(f"judge cold load (model + embedding weights, first draft): {load_seconds:.2f} s")
    for label, length in (("corpus drafts", None), ("2,000-character drafts", 2000)):
        engines = (
            ("rules, every pattern", every_pattern),
            ("rules", rules),
            ("rules + judge", combined),
        )
        timings: dict[str, list[float]] = {name: [] for name, _ in engines}
        for text in drafts(args.runs, length):
            request = CheckRequest(text=text, account="personal")
            for name, engine in engines:
                normalize.cache_clear()  # each check starts cold, as a new draft does
                begin = time.perf_counter()
                engine.check(request)
                timings[name].append((time.perf_counter() - begin) * 1000)
        print(f"\n{label} ({args.runs} each, interleaved):")
        for name, values in timings.items():
            print(
                f"  {name:<21} p50 {statistics.median(values):6.1f} ms   "
                f"p95 {percentile(values, 0.95):6.1f} ms   p99 {percentile(values, 0.99):6.1f} ms"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory: {peak:.0f} MiB")
    print(f"judge model file: {MODEL_PATH.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
