"""The OpenAI SDK behind one small interface: structured answers and embeddings, with
bounded retries and every failure turned into a `ModelUnavailable` that says what happened.

The SDK's own retries are switched off (`max_retries=0`) so the backoff is ours: short and
configurable (tests use milliseconds), capped, and honouring a server's Retry-After within
the cap. Inside `with client.within(seconds):` every call of this thread, retries and
backoff included, fits in that time: each attempt's timeout is what is left, and no retry
starts that could not finish. Works with api.openai.com, Azure OpenAI's v1 endpoint and any
OpenAI-compatible server through `OPENAI_BASE_URL`.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import openai
from openai import OpenAI

from bot.config import Settings
from bot.llm.config import LLMOptions
from bot.llm.schema import ModelAnswer

log = logging.getLogger(__name__)
T = TypeVar("T")

_REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")  # no temperature parameter for these
MIN_ATTEMPT_SECONDS = 0.05  # an attempt with less time than this left is not started


class ModelUnavailable(Exception):
    """The model could not give a usable answer; `reason` fits in "unavailable (...)"."""

    def __init__(
        self, reason: str, *, kind: str, status: int | None = None, permanent: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        # timeout, connection, rate_limit, server, auth, not_found, bad_request, malformed
        self.kind = kind
        self.status = status
        self.permanent = permanent  # retrying later will not help (bad key, unknown model)


@dataclass(frozen=True)
class ChatResult:
    answer: ModelAnswer | None  # None when the model refused
    refusal: str | None
    tokens_in: int
    tokens_out: int
    model: str
    attempts: int


@dataclass(frozen=True)
class EmbeddingResult:
    vectors: list[list[float]]
    tokens: int
    attempts: int


class ModelClient:
    """Thread-safe: the SDK client is shared; deadlines are per thread."""

    def __init__(
        self,
        settings: Settings,
        options: LLMOptions,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.model = settings.openai_model
        self.embedding_model = settings.openai_embedding_model
        self.options = options
        self._sleep = sleep
        self._clock = time.monotonic
        self._timeout = settings.openai_timeout_seconds
        self._deadlines = threading.local()
        self._sdk = OpenAI(
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url or None,
            timeout=settings.openai_timeout_seconds,
            max_retries=0,
        )

    # --------------------------------------------------------------- deadlines
    @contextlib.contextmanager
    def within(self, seconds: float, label: str = "") -> Iterator[None]:
        """Calls made by this thread inside the block finish within `seconds` (and within
        any enclosing block's time). `label` names the budget in the failure reason."""
        stack: list[tuple[float, str]] = self._deadlines.__dict__.setdefault("stack", [])
        stack.append((self._clock() + seconds, label or f"{seconds:g} s time budget"))
        try:
            yield
        finally:
            stack.pop()

    def _deadline(self) -> tuple[float, str] | None:
        stack: list[tuple[float, str]] = self._deadlines.__dict__.get("stack", [])
        return min(stack) if stack else None

    def _time_left(self) -> tuple[float | None, str]:
        deadline = self._deadline()
        if deadline is None:
            return None, ""
        return deadline[0] - self._clock(), deadline[1]

    # ------------------------------------------------------------------- calls
    def answer(self, messages: Sequence[dict[str, str]]) -> ChatResult:
        extra: dict[str, Any] = {"max_completion_tokens": self.options.max_output_tokens}
        if self.model.lower().startswith(_REASONING_PREFIXES):
            extra["max_completion_tokens"] = self.options.max_output_tokens_reasoning
        else:
            extra["temperature"] = 0
        attempts = 0

        def call(timeout: float) -> Any:
            nonlocal attempts
            attempts += 1
            return self._sdk.chat.completions.parse(
                model=self.model,
                messages=list(messages),  # type: ignore[arg-type]
                response_format=ModelAnswer,
                timeout=timeout,
                **extra,
            )

        completion = self._with_retries(call, "chat")
        if not completion.choices:
            raise ModelUnavailable("the answer was empty", kind="malformed")
        message = completion.choices[0].message
        usage = completion.usage
        tokens_in = int(getattr(usage, "prompt_tokens", 0) or 0)
        tokens_out = int(getattr(usage, "completion_tokens", 0) or 0)
        refusal = getattr(message, "refusal", None)
        if not refusal and message.parsed is None:
            raise ModelUnavailable("the answer was empty", kind="malformed")
        return ChatResult(
            answer=None if refusal else message.parsed,
            refusal=refusal or None,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            model=completion.model or self.model,
            attempts=attempts,
        )

    def embed(self, texts: Sequence[str]) -> EmbeddingResult:
        attempts = 0

        def call(timeout: float) -> Any:
            nonlocal attempts
            attempts += 1
            return self._sdk.embeddings.create(
                model=self.embedding_model,
                input=list(texts),
                encoding_format="float",
                timeout=timeout,
            )

        response = self._with_retries(call, "embeddings")
        rows = sorted(response.data, key=lambda row: row.index)
        if len(rows) != len(texts):
            raise ModelUnavailable(
                f"{len(rows)} embeddings for {len(texts)} texts", kind="malformed"
            )
        tokens = int(getattr(response.usage, "prompt_tokens", 0) or 0)
        return EmbeddingResult([list(row.embedding) for row in rows], tokens, attempts)

    def check_access(self) -> ModelUnavailable | None:
        """One unretried GET /models: does the server accept the key? None when it does."""
        try:
            self._sdk.models.list()
        except Exception as error:  # noqa: BLE001 - classified
            return classify(error)
        return None

    # ----------------------------------------------------------------- retries
    def _with_retries(self, call: Callable[[float], T], what: str) -> T:
        attempt = 0
        while True:
            left, budget = self._time_left()
            if left is not None and left < MIN_ATTEMPT_SECONDS:
                log.warning("%s call not made: the %s is spent", what, budget)
                raise ModelUnavailable(f"over the {budget}", kind="timeout")
            timeout = self._timeout if left is None else min(self._timeout, left)
            try:
                return call(timeout)
            except Exception as error:  # noqa: BLE001 - classified below
                failure = classify(error)
                if failure.kind == "timeout" and timeout < self._timeout:
                    failure = ModelUnavailable(f"over the {budget}", kind="timeout")
                retryable = failure.kind in {"timeout", "connection", "rate_limit", "server"}
                delay = self._delay(attempt, error)
                left, budget = self._time_left()
                no_time = left is not None and left - delay < MIN_ATTEMPT_SECONDS
                if not retryable or attempt >= self.options.max_retries or no_time:
                    log.warning(
                        "%s call failed after %d attempt(s): %s%s",
                        what,
                        attempt + 1,
                        failure.reason,
                        f" (no time left in the {budget} to retry)"
                        if retryable and no_time and attempt < self.options.max_retries
                        else "",
                    )
                    raise failure from error
                log.info(
                    "%s call failed (%s); retry %d/%d in %.2fs",
                    what,
                    failure.reason,
                    attempt + 1,
                    self.options.max_retries,
                    delay,
                )
                self._sleep(delay)
                attempt += 1

    def _delay(self, attempt: int, error: Exception) -> float:
        cap = self.options.max_backoff_seconds
        retry_after = _retry_after(error)
        if retry_after is not None:
            return min(max(retry_after, 0.0), cap)
        base = self.options.backoff_seconds * (2**attempt)
        return min(base * (1 + 0.25 * random.random()), cap)


def _retry_after(error: Exception) -> float | None:
    response = getattr(error, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = headers.get(name)
        if raw:
            try:
                return float(raw) * scale
            except ValueError:
                return None
    return None


def classify(error: Exception) -> ModelUnavailable:
    """Map an SDK (or parsing) exception to a ModelUnavailable with a short reason."""
    if isinstance(error, ModelUnavailable):
        return error
    if isinstance(error, openai.APITimeoutError):
        return ModelUnavailable("timeout", kind="timeout")
    if isinstance(error, openai.APIConnectionError):
        return ModelUnavailable("connection failed", kind="connection")
    if isinstance(error, openai.APIStatusError):
        status = error.status_code
        label = f"HTTP {status}"
        if status in (401, 403):
            return ModelUnavailable(label, kind="auth", status=status, permanent=True)
        if status == 404:
            return ModelUnavailable(label, kind="not_found", status=status, permanent=True)
        if status == 429:
            return ModelUnavailable(label, kind="rate_limit", status=status)
        if status >= 500 or status in (408, 409):
            return ModelUnavailable(label, kind="server", status=status)
        return ModelUnavailable(label, kind="bad_request", status=status)
    if isinstance(error, openai.LengthFinishReasonError):
        return ModelUnavailable("the answer was cut off", kind="malformed")
    if isinstance(error, openai.ContentFilterFinishReasonError):
        return ModelUnavailable("the answer was stopped by a content filter", kind="malformed")
    if isinstance(error, ValueError):  # pydantic ValidationError, json errors
        return ModelUnavailable("the answer was not valid structured output", kind="malformed")
    return ModelUnavailable(type(error).__name__, kind="connection")
