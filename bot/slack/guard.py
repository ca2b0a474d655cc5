"""Verify, then parse: the gate every request to the Slack endpoint passes before Bolt.

In this order, each step on no more than the bytes the previous one let through:

1. size: a declared Content-Length over the cap is refused with 413 before a byte of the
   body is read; an undeclared (chunked) body is read up to the cap plus one byte, and
   refused the same way if it is longer;
2. signature: the timestamp must be a whole number within five minutes of now, and the
   HMAC-SHA256 of `v0:<timestamp>:<raw bytes>` must match X-Slack-Signature (401 if not;
   a timestamp that is not a number is a malformed request, 400);
3. parse: the body must be UTF-8 and, where Bolt will read JSON (a JSON body, or a form
   field `payload`), a JSON object (400 with one line naming the problem otherwise);
4. replay: a slash command or interaction whose signature and timestamp this process
   already saw is refused with 409 (from memory: nothing is written before the ack). A
   replay sent to another instance is acked there, and its work is skipped where it runs:
   the request is named in `claims.current_request` while Bolt handles it, and each job
   it submits is claimed once in the store (bot/slack/claims.py). Events have their own
   duplicate check on the event id.

Only then is the request handed to Bolt, which verifies the signature again (cheap) and
dispatches it. Slack's `ssl_check` probe is answered without a signature, as Bolt does.
Rejections log one line with the reason and never the body.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.slack.claims import current_request, request_name
from bot.slack.deps import RecentIds
from bot.slack.logsetup import describe_exception

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024  # Slack's largest payloads (a full modal, a 40k message) fit
SIGNATURE_WINDOW_SECONDS = 5 * 60


@dataclass(frozen=True)
class Rejection:
    status: int
    reason: str  # one line, shown to the caller and logged; never any of the body

    @property
    def status_line(self) -> str:
        return {
            400: "400 Bad Request",
            401: "401 Unauthorized",
            409: "409 Conflict",
            411: "411 Length Required",
            413: "413 Content Too Large",
        }[self.status]


@dataclass(frozen=True)
class Verified:
    raw: bytes
    kind: str  # "event", "command", "interaction", "other"
    request: str | None = None  # "<timestamp>:<signature>" of a command or interaction


def _header(environ: WSGIEnvironment, name: str) -> str | None:
    value = environ.get("HTTP_" + name.upper().replace("-", "_"))
    return value if isinstance(value, str) else None


def read_capped(environ: WSGIEnvironment, cap: int) -> bytes | Rejection:
    """The raw body, reading at most `cap` bytes (plus one to tell a longer body)."""
    declared = (environ.get("CONTENT_LENGTH") or "").strip()
    stream = environ.get("wsgi.input")
    if declared:
        if not declared.isdigit():
            return Rejection(400, "malformed request: Content-Length is not a number")
        length = int(declared)
        if length > cap:
            return Rejection(413, f"request body too large (limit {cap} bytes)")
        raw = stream.read(length) if stream is not None and length else b""
        return bytes(raw)
    if stream is None or not environ.get("wsgi.input_terminated"):
        # Without a length the body can only be read where the server marks its end
        # (gunicorn does for chunked bodies); otherwise it is taken to be empty.
        return b""
    raw = bytes(stream.read(cap + 1))
    if len(raw) > cap:
        return Rejection(413, f"request body too large (limit {cap} bytes)")
    return raw


def is_ssl_check(raw: bytes) -> bool:
    """Slack's certificate probe: a small form with ssl_check=1 and nothing to act on."""
    if len(raw) > 200:
        return False
    fields = urllib.parse.parse_qs(raw.decode("latin-1"), keep_blank_values=True)
    return fields.get("ssl_check") == ["1"] and not ({"payload", "command"} & fields.keys())


