"""A local OpenAI-compatible HTTP server for tests (no network, no key needed).

    with FakeOpenAI() as server:
        settings = settings_for(server, tmp_path)
        server.script_chat(Reply.status(429), Reply.answer(verdict="revise"))
        ...
        server.chat_requests[0].body["messages"]

- POST /v1/chat/completions returns a `chat.completion` whose message content is the
  scripted JSON (structured output), or a refusal, garbage, an HTTP error, or a delay.
  With nothing scripted it answers `default_verdict`, citing the first passage it was given.
- POST /v1/embeddings returns deterministic hashed bag-of-words vectors (64 dims), as
  floats or base64 like the real API.
- Every request is recorded (path, headers, JSON body).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from loopback import LoopbackServer

from bot.config import Settings

DIMS = 64
_PASSAGE = re.compile(
    r"^\[(P\d+)\] [^\n]*\n(.*?)(?=\n\n\[P\d+\] |\n\nThe draft to judge)", re.S | re.M
)
_WORD = re.compile(r"[a-z0-9]+")


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def text(self) -> str:
        """The whole body as JSON text, for "is this string anywhere in it" checks."""
        return json.dumps(self.body, ensure_ascii=False)


@dataclass
class Reply:
    """One scripted reply; build with the static constructors."""

    kind: str  # answer | status | delay | garbage | refusal
    content: dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]] | None = None
    code: int = 200  # HTTP status of a `status` reply
    text: str = ""
    seconds: float = 0.0
    then: Reply | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def answer(content: dict[str, Any] | None = None, **fields: Any) -> Reply:
        """A structured answer: `content` as given, or the default answer with `fields`."""
        if content is not None:
            return Reply("answer", content=content)
        return Reply("answer", content=lambda body: default_answer(body, **fields))

    @staticmethod
    def status(code: int, message: str = "scripted failure", **headers: str) -> Reply:
        return Reply("status", code=code, text=message, headers=dict(headers))

    @staticmethod
    def delay(seconds: float, then: Reply | None = None) -> Reply:
        return Reply("delay", seconds=seconds, then=then)

    @staticmethod
    def garbage(text: str = "Sure! Here is my answer: {verdict: ok") -> Reply:
        return Reply("garbage", text=text)

    @staticmethod
    def refusal(text: str = "I'm sorry, but I can't help with that request.") -> Reply:
        return Reply("refusal", text=text)


def passages_in(body: dict[str, Any]) -> dict[str, str]:
    """The passages (id -> text) given in a chat request's user message."""
    user = next((m["content"] for m in body.get("messages", []) if m["role"] == "user"), "")
    return {match.group(1): match.group(2) for match in _PASSAGE.finditer(user)}


def first_sentence(text: str) -> str:
    match = re.search(r"[^.!?\n]{20,}[.!?]", text)
    return match.group().strip() if match else text[:80]


