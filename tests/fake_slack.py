"""A fake Slack for tests and the load bench: Web API server + signed-request sender.

`FakeSlack` is a small ThreadingHTTPServer on loopback that answers like the Slack Web API
(`/api/<method>`) and like response_url webhooks (`/response/<key>`). It records every
call (method, JSON or form body, token) so tests can wait for what Slack would receive,
checks Block Kit limits the way Slack does (answering `invalid_blocks`), and can be told
to fail or slow down a method.

`SlackSender` plays Slack's side of the app's request URL: it builds event, slash-command
and interaction payloads and sends them signed with the app's signing secret.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from loopback import LoopbackServer
from slack_sdk.signature import SignatureVerifier

BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
TEAM_ID = "T0FAKE"
API_APP_ID = "A0CANIPOST"


# ------------------------------------------------------------------------------ records


@dataclass
class Call:
    """One request the app made to the fake Slack."""

    method: str  # "chat.postMessage", ... or "response_url"
    body: dict[str, Any]
    token: str | None = None
    path: str = ""
    error: str | None = None
    at: float = field(default_factory=time.monotonic)
    response: dict[str, Any] = field(default_factory=dict)

    @property
    def blocks(self) -> list[dict[str, Any]]:
        blocks = self.body.get("blocks")
        if blocks is None and isinstance(self.body.get("view"), dict):
            blocks = self.body["view"].get("blocks")
        return blocks if isinstance(blocks, list) else []

    @property
    def text_dump(self) -> str:
        """Everything a person could read in this call (text and blocks), as one string."""
        return json.dumps(
            {"text": self.body.get("text"), "blocks": self.blocks}, ensure_ascii=False
        )

    def header(self) -> str | None:
        for block in self.blocks:
            if block.get("type") == "header":
                return block["text"]["text"]
        return None


@dataclass
class _Rule:
    method: str
    error: str | None
    delay: float
    times: int | None
    where: Callable[[Call], bool] | None
    http_status: int | None = None  # answer with this HTTP status instead of 200
    drop: bool = False  # close the connection without answering
    accepted: bool = False  # with http_status/drop: the post is kept all the same

    def applies(self, call: Call) -> bool:
        if self.method != call.method or self.times == 0:
            return False
        return self.where is None or bool(self.where(call))


# ------------------------------------------------------------------------------ limits

# Required arguments of the assistant.threads.* methods, as Slack's reference lists them
# (setSuggestedPrompts takes no thread_ts in the agent experience).
ASSISTANT_REQUIRED: dict[str, tuple[str, ...]] = {
    "assistant.threads.setStatus": ("channel_id", "thread_ts", "status"),
    "assistant.threads.setTitle": ("channel_id", "thread_ts", "title"),
    "assistant.threads.setSuggestedPrompts": ("channel_id", "prompts"),
}


def _text_len(obj: Any) -> int:
    return len(obj.get("text", "")) if isinstance(obj, dict) else 0


def validate_blocks(blocks: Any, *, max_blocks: int) -> list[str]:
    """The Block Kit limits Slack enforces (a practical subset)."""
    if blocks is None:
        return []
    if not isinstance(blocks, list):
        return ["blocks must be an array"]
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(f"no more than {max_blocks} items allowed [json-pointer:/blocks]")
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        where = f"[json-pointer:/blocks/{i}]"
        kind = block.get("type")
        block_id = block.get("block_id")
        if block_id:
            if block_id in block_ids or len(block_id) > 255:
                errors.append(f"invalid block_id {where}")
            block_ids.add(block_id)
        if kind == "header":
            text = block.get("text") or {}
            if text.get("type") != "plain_text" or not 0 < _text_len(text) <= 150:
                errors.append(f"header text must be 1-150 characters of plain_text {where}")
        elif kind == "section":
            text = block.get("text")
            if text is not None and not 0 < _text_len(text) <= 3000:
                errors.append(f"section text must be 1-3000 characters {where}")
            fields = block.get("fields") or []
            if len(fields) > 10 or any(_text_len(f) > 2000 for f in fields):
                errors.append(f"too many or too long fields {where}")
            if text is None and not fields:
                errors.append(f"section needs text or fields {where}")
        elif kind == "context":
            elements = block.get("elements") or []
            if not 0 < len(elements) <= 10 or any(_text_len(e) > 3000 for e in elements):
                errors.append(f"context needs 1-10 elements {where}")
        elif kind == "actions":
            elements = block.get("elements") or []
            if not 0 < len(elements) <= 25:
                errors.append(f"actions needs 1-25 elements {where}")
            for element in elements:
                errors.extend(f"{e} {where}" for e in _element_errors(element))
        elif kind == "context_actions":
            elements = block.get("elements") or []
            if not 0 < len(elements) <= 5:
                errors.append(f"context_actions needs 1-5 elements {where}")
            for element in elements:
                errors.extend(f"{e} {where}" for e in _context_action_errors(element))
        elif kind == "input":
            if not 0 < _text_len(block.get("label")) <= 2000:
                errors.append(f"input label must be 1-2000 characters {where}")
            element = block.get("element") or {}
            if element.get("max_length", 0) > 3000:
                errors.append(f"max_length must be at most 3000 {where}")
        elif kind not in ("divider", "image", "rich_text", "markdown"):
            errors.append(f"unknown block type {kind!r} {where}")
    return errors


def _element_errors(element: dict[str, Any]) -> list[str]:
    errors: list[str] = []
    kind = element.get("type")
    if len(element.get("action_id", "")) > 255:
        errors.append("action_id too long")
    if kind == "button":
        if not 0 < _text_len(element.get("text")) <= 75:
            errors.append("button text must be 1-75 characters")
        if len(element.get("value", "")) > 2000:
            errors.append("button value must be at most 2000 characters")
    elif kind in ("static_select", "overflow"):
        options = element.get("options") or []
        low, high = (2, 5) if kind == "overflow" else (1, 100)
        if not low <= len(options) <= high:
            errors.append(f"{kind} needs {low}-{high} options")
        for option in options:
            if not 0 < _text_len(option.get("text")) <= 75 or len(option.get("value", "")) > 150:
                errors.append("option text must be 1-75 and value at most 150 characters")
    return errors


def _context_action_errors(element: dict[str, Any]) -> list[str]:
    """feedback_buttons and icon_button are the only elements a context_actions takes."""
    kind = element.get("type")
    if kind == "feedback_buttons":
        errors = []
        for side in ("positive_button", "negative_button"):
            button = element.get(side) or {}
            text = button.get("text") or {}
            if text.get("type") != "plain_text" or not 0 < _text_len(text) <= 75:
                errors.append(f"{side} text must be 1-75 characters of plain_text")
            if not 0 < len(button.get("value", "")) <= 2000:
                errors.append(f"{side} value must be 1-2000 characters")
            if len(button.get("accessibility_label", "")) > 75:
                errors.append(f"{side} accessibility_label must be at most 75 characters")
        return errors
    if kind == "icon_button":
        return [] if element.get("icon") and element.get("text") else ["icon_button needs icon"]
    return [f"context_actions cannot hold {kind!r}"]


def validate_view(view: Any) -> list[str]:
    if not isinstance(view, dict):
        return ["view must be an object"]
    errors: list[str] = []
    if view.get("type") == "modal":
        for key in ("title", "submit", "close"):
            if key in view and not 0 < _text_len(view[key]) <= 24:
                errors.append(f"{key} must be 1-24 characters")
        if "title" not in view:
            errors.append("modal needs a title")
    if len(view.get("private_metadata", "")) > 3000:
        errors.append("private_metadata must be at most 3000 characters")
    errors.extend(validate_blocks(view.get("blocks", []), max_blocks=100))
    return errors


# ------------------------------------------------------------------------------ server


class FakeSlack(LoopbackServer):
    """The Slack Web API on loopback. Use as a context manager or call start()/stop()."""

    name = "fake-slack"
    protocol_version = "HTTP/1.1"

    def __init__(
        self,
        *,
        bot_user_id: str = BOT_USER_ID,
        bot_id: str = BOT_ID,
        team_id: str = TEAM_ID,
        group_members: tuple[str, ...] = (),
    ) -> None:
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.team_id = team_id
        self.group_members = list(group_members)
        self._calls: list[Call] = []
        self._rules: list[_Rule] = []
        self._messages: list[dict[str, Any]] = []  # every chat.postMessage Slack kept
        self._cond = threading.Condition()
        self._ts = itertools.count(1)
        self._files: dict[str, tuple[bytes, str]] = {}  # id -> (bytes, mimetype)
        self.uploads: dict[str, bytes] = {}  # files uploaded by the app, by file id
        super().__init__()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def api_url(self) -> str:
        """What SLACK_API_URL should be set to."""
        return self.base_url + "api/"

    def response_url(self, key: str) -> str:
        return self.base_url + f"response/{key}"

    # ---------------------------------------------------------------- files

    def add_file(
        self, data: bytes, *, name: str = "photo.jpg", mimetype: str = "image/jpeg"
    ) -> dict[str, Any]:
        """Host `data` like files.slack.com does (only with a token) and return the file
        object an event carries for it."""
        file_id = f"F{next(self._ts):08d}"
        with self._cond:
            self._files[file_id] = (data, mimetype)
        url = self.base_url + f"files-pri/{TEAM_ID}-{file_id}/{urllib.parse.quote(name)}"
        return {
            "id": file_id,
            "name": name,
            "title": name,
            "mimetype": mimetype,
            "filetype": mimetype.split("/")[-1],
            "size": len(data),
            "url_private": url,
            "url_private_download": url + "?download=1",
        }

    def _serve_file(self, request: BaseHTTPRequestHandler, path: str, token: str | None) -> None:
        file_id = path.removeprefix("/files-pri/").split("/")[0].split("-")[-1]
        with self._cond:
            found = self._files.get(file_id)
        self._record(Call("file_download", {"file_id": file_id}, token, path))
        if not token:  # Slack sends an unauthenticated request to its login page
            request.send_response(302)
            request.send_header("Location", "/signin")
            request.send_header("Content-Length", "0")
            request.end_headers()
            return
        if found is None:
            _send(request, 404, "text/plain", b"file_not_found")
            return
        data, mimetype = found
        _send(request, 200, mimetype, data)

    def _receive_upload(self, request: BaseHTTPRequestHandler, path: str, raw: bytes) -> None:
        file_id = path.removeprefix("/upload/")
        with self._cond:
            self.uploads[file_id] = raw
        self._record(Call("file_upload", {"file_id": file_id, "length": len(raw)}, None, path))
        _send(request, 200, "text/plain", f"OK - {len(raw)}".encode())

    # ---------------------------------------------------------------- behaviour

    def fail(
        self,
        method: str,
        error: str = "internal_error",
        *,
        times: int | None = 1,
        where: Callable[[Call], bool] | None = None,
    ) -> None:
        """Answer `method` with {"ok": false, "error": error} (`times` times, None = always)."""
        with self._cond:
            self._rules.append(_Rule(method, error, 0.0, times, where))

    def delay(
        self,
        method: str,
        seconds: float,
        *,
        times: int | None = None,
        where: Callable[[Call], bool] | None = None,
    ) -> None:
        """Answer `method` only after `seconds`."""
        with self._cond:
            self._rules.append(_Rule(method, None, seconds, times, where))

    def fail_http(
        self,
        method: str,
        status: int = 500,
        *,
        accepted: bool = False,
        times: int | None = 1,
        where: Callable[[Call], bool] | None = None,
    ) -> None:
        """Answer `method` with HTTP `status`; with `accepted`, after keeping the post (Slack
        accepted it, then the answer failed)."""
        with self._cond:
            self._rules.append(_Rule(method, None, 0.0, times, where, status, False, accepted))

    def drop(
        self,
        method: str,
        *,
        accepted: bool = True,
        times: int | None = 1,
        where: Callable[[Call], bool] | None = None,
    ) -> None:
        """Close the connection without an answer; with `accepted`, after keeping the post."""
        with self._cond:
            self._rules.append(_Rule(method, None, 0.0, times, where, None, True, accepted))

    def messages(
        self, channel: str | None = None, where: Callable[[dict[str, Any]], bool] | None = None
    ) -> list[dict[str, Any]]:
        """The messages Slack kept (what people see), oldest first."""
        with self._cond:
            kept = list(self._messages)
        if channel is not None:
            kept = [m for m in kept if m["channel"] == channel]
        return [m for m in kept if not where or where(m)]

    def clear_rules(self) -> None:
        with self._cond:
            self._rules.clear()

    # ---------------------------------------------------------------- inspection

    def calls(
        self, method: str | None = None, where: Callable[[Call], bool] | None = None
    ) -> list[Call]:
        with self._cond:
            found = list(self._calls)
        return [
            c for c in found if (method is None or c.method == method) and (not where or where(c))
        ]

    def wait_for(
        self,
        method: str | None = None,
        where: Callable[[Call], bool] | None = None,
        *,
        count: int = 1,
        timeout: float = 5.0,
    ) -> list[Call]:
        """Block until at least `count` matching calls were recorded; return them all."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [
                    c
                    for c in self._calls
                    if (method is None or c.method == method) and (not where or where(c))
                ]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = sorted({c.method for c in self._calls})
                    raise AssertionError(
                        f"timed out after {timeout}s waiting for {count} x {method or 'any call'}"
                        f" (got {len(found)}; methods seen: {seen})"
                    )
                self._cond.wait(remaining)

    def reset(self) -> None:
        with self._cond:
            self._calls.clear()
            self._rules.clear()
            self._messages.clear()

    # ---------------------------------------------------------------- handling

    def _next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.000100"

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        parsed = urllib.parse.urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        if parsed.path.startswith("/upload/"):
            self._receive_upload(request, parsed.path, raw)
            return
        if parsed.path.startswith("/files-pri/"):
            auth = request.headers.get("Authorization") or ""
            self._serve_file(request, parsed.path, auth.removeprefix("Bearer ").strip() or None)
            return
        body = _parse_body(raw, request.headers.get("Content-Type") or "")
        for key, values in urllib.parse.parse_qs(parsed.query).items():
            body.setdefault(key, values[-1])
        auth = request.headers.get("Authorization") or ""
        token = auth.removeprefix("Bearer ").strip() or body.pop("token", None)

        if parsed.path.startswith("/response/"):
            method = "response_url"
        elif parsed.path.startswith("/api/"):
            method = parsed.path.removeprefix("/api/")
        else:
            _send(request, 404, "text/plain", b"not found")
            return

        rule_error, rule_delay, broken = self._apply_rules(Call(method, body, token, parsed.path))
        if rule_delay:
            time.sleep(rule_delay)
        if broken is not None:
            response = self._answer(method, body) if broken.accepted and token else {}
            what = "dropped" if broken.drop else f"http_{broken.http_status}"
            self._record(Call(method, body, token, parsed.path, what, response=response))
            if broken.drop:
                request.close_connection = True
                return
            payload = json.dumps({"ok": False, "error": "internal_error"}).encode()
            _send(request, int(broken.http_status or 500), "application/json", payload)
            return
        if method == "response_url":
            errors = validate_blocks(body.get("blocks"), max_blocks=50)
            error = rule_error or ("invalid_blocks" if errors else None)
            self._record(Call(method, body, None, parsed.path, error))
            if error:
                _send(request, 400, "text/plain", error.encode())
            else:
                _send(request, 200, "text/plain", b"ok")
            return

        if not token:
            response: dict[str, Any] = {"ok": False, "error": "not_authed"}
        elif rule_error:
            response = {"ok": False, "error": rule_error}
        else:
            response = self._answer(method, body)
        error = None if response.get("ok") else str(response.get("error"))
        self._record(Call(method, body, token, parsed.path, error, response=response))
        payload = json.dumps(response).encode()
        _send(request, 200, "application/json; charset=utf-8", payload)

    def _apply_rules(self, call: Call) -> tuple[str | None, float, _Rule | None]:
        error, delay, broken = None, 0.0, None
        with self._cond:
            for rule in self._rules:
                if rule.applies(call):
                    if rule.times is not None:
                        rule.times -= 1
                    if (rule.http_status or rule.drop) and broken is None:
                        broken = rule
                    if rule.error and error is None:
                        error = rule.error
                    delay = max(delay, rule.delay)
        return error, delay, broken

    def _record(self, call: Call) -> None:
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        ok: dict[str, Any] = {"ok": True}
        if method == "auth.test":
            return {
                **ok,
                "url": "https://fake-pd.slack.com/",
                "team": "Fake PD",
                "user": "canipost",
                "team_id": self.team_id,
                "user_id": self.bot_user_id,
                "bot_id": self.bot_id,
                "is_enterprise_install": False,
            }
        if method in ("chat.postMessage", "chat.postEphemeral", "chat.update"):
            errors = validate_blocks(body.get("blocks"), max_blocks=50)
            if errors:
                return {"ok": False, "error": "invalid_blocks", "errors": errors}
            if not body.get("channel"):
                return {"ok": False, "error": "channel_not_found"}
            if len(body.get("text") or "") > 40_000:
                return {"ok": False, "error": "msg_too_long"}
            ts = body.get("ts") or self._next_ts()
            if method == "chat.postEphemeral":
                return {**ok, "message_ts": ts}
            message = {"type": "message", "text": body.get("text"), "bot_id": self.bot_id}
            if method == "chat.postMessage":
                kept = {
                    "channel": body["channel"],
                    "ts": ts,
                    "thread_ts": body.get("thread_ts"),
                    "text": body.get("text"),
                    "metadata": body.get("metadata"),
                }
                with self._cond:
                    self._messages.append(kept)
            return {**ok, "channel": body["channel"], "ts": ts, "message": message}
        if method in ("conversations.history", "conversations.replies"):
            return {**ok, "messages": self._history(method, body), "has_more": False}
        if method == "conversations.open":
            user = str(body.get("users") or "").split(",")[0]
            if not user:
                return {"ok": False, "error": "users_list_not_supplied"}
            return {**ok, "channel": {"id": "D" + user.lstrip("UW")}}
        if method in ("views.open", "views.update", "views.push", "views.publish"):
            view = body.get("view")
            errors = validate_view(view)
            if errors:
                return {"ok": False, "error": "invalid_arguments", "errors": errors}
            if method in ("views.open", "views.push") and not body.get("trigger_id"):
                return {"ok": False, "error": "invalid_trigger_id"}
            return {**ok, "view": {"id": "V" + str(next(self._ts)), **(view or {})}}
        if method in ASSISTANT_REQUIRED:
            missing = [arg for arg in ASSISTANT_REQUIRED[method] if not body.get(arg)]
            if missing:
                return {"ok": False, "error": "invalid_arguments", "missing": missing}
            if method == "assistant.threads.setSuggestedPrompts" and len(body["prompts"]) > 4:
                return {"ok": False, "error": "invalid_arguments"}
            return ok
        if method in (
            "chat.appendStream",
            "chat.stopStream",
        ):
            return ok
        if method == "chat.startStream":
            return {**ok, "channel": body.get("channel"), "ts": self._next_ts()}
        if method == "users.info":
            user = body.get("user") or ""
            return {**ok, "user": {"id": user, "name": f"user-{user.lower()}", "is_bot": False}}
        if method == "apps.connections.open":
            return {"ok": False, "error": "invalid_auth"}  # no WebSocket server here
        if method == "chat.getPermalink":
            channel, ts = body.get("channel"), str(body.get("message_ts") or "")
            if not channel or not ts:
                return {"ok": False, "error": "message_not_found"}
            link = f"https://fake-pd.slack.com/archives/{channel}/p{ts.replace('.', '')}"
            return {**ok, "channel": channel, "permalink": link}
        if method == "files.getUploadURLExternal":
            if not body.get("filename") or not int(body.get("length") or 0):
                return {"ok": False, "error": "invalid_arguments"}
            file_id = f"F{next(self._ts):08d}"
            return {**ok, "upload_url": self.base_url + f"upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = body.get("files")
            if isinstance(files, str):
                files = json.loads(files)
            if not files or any(f.get("id") not in self.uploads for f in files):
                return {"ok": False, "error": "file_not_found"}
            if body.get("thread_ts") and not body.get("channel_id"):
                return {"ok": False, "error": "invalid_arguments"}
            return {**ok, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if method == "usergroups.users.list":
            return {**ok, "users": list(self.group_members)}
        return {"ok": False, "error": "unknown_method"}

    def _history(self, method: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        channel = body.get("channel")
        with_metadata = str(body.get("include_all_metadata")).lower() in ("1", "true")
        if method == "conversations.replies":
            parent = str(body.get("ts") or "")
            kept = self.messages(channel, lambda m: parent in (m["ts"], m["thread_ts"]))
        else:
            oldest = float(body.get("oldest") or 0)
            kept = self.messages(
                channel, lambda m: not m["thread_ts"] and float(m["ts"]) >= oldest
            )[::-1]  # newest first, as Slack lists a channel
        rows = []
        for m in kept:
            row = {"type": "message", "ts": m["ts"], "text": m["text"], "bot_id": self.bot_id}
            if m["thread_ts"]:
                row["thread_ts"] = m["thread_ts"]
            if with_metadata and m["metadata"]:
                row["metadata"] = m["metadata"]
            rows.append(row)
        return rows


def _parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    text = raw.decode("utf-8")
    if "json" in content_type:
        data = json.loads(text)
        return data if isinstance(data, dict) else {"_": data}
    body: dict[str, Any] = {}
    for key, values in urllib.parse.parse_qs(text, keep_blank_values=True).items():
        value: Any = values[-1]
        if key in ("blocks", "view", "prompts", "attachments", "metadata") and value:
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        body[key] = value
    return body


def _send(request: BaseHTTPRequestHandler, status: int, content_type: str, body: bytes) -> None:
    request.send_response(status)
    request.send_header("Content-Type", content_type)
    request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    request.wfile.write(body)


# ------------------------------------------------------------------------------ sender


@dataclass
class Reply:
    """The app's HTTP answer to one signed request."""

    status: int
    body: bytes
    seconds: float
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class SlackSender:
    """Sends correctly signed requests to the app, as Slack would."""

    def __init__(self, url: str, signing_secret: str, *, team_id: str = TEAM_ID) -> None:
        self.url = url
        self.team_id = team_id
        self.verifier = SignatureVerifier(signing_secret)
        self._ids = itertools.count(1)

    def next_id(self, prefix: str = "") -> str:
        return f"{prefix}{next(self._ids):06d}"

    # ---------------------------------------------------------------- transport

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 10.0,
    ) -> Reply:
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        sig = signature or self.verifier.generate_signature(
            timestamp=stamp, body=body.decode("utf-8")
        )
        request = urllib.request.Request(self.url, data=body, method="POST")
        request.add_header("Content-Type", content_type)
        request.add_header("X-Slack-Request-Timestamp", stamp)
        request.add_header("X-Slack-Signature", sig)
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                data = response.read()
                status = response.status
                reply_headers = dict(response.headers.items())
        except urllib.error.HTTPError as exc:
            data, status, reply_headers = exc.read(), exc.code, dict(exc.headers.items())
        return Reply(status, data, time.perf_counter() - started, reply_headers)

    def post_json(self, payload: dict[str, Any], **kwargs: Any) -> Reply:
        return self.post(json.dumps(payload).encode(), "application/json", **kwargs)

    def post_form(self, fields: dict[str, str], **kwargs: Any) -> Reply:
        body = urllib.parse.urlencode(fields).encode()
        return self.post(body, "application/x-www-form-urlencoded", **kwargs)

    # ---------------------------------------------------------------- payloads

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        **kwargs: Any,
    ) -> Reply:
        envelope = {
            "token": "legacy-verification-token",
            "team_id": self.team_id,
            "api_app_id": API_APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or self.next_id("Ev"),
            "event_time": int(time.time()),
            "authorizations": [{"team_id": self.team_id, "user_id": BOT_USER_ID, "is_bot": True}],
        }
        headers = dict(kwargs.pop("headers", None) or {})
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return self.post_json(envelope, headers=headers, **kwargs)

    def command(
        self,
        text: str,
        *,
        user_id: str,
        channel_id: str,
        response_url: str,
        command: str = "/canipost",
        trigger_id: str | None = None,
        **kwargs: Any,
    ) -> Reply:
        fields = {
            "token": "legacy-verification-token",
            "team_id": self.team_id,
            "team_domain": "fake-pd",
            "channel_id": channel_id,
            "channel_name": "general",
            "user_id": user_id,
            "user_name": f"user-{user_id.lower()}",
            "command": command,
            "text": text,
            "api_app_id": API_APP_ID,
            "response_url": response_url,
            "trigger_id": trigger_id or self.next_id("trig."),
        }
        return self.post_form(fields, **kwargs)

    def interaction(self, payload: dict[str, Any], **kwargs: Any) -> Reply:
        payload = {"team": {"id": self.team_id, "domain": "fake-pd"}, **payload}
        payload.setdefault("api_app_id", API_APP_ID)
        payload.setdefault("token", "legacy-verification-token")
        return self.post_form({"payload": json.dumps(payload)}, **kwargs)


def dm_event(user: str, text: str, *, ts: str, thread_ts: str | None = None) -> dict[str, Any]:
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D" + user,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def find_actions(blocks: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every interactive element in `blocks` (buttons, selects, feedback buttons)."""
    for block in blocks:
        if block.get("type") in ("actions", "context_actions"):
            yield from block.get("elements", [])


def feedback_value(element: dict[str, Any], kind: str) -> dict[str, Any]:
    """What Slack sends for a click on one side of a feedback_buttons element."""
    side = element["positive_button" if kind == "up" else "negative_button"]
    return {"action_id": element["action_id"], "type": element["type"], "value": side["value"]}


# ------------------------------------------------------------------------------ the app


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AppProcess:
    """`python -m bot.slack` (the same `serve()` as `canipost serve`) in a subprocess,
    bound to loopback through GUNICORN_CMD_ARGS."""

    def __init__(self, env: dict[str, str], *, cwd: str, log_path: str, python: str) -> None:
        self.port = free_port()
        self.env = {
            **env,
            "PORT": str(self.port),
            "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{self.port} "
            + env.get("GUNICORN_CMD_ARGS", ""),
        }
        self.cwd = cwd
        self.log_path = log_path
        self.python = python
        self.process: Any = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return self.base_url + "/slack/events"

    def start(self, timeout: float = 30.0) -> AppProcess:
        import subprocess

        log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self._log = log
        self.process = subprocess.Popen(
            [self.python, "-m", "bot.slack"],
            cwd=self.cwd,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the app exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the app did not become healthy in {timeout}s:\n{self.log()}")

    def stop(self, timeout: float = 15.0) -> int | None:
        import signal

        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except Exception:
                self.process.kill()
                self.process.wait(5)
        self._log.close()
        return int(self.process.returncode)

    def log(self) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as handle:
                return handle.read()
        except OSError:
            return ""
