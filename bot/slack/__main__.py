"""`python -m bot.slack`: the same as `canipost serve` (settings from the environment)."""

from __future__ import annotations

import sys

from bot.config import ConfigError, Settings
from bot.slack.server import serve


def main() -> int:
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"canipost: error: {exc}", file=sys.stderr)
        return 2
    return serve(settings)


if __name__ == "__main__":
    raise SystemExit(main())
