"""Logging for the Slack app, configured in one place.

Drafts never reach the logs: our own code logs ids, verdicts and latencies only; Slack's
libraries are held at WARNING (their DEBUG output includes request bodies), and a filter
strips anything that looks like a payload, and exception messages, from their records.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import TextIO

THIRD_PARTY = ("slack_bolt", "slack_sdk", "slack")
FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"
_MARK = "_canipost_handler"


def describe_exception(exc: BaseException) -> str:
    """The exception's type and where it was raised, never its message."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = ""
    if frames:
        last = frames[-1]
        where = f" at {Path(last.filename).name}:{last.lineno} in {last.name}"
    cause = exc.__cause__ or exc.__context__
    caused = f" (from {type(cause).__name__})" if cause is not None else ""
    return f"{type(exc).__name__}{where}{caused}"


def safe_traceback(
    exc_info: tuple[type[BaseException], BaseException, TracebackType | None],
) -> str:
    """A traceback with the code locations but without the exception message."""
    _, exc, tb = exc_info
    lines = traceback.format_list(traceback.extract_tb(tb))
    return (
        "Traceback (most recent call last):\n"
        + "".join(lines)
        + (f"{type(exc).__name__} (message withheld)")
    )


def redact_payload(message: str, limit: int = 400) -> str:
    """Drop everything from the first dict/JSON-looking part of a message."""
    cut = len(message)
    for marker in ("{", "[{", "body="):
        index = message.find(marker)
        if index != -1:
            cut = min(cut, index)
    if cut < len(message):
        message = message[:cut].rstrip() + " {…payload withheld…}"
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _third_party(name: str) -> bool:
    # Bolt names some loggers "<app name>:<class>", e.g. "canipost:CustomListener".
    return name.split(".")[0] in THIRD_PARTY or ":" in name


# Library warnings that are expected with this app's setup and only add noise: Bolt reads
# SLACK_BOT_TOKEN from the environment by itself and then warns that the client we pass
# (pointed at SLACK_API_URL, with retries) takes precedence, which is the intent.
EXPECTED_WARNINGS = ("As you gave `client` as well, `token` will be unused.",)


class RedactFilter(logging.Filter):
    """Keeps Slack library records at WARNING and above, without payloads or messages of
    exceptions; lets every other record through unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _third_party(record.name):
            return True
        if record.levelno < logging.WARNING:
            return False
        if isinstance(record.msg, str) and record.msg.startswith(EXPECTED_WARNINGS):
            return False
        if getattr(record, "_canipost_redacted", False):
            return True
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            # Bolt puts the exception's message into its own ("... (error: <message>)").
            exc_message = str(record.exc_info[1])
            if exc_message:
                message = message.replace(exc_message, "…withheld…")
            record.exc_text = safe_traceback(record.exc_info)  # type: ignore[arg-type]
            record.exc_info = None
        record.msg = redact_payload(message)
        record.args = None
        record._canipost_redacted = True
        return True


def configure_logging(level: str = "INFO", *, stream: TextIO | None = None) -> None:
    """Root logging for the app process. Safe to call more than once."""
    root = logging.getLogger()
    root.setLevel(level)
    handler = next((h for h in root.handlers if getattr(h, _MARK, False)), None)
    if handler is None:
        handler = logging.StreamHandler(stream or sys.stderr)
        setattr(handler, _MARK, True)
        handler.addFilter(RedactFilter())
        root.addHandler(handler)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.setLevel(level)  # also for libraries that pin their own logger to DEBUG
    for other in root.handlers:  # e.g. a handler the CLI installed before us
        if not any(isinstance(f, RedactFilter) for f in other.filters):
            other.addFilter(RedactFilter())
    for name in ("slack_bolt", "slack_sdk"):
        library_logger(name)


def library_logger(name: str = "slack_bolt") -> logging.Logger:
    """The logger handed to Bolt (`App(logger=...)`) and the Slack SDK clients: WARNING
    and the redacting filter, which Bolt copies to every logger it derives from it."""
    logger = logging.getLogger(name)
    logger.setLevel(logging.WARNING)
    if not any(isinstance(f, RedactFilter) for f in logger.filters):
        logger.addFilter(RedactFilter())
    return logger


@contextlib.contextmanager
def quieted(logger: logging.Logger) -> Iterator[None]:
    """Silence `logger` for a startup step whose failure we report in one line ourselves."""
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)