def default_answer(body: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A well-formed answer citing the first passage given, verbatim."""
    passages = passages_in(body)
    reasons = []
    if passages:
        first_id, first_text = next(iter(passages.items()))
        reasons.append(
            {
                "passage_id": first_id,
                "quote": first_sentence(first_text),
                "explanation": "This passage covers the draft.",
            }
        )
    answer = {
        "verdict": "ok",
        "summary": "OK to post: nothing in it conflicts with the policy.",
        "reasons": reasons,
        "rewrite": None,
        "needs_human": False,
        "confidence": 0.9,
    }
    answer.update(fields)
    return answer


def fake_embedding(text: str, dims: int = DIMS) -> list[float]:
    """Hashed bag of words, unit length; texts sharing words point the same way."""
    vector = [0.0] * dims
    for word in _WORD.findall(text.lower()):
        digest = hashlib.sha256(word.encode()).digest()
        vector[int.from_bytes(digest[:4], "big") % dims] += 1.0 if digest[4] % 2 else -1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


class FakeOpenAI(LoopbackServer):
    name = "fake-openai"

    def __init__(
        self,
        *,
        default_verdict: str = "ok",
        valid_keys: set[str] | None = None,
        dims: int = DIMS,
    ) -> None:
        self.default_verdict = default_verdict
        self.valid_keys = valid_keys
        self.dims = dims
        self.requests: list[Recorded] = []
        self._chat: deque[Reply] = deque()
        self._embeddings: deque[Reply] = deque()
        self._lock = threading.Lock()
        super().__init__()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # --------------------------------------------------------------- scripting
    def script_chat(self, *replies: Reply) -> None:
        with self._lock:
            self._chat.extend(replies)

    def script_embeddings(self, *replies: Reply) -> None:
        with self._lock:
            self._embeddings.extend(replies)

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    @property
    def chat_requests(self) -> list[Recorded]:
        return [r for r in list(self.requests) if r.path.endswith("/chat/completions")]

    @property
    def embedding_requests(self) -> list[Recorded]:
        return [r for r in list(self.requests) if r.path.endswith("/embeddings")]

    # ---------------------------------------------------------------- handling
    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("content-length") or 0)
        raw = handler.rfile.read(length) if length else b"{}"
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"_raw": raw.decode("utf-8", "replace")}
        record = Recorded(handler.path, {k.lower(): v for k, v in handler.headers.items()}, body)
        with self._lock:
            self.requests.append(record)
        key = (handler.headers.get("authorization") or "").removeprefix("Bearer ").strip()
        if self.valid_keys is not None and key not in self.valid_keys:
            self._error(handler, Reply.status(401, "Incorrect API key provided"))
            return
        path = handler.path.rstrip("/")
        if path.endswith("/chat/completions"):
            with self._lock:
                reply = self._chat.popleft() if self._chat else None
            self._chat_reply(handler, body, reply or Reply.answer(verdict=self.default_verdict))
        elif path.endswith("/embeddings"):
            with self._lock:
                reply = self._embeddings.popleft() if self._embeddings else None
            self._embedding_reply(handler, body, reply)
        elif path.endswith("/models") and handler.command == "GET":
            model = {"id": "gpt-4.1-mini", "object": "model", "created": 0, "owned_by": "fake"}
            self._json(handler, 200, {"object": "list", "data": [model]})
        else:
            self._error(handler, Reply.status(404, f"unknown path {handler.path}"))

    def _chat_reply(
        self, handler: BaseHTTPRequestHandler, body: dict[str, Any], reply: Reply
    ) -> None:
        if reply.kind == "delay":
            time.sleep(reply.seconds)
            reply = reply.then or Reply.answer(verdict=self.default_verdict)
        if reply.kind == "status":
            self._error(handler, reply)
            return
        content: str | None = None
        refusal: str | None = None
        if reply.kind == "answer":
            data = reply.content(body) if callable(reply.content) else reply.content
            content = json.dumps(data)
        elif reply.kind == "garbage":
            content = reply.text
        elif reply.kind == "refusal":
            refusal = reply.text
        prompt = " ".join(str(m.get("content", "")) for m in body.get("messages", []))
        prompt_tokens = max(1, len(prompt) // 4)
        completion_tokens = max(1, len(content or refusal or "") // 4)
        self._json(
            handler,
            200,
            {
                "id": f"chatcmpl-fake-{len(self.requests)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "fake-model"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content, "refusal": refusal},
                        "finish_reason": "stop",
                        "logprobs": None,
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            },
        )

    def _embedding_reply(
        self, handler: BaseHTTPRequestHandler, body: dict[str, Any], reply: Reply | None
    ) -> None:
        if reply is not None and reply.kind == "delay":
            time.sleep(reply.seconds)
            reply = reply.then
        if reply is not None and reply.kind == "status":
            self._error(handler, reply)
            return
        inputs = body.get("input", [])
        texts = [inputs] if isinstance(inputs, str) else [str(item) for item in inputs]
        rows = []
        for index, text in enumerate(texts):
            vector = fake_embedding(text, self.dims)
            if body.get("encoding_format") == "base64":
                packed = struct.pack(f"<{len(vector)}f", *vector)
                embedding: Any = base64.b64encode(packed).decode()
            else:
                embedding = vector
            rows.append({"object": "embedding", "index": index, "embedding": embedding})
        tokens = sum(len(text.split()) for text in texts)
        self._json(
            handler,
            200,
            {
                "object": "list",
                "data": rows,
                "model": body.get("model", "fake-embedding"),
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            },
        )

    def _error(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        kind = {401: "invalid_request_error", 429: "rate_limit_exceeded"}.get(
            reply.code, "server_error"
        )
        payload = {"error": {"message": reply.text, "type": kind, "code": str(reply.code)}}
        self._json(handler, reply.code, payload, reply.headers)

    @staticmethod
    def _json(
        handler: BaseHTTPRequestHandler,
        status: int,
        payload: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> None:
        data = json.dumps(payload).encode()
        try:
            handler.send_response(status)
            handler.send_header("content-type", "application/json")
            handler.send_header("content-length", str(len(data)))
            for name, value in (headers or {}).items():
                handler.send_header(name.replace("_", "-"), value)
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a scripted delay longer than its timeout)


def settings_for(server: FakeOpenAI, data_dir: Path, **overrides: Any) -> Settings:
    """Settings pointing the model path at `server`, with the cache under `data_dir`."""
    values: dict[str, Any] = {
        "openai_api_key": "sk-test-key",
        "openai_base_url": server.base_url,
        "openai_model": "gpt-4.1-mini",
        "openai_timeout_seconds": 5.0,
        "data_dir": data_dir,
    }
    values.update(overrides)
    return Settings(**values)
