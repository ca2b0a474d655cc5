"""Turn the model's structured answer into a Decision the rules can stand behind.

- A reason citing a passage id that was not given is dropped.
- A quote must be verbatim from its passage (whitespace may differ; the passage's own
  text is used); otherwise the engine's best quote of that passage replaces it.
- The verdict is never looser than the local decision (bot.core.models.is_looser); a model
  that is unsure, or refuses, sends the case to a reviewer. A draft with a do_not_post
  finding stays do_not_post, flagged for review when the model asked for one.
- Every non-ok verdict carries at least one citation (the local decision's, else the
  review procedure's).
- Placeholders are mapped back where the answer quotes the officer's draft (summary,
  reasons, rewrite), and a rewrite is only offered when the rules find nothing in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core.combine import UNSURE_CODE
from bot.core.engine import Engine
from bot.core.errors import InputError
from bot.core.models import CheckRequest, Citation, Decision, Passage, Usage, Verdict, is_looser
from bot.core.redact import PLACEHOLDER, Redaction
from bot.core.verdict import FALLBACK_CODE, MAX_CITATIONS
from bot.llm.config import LLMOptions
from bot.llm.schema import ModelAnswer

MIN_QUOTE_CHARS = 20
_ID = re.compile(r"[\s\[\]()#]")
_LEAD: dict[str, str] = {
    "ok": "OK to post",
    "revise": "Revise before posting",
    "do_not_post": "Do not post",
    "needs_review": "A reviewer should decide",
}


@dataclass
class Checked:
    """A validated model answer, ready to become a Decision, with what was changed."""

    verdict: Verdict
    summary: str
    citations: list[Citation]
    reasons: list[str]
    rewrite: str | None
    escalate: bool
    confidence: float
    notes: list[str] = field(default_factory=list)
    dropped_reasons: int = 0
    replaced_quotes: int = 0
    floor_applied: bool = False


def verbatim_quote(passage_text: str, quote: str) -> str | None:
    """`quote` as it stands in the passage, allowing only whitespace differences."""
    quote = quote.strip().strip('"“”')
    if len(quote) < MIN_QUOTE_CHARS:
        return None
    if quote in passage_text:
        return quote
    words = quote.split()
    pattern = r"\s+".join(re.escape(word) for word in words)
    match = re.search(pattern, passage_text)
    return match.group() if match else None


def _passage_id(raw: str) -> str:
    return _ID.sub("", raw).upper()


def check_answer(
    answer: ModelAnswer,
    *,
    local: Decision,
    given: dict[str, Passage],
    redaction: Redaction,
    request: CheckRequest,
    engine: Engine,
    options: LLMOptions,
) -> Checked:
    citations: list[Citation] = []
    reasons: list[str] = []
    dropped = replaced = 0
    for reason in answer.reasons:
        passage = given.get(_passage_id(reason.passage_id))
        if passage is None:
            dropped += 1
            continue
        quote = verbatim_quote(passage.text, reason.quote)
        if quote is None:
            replaced += 1
            quote = engine.citation_for(passage, reason.explanation or reason.quote).quote
        citation = Citation(passage.source, passage.section, passage.title, quote)
        if citation not in citations:
            citations.append(citation)
        explanation = redaction.restore(reason.explanation.strip())
        if explanation:
            reasons.append(f"{passage.section}: {explanation}")

    floor = local.verdict
    proposed: Verdict = answer.verdict
    unsure = answer.needs_human or answer.confidence < options.unsure_below
    notes: list[str] = []
    floor_applied = is_looser(proposed, floor)
    if floor_applied:
        verdict: Verdict = floor
        notes.append(
            f"The model answered {proposed!r}; the policy rules require {floor!r}, so the "
            "rules' answer stands."
        )
    else:
        verdict = proposed
    kept_floor = floor == "do_not_post" and verdict == "needs_review"
    if kept_floor:
        verdict = "do_not_post"  # a definite violation stays one; a reviewer may still look
        unsure = True
    if unsure and verdict not in ("do_not_post", "needs_review"):
        verdict = "needs_review"
    escalate = verdict == "needs_review" or unsure
    if unsure and verdict == "do_not_post":
        notes.append("The model also asked for a reviewer to look at this draft.")

    summary = redaction.restore(answer.summary.strip())
    if floor_applied:
        summary, citations, reasons = local.summary, [], []
    elif kept_floor:
        summary = local.summary
    elif verdict != proposed or not summary:
        summary = f"{_LEAD[verdict]}: {summary}" if summary else _LEAD[verdict] + "."

    if verdict != "ok":
        for citation in local.citations:  # the rules' grounding always shows
            if citation not in citations:
                citations.append(citation)
        if not citations:
            fallback = engine.rule_citation(FALLBACK_CODE)
            if fallback:
                citations.append(fallback)
    elif not citations:
        citations = list(local.citations)

    rewrite = None
    if verdict == "revise" and answer.rewrite and answer.rewrite.strip():
        rewrite, note = _checked_rewrite(answer.rewrite.strip(), redaction, request, engine)
        if note:
            notes.append(note)

    confidence = local.confidence if floor_applied else min(max(answer.confidence, 0.0), 1.0)
    return Checked(
        verdict=verdict,
        summary=summary,
        citations=citations[:MAX_CITATIONS],
        reasons=reasons,
        rewrite=rewrite,
        escalate=escalate,
        confidence=confidence,
        notes=notes,
        dropped_reasons=dropped,
        replaced_quotes=replaced,
        floor_applied=floor_applied,
    )


def _checked_rewrite(
    text: str, redaction: Redaction, request: CheckRequest, engine: Engine
) -> tuple[str | None, str | None]:
    restored = redaction.restore(text)
    if PLACEHOLDER.search(restored):
        return None, "The model's rewrite kept a placeholder it could not fill, so it was left out."
    try:
        problems = [
            finding
            for finding in engine.findings(
                CheckRequest(text=restored, account=request.account, incident=request.incident)
            )
            # The judge's "not sure" is no reason to withhold a rewrite the rules pass; a
            # rewrite the judge reads as a violation is withheld.
            if finding.severity != "info" and finding.code != UNSURE_CODE
        ]
    except InputError:
        return None, None
    if problems:
        return None, "The model's rewrite still had problems the checks flag, so it was left out."
    return restored, None


def refusal_decision_parts(
    local: Decision, engine: Engine
) -> tuple[Verdict, str, list[Citation], list[str]]:
    """A refusal hands the case to a reviewer (a definite violation stays do_not_post)."""
    if local.verdict == "do_not_post":
        verdict: Verdict = "do_not_post"
        summary = local.summary
    else:
        verdict = "needs_review"
        summary = "A reviewer should decide: the model declined to judge this draft."
    citations = list(local.citations) if local.verdict != "ok" else []
    if not citations:
        fallback = engine.rule_citation(FALLBACK_CODE)
        citations = [fallback] if fallback else list(local.citations)
    notes = ["The model declined to answer; a reviewer should look at this draft."]
    return verdict, summary, citations[:MAX_CITATIONS], notes


def to_decision(
    checked: Checked,
    *,
    local: Decision,
    engine_name: str,
    prompt_version: str,
    usage: Usage,
    extra_notes: list[str],
    latency_ms: float,
) -> Decision:
    return Decision(
        verdict=checked.verdict,
        summary=checked.summary,
        findings=local.findings,
        citations=tuple(checked.citations),
        escalate=checked.escalate,
        confidence=checked.confidence,
        policy_version=local.policy_version,
        engine=engine_name,
        notes=tuple(checked.reasons + list(local.notes) + checked.notes + extra_notes),
        rewrite=checked.rewrite,
        prompt_version=prompt_version,
        usage=usage,
        latency_ms=latency_ms,
        account=local.account,
        incident=local.incident,
    )