def signature_for(secret: str, timestamp: str, raw: bytes) -> str:
    base = b"v0:" + timestamp.encode("ascii") + b":" + raw
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def verify(
    raw: bytes,
    timestamp: str | None,
    signature: str | None,
    *,
    secret: str,
    now: float,
) -> Rejection | None:
    if not timestamp or not signature:
        return Rejection(401, "missing Slack signature headers")
    if not timestamp.isascii() or not timestamp.isdigit():
        return Rejection(400, "malformed request: X-Slack-Request-Timestamp is not a number")
    if abs(now - int(timestamp)) > SIGNATURE_WINDOW_SECONDS:
        return Rejection(401, "stale request: timestamp outside the 5-minute window")
    expected = signature_for(secret, timestamp, raw)
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return Rejection(401, "invalid Slack signature")
    return None


def classify(raw: bytes, content_type: str) -> str | Rejection:
    """What the body is, checking it parses the way Bolt will read it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Rejection(400, "malformed request: the body is not UTF-8")
    if not text:
        return "other"
    media = content_type.split(";")[0].strip().lower()
    # Bolt reads JSON when the type says so or the body starts with "{" ...
    if media == "application/json" or text.startswith("{"):
        data = _json_object(text)
        if data is None:
            return Rejection(400, "malformed request: the body is not a JSON object")
        return "event" if data.get("type") == "event_callback" else "other"
    fields = dict(urllib.parse.parse_qsl(text, keep_blank_values=True))
    # ... and otherwise a form, whose `payload` field (interactions) is JSON.
    if "payload" in fields:
        if _json_object(fields["payload"]) is None:
            return Rejection(400, "malformed request: the payload field is not a JSON object")
        return "interaction"
    return "command" if "command" in fields else "other"


def _json_object(text: str) -> dict[str, object] | None:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


class RequestGuard:
    """WSGI middleware in front of Bolt's handler for POSTs to the Slack endpoint."""

    def __init__(
        self,
        inner: WSGIApplication,
        *,
        signing_secret: str,
        max_body_bytes: int = MAX_BODY_BYTES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.inner = inner
        self.secret = signing_secret
        self.seen = RecentIds(max_size=50_000)  # a 5-minute window of requests, and more
        self.cap = max_body_bytes
        self.clock = clock

    def check(self, environ: WSGIEnvironment) -> Verified | Rejection:
        raw = read_capped(environ, self.cap)
        if isinstance(raw, Rejection):
            return raw
        timestamp = _header(environ, "X-Slack-Request-Timestamp")
        signature = _header(environ, "X-Slack-Signature")
        rejected = verify(raw, timestamp, signature, secret=self.secret, now=self.clock())
        if rejected is not None:
            if is_ssl_check(raw):
                return Verified(raw, "ssl_check")
            return rejected
        kind = classify(raw, str(environ.get("CONTENT_TYPE") or ""))
        if isinstance(kind, Rejection):
            return kind
        if kind in ("command", "interaction"):
            assert timestamp is not None and signature is not None
            request = request_name(timestamp, signature)
            if not self.seen.add(request):
                return Rejection(409, f"replayed request: this signed {kind} was already received")
            return Verified(raw, kind, request)
        return Verified(raw, kind)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            outcome = self.check(environ)
        except Exception as exc:  # a reading error (client went away) is not a 500 trace
            log.warning("request unreadable: %s", describe_exception(exc))
            outcome = Rejection(400, "malformed request: the body could not be read")
        if isinstance(outcome, Rejection):
            log.info("request refused (%d): %s", outcome.status, outcome.reason)
            body = (outcome.reason + "\n").encode()
            headers = [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(body))),
            ]
            start_response(outcome.status_line, headers)
            return [body]
        inner_environ = dict(environ)
        inner_environ["wsgi.input"] = io.BytesIO(outcome.raw)
        inner_environ["CONTENT_LENGTH"] = str(len(outcome.raw))
        token = current_request.set(outcome.request)
        try:
            return self.inner(inner_environ, start_response)
        finally:
            current_request.reset(token)
