"""Engine benchmark: the same measurement as `canipost bench`, runnable as a script.

.venv/bin/python bench/bench_engine.py [--scales 1,10,100] [--decisions 300]
"""

from __future__ import annotations

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
