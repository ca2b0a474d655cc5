"""LLMAdvisor: the local engine's decision, reasoned and worded by a model, never looser.

Per check: the engine decides locally (the floor, the findings, the fallback answer); the
draft is redacted; passages are chosen (rules' citations, then BM25 fused with embeddings)
within the token budget; the model answers in structured output; the answer is validated
(bot/llm/validate.py). Any failure gives the local decision with a one-line note.

Nobody waits on a hung model: the model path of one answer (embeddings, chat, retries and
backoff) fits in OPENAI_BUDGET_SECONDS, the local answer after it; and after repeated
failures a circuit breaker (bot/llm/breaker.py) stops calling the endpoint for a while, so
checks answer locally at once instead of each waiting out the budget.

Logs carry a per-check id, verdicts, status codes and token counts, never draft text.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import replace

from bot.config import Settings
from bot.core.engine import Engine
from bot.core.models import CheckRequest, Decision, Usage
from bot.llm.breaker import TRIPPING_KINDS, CircuitBreaker
from bot.llm.client import ChatResult, ModelClient, ModelUnavailable
from bot.llm.config import LLMOptions
from bot.llm.context import PromptBuilder, PromptPackage
from bot.llm.embeddings import (
    EmbeddingCache,
    EmbeddingIndex,
    EmbeddingIndexStats,
    cache_file,
    embeddings_dir,
)
from bot.llm.pricing import estimate_cost
from bot.llm.prompts import PromptSet
from bot.llm.tokens import counter_for
from bot.llm.validate import Checked, check_answer, refusal_decision_parts, to_decision

log = logging.getLogger(__name__)

LOCAL_ANSWER = "this is the local engine's answer."
PAUSED_NOTE = (
    "The model is paused after repeated failures (next try in about {seconds} s); " + LOCAL_ANSWER
)


def failure_note(failure: ModelUnavailable) -> str:
    """The one line an officer sees when the model could not answer."""
    if failure.kind == "auth":
        return f"The model server rejected the API key ({failure.reason}); {LOCAL_ANSWER}"
    if failure.kind == "not_found":
        return (
            f"The model was not found ({failure.reason}; check OPENAI_MODEL and "
            f"OPENAI_BASE_URL); {LOCAL_ANSWER}"
        )
    if failure.kind == "malformed":
        return f"The model's answer could not be used ({failure.reason}); {LOCAL_ANSWER}"
    return f"The model was unavailable ({failure.reason}); {LOCAL_ANSWER}"


class LLMAdvisor:
    """An Advisor (see bot.core.models.Advisor); `check` is safe to call from many threads."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        *,
        options: LLMOptions | None = None,
        client: ModelClient | None = None,
        prompts: PromptSet | None = None,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.options = options or LLMOptions()
        self.client = client or ModelClient(settings, self.options)
        self.prompts = prompts or PromptSet.load()
        self.model = settings.openai_model
        self.counter = counter_for(self.model)
        self.builder = PromptBuilder(
            engine,
            self.prompts,
            self.counter,
            self.options,
            redact_drafts=settings.redact_before_llm,
        )
        self.cache = EmbeddingCache(
            cache_file(
                embeddings_dir(settings), settings.openai_embedding_model, settings.openai_base_url
            )
        )
        self._lock = threading.Lock()
        self._index: EmbeddingIndex | None = None
        self._index_stats: EmbeddingIndexStats | None = None
        self._index_retry_at = 0.0
        self._disabled: ModelUnavailable | None = None
        self.breaker = breaker or CircuitBreaker(
            failures_to_open=self.options.breaker_failures,
            open_seconds=self.options.breaker_open_seconds,
        )

    # -------------------------------------------------------------- properties
    @property
    def policy_version(self) -> str:
        return self.engine.policy_version

    @property
    def prompt_version(self) -> str:
        return self.prompts.version

    @property
    def disabled_reason(self) -> str | None:
        return self._disabled.reason if self._disabled else None

    # --------------------------------------------------------------- embeddings
    def warm_up(self) -> EmbeddingIndexStats | None:
        """Embed the policy now (cached on disk) instead of on the first check."""
        try:
            self._embedding_index()
        except ModelUnavailable as failure:
            self._disable(failure)
        return self._index_stats

    def _embedding_index(self) -> EmbeddingIndex | None:
        """The passage vectors, built once; after a failure, BM25 alone for a while."""
        if not self.options.use_embeddings:
            return None
        if self._index is not None:
            return self._index
        # Another check building the index does not make this one wait: BM25 alone.
        if not self._lock.acquire(blocking=False):
            return None
        try:
            if self._index is not None or time.monotonic() < self._index_retry_at:
                return self._index
            try:
                self._index, self._index_stats = EmbeddingIndex.build(
                    self.engine, self.client, self.cache, self.options
                )
            except ModelUnavailable as failure:
                if failure.permanent:
                    raise
                self._index_retry_at = time.monotonic() + self.options.embeddings_retry_seconds
                log.warning("embeddings unavailable (%s); using BM25 alone", failure.reason)
                return None
            stats = self._index_stats
            log.info(
                "embeddings ready: %d passages, %d cached, %d embedded in %d call(s)",
                stats.passages,
                stats.cached,
                stats.embedded,
                stats.calls,
            )
            return self._index
        finally:
            self._lock.release()

    def _dense_ranking(self, text: str) -> tuple[list[str], int]:
        index = self._embedding_index()
        if index is None:
            return [], 0
        try:
            result = self.client.embed([text])
        except ModelUnavailable as failure:
            if failure.permanent:
                raise
            log.warning("query embedding failed (%s); using BM25 alone", failure.reason)
            return [], 0
        return index.rank(result.vectors[0], self.options.candidate_passages), result.tokens

    # ------------------------------------------------------------------ checks
    def check(self, request: CheckRequest) -> Decision:
        started = time.perf_counter()
        local = self.engine.check(request)  # invalid drafts raise InputError, as locally
        if self._disabled is not None:
            return self._fallback(local, failure_note(self._disabled), started)
        if not self.breaker.allow():
            note = PAUSED_NOTE.format(seconds=max(1, round(self.breaker.retry_in())))
            return self._fallback(local, note, started)
        check_id = uuid.uuid4().hex[:8]
        redaction = self.builder.redact(request)
        budget = self.settings.openai_budget_seconds
        try:
            with self.client.within(budget, f"{budget:g} s time budget"):
                with self.client.within(budget * self.options.dense_share):
                    dense, query_tokens = self._dense_ranking(redaction.text)
                candidates = self.builder.candidates(request, local, dense)
                package = self.builder.build(request, local, redaction, candidates)
                if package is None:
                    log.info("check %s: draft over the %d-token budget", check_id, self.budget)
                    note = f"The draft is too long for the model's context budget; {LOCAL_ANSWER}"
                    return self._fallback(local, note, started)
                result = self.client.answer(package.messages)
        except ModelUnavailable as failure:
            if failure.permanent:
                self._disable(failure)
            if failure.kind in TRIPPING_KINDS:
                self.breaker.failure(failure.reason)
            else:
                self.breaker.success()  # the endpoint answered, just not usefully
            log.info("check %s: local answer (%s)", check_id, failure.reason)
            return self._fallback(local, failure_note(failure), started)
        self.breaker.success()
        decision = self._decide(request, local, package, result, query_tokens, started)
        log.info(
            "check %s: verdict=%s local=%s model=%s passages=%d redacted=%s "
            "tokens_in=%d tokens_out=%d",
            check_id,
            decision.verdict,
            local.verdict,
            result.answer.verdict if result.answer else "refused",
            len(package.passages),
            package.redaction.counts or "{}",
            result.tokens_in,
            result.tokens_out,
        )
        return decision

    @property
    def budget(self) -> int:
        return self.options.max_prompt_tokens

    def _decide(
        self,
        request: CheckRequest,
        local: Decision,
        package: PromptPackage,
        result: ChatResult,
        query_tokens: int,
        started: float,
    ) -> Decision:
        usage, cost_notes = self._usage(package, result, query_tokens)
        if result.answer is None:
            verdict, summary, citations, notes = refusal_decision_parts(local, self.engine)
            checked = Checked(
                verdict=verdict,
                summary=summary,
                citations=citations,
                reasons=[],
                rewrite=None,
                escalate=True,
                confidence=min(local.confidence, 0.5),
                notes=notes,
            )
        else:
            checked = check_answer(
                result.answer,
                local=local,
                given=package.passages,
                redaction=package.redaction,
                request=request,
                engine=self.engine,
                options=self.options,
            )
            if checked.dropped_reasons or checked.replaced_quotes:
                log.info(
                    "model answer: %d reason(s) with unknown passage ids dropped, "
                    "%d quote(s) replaced",
                    checked.dropped_reasons,
                    checked.replaced_quotes,
                )
        return to_decision(
            checked,
            local=local,
            engine_name=self.model,
            prompt_version=self.prompts.version,
            usage=usage,
            extra_notes=cost_notes,
            latency_ms=(time.perf_counter() - started) * 1000,
        )

    def _usage(
        self, package: PromptPackage, result: ChatResult, query_tokens: int
    ) -> tuple[Usage, list[str]]:
        tokens_in = result.tokens_in or package.prompt_tokens
        chat_cost = estimate_cost(self.model, tokens_in, result.tokens_out)
        notes = []
        if chat_cost is None:
            chat_cost = 0.0
            notes.append(f"Cost not estimated: no price is known for model {self.model}.")
        embed_cost = estimate_cost(self.settings.openai_embedding_model, query_tokens) or 0.0
        usage = Usage(
            tokens_in=tokens_in,
            tokens_out=result.tokens_out,
            cost_usd=round(chat_cost + embed_cost, 8),
            context_tokens=package.prompt_tokens,
        )
        return usage, notes

    def _fallback(self, local: Decision, note: str, started: float) -> Decision:
        return replace(
            local,
            notes=(*local.notes, note),
            prompt_version=self.prompts.version,
            latency_ms=(time.perf_counter() - started) * 1000,
        )

    def _disable(self, failure: ModelUnavailable) -> None:
        with self._lock:
            if self._disabled is not None:
                return
            self._disabled = failure
        if failure.kind == "auth":
            log.error(
                "model path off: the server rejected OPENAI_API_KEY (%s); answering with the "
                "local engine",
                failure.reason,
            )
        else:
            log.error(
                "model path off: %s (check OPENAI_MODEL=%s and OPENAI_BASE_URL); answering "
                "with the local engine",
                failure.reason,
                self.model,
            )
