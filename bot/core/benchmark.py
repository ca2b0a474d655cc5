"""`canipost bench`: decision latency and index build time as the policy grows.

Each scale runs in its own Python process so that its peak memory (max RSS) is its own.
Synthetic policies repeat the real sample policy's sections under new numbers, so the
passages have realistic length and vocabulary.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.core.engine import Engine
from bot.core.evaluation import DEFAULT_CASES, load_cases
from bot.core.models import CheckRequest

DRAFT_CHARS = 2_000
BUDGET_PASSAGES = 10_000
BUDGET_P95_MS = 50.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    position = (len(ordered) - 1) * share
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def synthetic_policy(source_dir: Path, target_dir: Path, copies: int) -> None:
    """Write `copies` renumbered copies of every Markdown file in `source_dir`."""
    heading = re.compile(r"^(#{2,6}\s+)(\d+)(\.\d+)", re.MULTILINE)
    for path in sorted(source_dir.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        for copy in range(copies):
            renumbered = heading.sub(lambda m, c=copy: f"{m[1]}{int(m[2]) + c * 10}{m[3]}", text)
            (target_dir / f"{path.stem}-{copy:04d}.md").write_text(renumbered, encoding="utf-8")


def sample_drafts(count: int, seed: int = 7) -> list[str]:
    """Drafts of ~2,000 characters stitched from the eval set's texts."""
    texts = [case.text for case in load_cases(DEFAULT_CASES)]
    generator = random.Random(seed)
    drafts = []
    for _ in range(count):
        parts: list[str] = []
        while sum(len(part) + 1 for part in parts) < DRAFT_CHARS:
            parts.append(generator.choice(texts))
        drafts.append(" ".join(parts)[:DRAFT_CHARS])
    return drafts


def measure_scale(policy_dir: Path, copies: int, decisions: int, repeats: int) -> dict:
    """One scale, in this process: build times, decision latencies, peak memory."""
    with tempfile.TemporaryDirectory(prefix="canipost-bench-") as tmp:
        folder = Path(tmp)
        synthetic_policy(policy_dir, folder, copies)
        build_seconds = []
        engine = None
        for _ in range(repeats):
            started = time.perf_counter()
            engine = Engine.load(folder, None)
            build_seconds.append(time.perf_counter() - started)
        assert engine is not None
        drafts = sample_drafts(decisions)
        for draft in drafts[:10]:  # warm caches before timing
            engine.check(CheckRequest(draft))
        latencies = []
        for draft in drafts:
            started = time.perf_counter()
            engine.check(CheckRequest(draft, account="personal"))
            latencies.append((time.perf_counter() - started) * 1000)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "copies": copies,
        "sections": len(engine.sections),
        "passages": len(engine.passages),
        "build_s_median": statistics.median(build_seconds),
        "build_s_max": max(build_seconds),
        "decisions": len(latencies),
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "peak_rss_mib": peak_kib / 1024,
    }


def run_bench(policy_dir: Path, scales: list[int], decisions: int = 300, repeats: int = 3) -> dict:
    """Measure every scale plus the budget point (10,000 passages), each in a subprocess."""
    base = Engine.load(policy_dir, None)
    per_copy = max(1, len(base.passages))
    points = [(f"{scale}x", scale) for scale in scales]
    budget_copies = math.ceil(BUDGET_PASSAGES / per_copy)
    points.append((f"{BUDGET_PASSAGES:,} passages", budget_copies))
    rows = []
    for label, copies in points:
        command = [
            sys.executable, "-m", "bot.core.benchmark", str(policy_dir),
            "--copies", str(copies), "--decisions", str(decisions), "--repeats", str(repeats),
        ]  # fmt: skip
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            message = (completed.stderr.strip().splitlines() or ["unknown error"])[-1]
            raise RuntimeError(f"bench at {label} failed: {message}")
        row = json.loads(completed.stdout)
        row["label"] = label
        rows.append(row)
    budget = rows[-1]
    return {
        "draft_chars": DRAFT_CHARS,
        "rows": rows,
        "budget": {
            "passages": budget["passages"],
            "p95_ms": budget["p95_ms"],
            "limit_ms": BUDGET_P95_MS,
            "within": budget["p95_ms"] < BUDGET_P95_MS,
        },
    }


def format_bench(results: dict) -> str:
    header = (
        f"{'scale':<18}{'sections':>9}{'passages':>10}{'build s':>9}{'p50 ms':>8}"
        f"{'p95 ms':>8}{'p99 ms':>8}{'peak MiB':>10}"
    )
    lines = [f"decision latency for {results['draft_chars']:,}-character drafts", header]
    for row in results["rows"]:
        lines.append(
            f"{row['label']:<18}{row['sections']:>9,}{row['passages']:>10,}"
            f"{row['build_s_median']:>9.2f}{row['p50_ms']:>8.2f}{row['p95_ms']:>8.2f}"
            f"{row['p99_ms']:>8.2f}{row['peak_rss_mib']:>10.0f}"
        )
    budget = results["budget"]
    verdict = "within" if budget["within"] else "OVER"
    lines.append(
        f"budget: p95 {budget['p95_ms']:.2f} ms at {budget['passages']:,} passages "
        f"({verdict} the {budget['limit_ms']:.0f} ms budget)"
    )
    lines.append("build s is the median of the repeats; latencies are over all decisions.")
    return "\n".join(lines)


def _main() -> None:
    parser = argparse.ArgumentParser(description="measure one bench scale (internal)")
    parser.add_argument("policy_dir", type=Path)
    parser.add_argument("--copies", type=int, required=True)
    parser.add_argument("--decisions", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(measure_scale(args.policy_dir, args.copies, args.decisions, args.repeats)))


if __name__ == "__main__":
    _main()
