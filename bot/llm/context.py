"""What the model sees: the redacted draft, the context, the findings and the passages that
fit the token budget, each passage under a short id (P1, P2, ...).

Passages are chosen in this order: those behind the local decision's citations (the
rules' own grounding), then the fused BM25 + embedding ranking. The budget covers the
system message, the user message, the response schema and the chat framing, counted with
the model's encoding (see bot/llm/tokens.py); the final prompt is re-counted as a whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.engine import Engine
from bot.core.models import CheckRequest, Citation, Decision, Finding, Passage
from bot.core.redact import Redaction, redact
from bot.llm.config import LLMOptions
from bot.llm.embeddings import reciprocal_rank_fusion
from bot.llm.prompts import PromptSet
from bot.llm.schema import schema_text
from bot.llm.tokens import TokenCounter

FRAMING_TOKENS = 12  # per-message wrappers of the chat format, two messages plus reply


@dataclass(frozen=True)
class PromptPackage:
    messages: list[dict[str, str]]
    passages: dict[str, Passage]  # short id -> passage, in the order given
    prompt_tokens: int  # counted: messages + schema + framing
    budget: int
    redaction: Redaction
    candidates: int  # passages considered before the budget


def format_findings(findings: Sequence[Finding]) -> str:
    lines = [
        f"- {finding.code} (severity {finding.severity}): {finding.message} Fix: {finding.fix}"
        for finding in findings
    ]
    return "\n".join(lines)


def format_passage(ref: str, passage: Passage) -> str:
    page = f", page {passage.page}" if passage.page else ""
    return f"[{ref}] {passage.section} {passage.title} ({passage.source}{page})\n{passage.text}"


class PromptBuilder:
    """Pure and thread-safe: redaction, passage choice and budgeting, no network."""

    def __init__(
        self,
        engine: Engine,
        prompts: PromptSet,
        counter: TokenCounter,
        options: LLMOptions,
        *,
        redact_drafts: bool = True,
    ) -> None:
        self.engine = engine
        self.prompts = prompts
        self.counter = counter
        self.options = options
        self.redact_drafts = redact_drafts
        self._by_section: dict[tuple[str, str], list[Passage]] = {}
        for passage in engine.passages:
            self._by_section.setdefault((passage.source, passage.section), []).append(passage)
        self._fixed_tokens = (
            counter.count(prompts.system) + counter.count(schema_text()) + FRAMING_TOKENS
        )

    def redact(self, request: CheckRequest) -> Redaction:
        return redact(request.text) if self.redact_drafts else Redaction(request.text, {})

    # ------------------------------------------------------------- passages
    def passage_for(self, citation: Citation) -> Passage | None:
        """The passage a citation was quoted from."""
        passages = self._by_section.get((citation.source, citation.section), [])
        for passage in passages:
            if citation.quote and citation.quote in passage.text:
                return passage
        return passages[0] if passages else None

    def bm25_ranking(self, request: CheckRequest, local: Decision) -> list[str]:
        """Local BM25 over the draft (it never leaves the machine) and the findings' topics."""
        topics = " ".join(dict.fromkeys(f.topic for f in local.findings if f.topic))
        query = f"{request.text}\n{topics}".strip()
        return [
            scored.passage.id
            for scored in self.engine.retrieve(query, k=self.options.candidate_passages)
        ]

    def candidates(
        self,
        request: CheckRequest,
        local: Decision,
        dense_ranking: Sequence[str] | None = None,
    ) -> list[Passage]:
        chosen: dict[str, Passage] = {}
        for citation in local.citations:
            passage = self.passage_for(citation)
            if passage:
                chosen.setdefault(passage.id, passage)
        rankings = [self.bm25_ranking(request, local)]
        if dense_ranking:
            rankings.append(list(dense_ranking))
        for passage_id in reciprocal_rank_fusion(rankings, self.options.rrf_k):
            passage = self.engine.passage(passage_id)
            if passage:
                chosen.setdefault(passage.id, passage)
        return list(chosen.values())

    # ---------------------------------------------------------------- prompt
    def build(
        self,
        request: CheckRequest,
        local: Decision,
        redaction: Redaction,
        candidates: Sequence[Passage],
        *,
        budget: int | None = None,
        max_passages: int | None = None,
    ) -> PromptPackage | None:
        """The prompt with as many candidates as fit, or None if not even the draft fits."""
        budget = self.options.max_prompt_tokens if budget is None else budget
        limit = self.options.max_passages if max_passages is None else max_passages
        findings = format_findings(local.findings)
        base = self._fixed_tokens + self.counter.count(
            self._user(request, findings, "", redaction.text)
        )
        if base > budget:
            return None
        selected: list[Passage] = []
        used = base
        for passage in candidates:
            if len(selected) >= limit:
                break
            cost = self.counter.count(format_passage(f"P{len(selected) + 1}", passage)) + 2
            if used + cost > budget:
                continue  # a shorter passage further down may still fit
            selected.append(passage)
            used += cost
        while True:  # tokenisation across joins can differ slightly: re-count the whole
            package = self._package(request, findings, redaction, selected, budget, candidates)
            if package.prompt_tokens <= budget or not selected:
                return package if package.prompt_tokens <= budget else None
            selected.pop()

    def build_full_policy(
        self, request: CheckRequest, local: Decision, redaction: Redaction
    ) -> PromptPackage:
        """The same prompt with every policy passage in it (the bench's comparison)."""
        passages = list(self.engine.passages)
        package = self.build(
            request,
            local,
            redaction,
            passages,
            budget=10**12,
            max_passages=len(passages),
        )
        assert package is not None
        return package

    def _user(self, request: CheckRequest, findings: str, passages: str, draft: str) -> str:
        return self.prompts.render_user(
            account=request.account,
            incident=request.incident,
            findings=findings,
            passages=passages,
            draft=draft,
        )

    def _package(
        self,
        request: CheckRequest,
        findings: str,
        redaction: Redaction,
        selected: Sequence[Passage],
        budget: int,
        candidates: Sequence[Passage],
    ) -> PromptPackage:
        given = {f"P{index}": passage for index, passage in enumerate(selected, start=1)}
        blocks = "\n\n".join(format_passage(ref, passage) for ref, passage in given.items())
        user = self._user(request, findings, blocks, redaction.text)
        tokens = self._fixed_tokens + self.counter.count(user)
        return PromptPackage(
            messages=[
                {"role": "system", "content": self.prompts.system},
                {"role": "user", "content": user},
            ],
            passages=given,
            prompt_tokens=tokens,
            budget=budget,
            redaction=redaction,
            candidates=len(candidates),
        )
