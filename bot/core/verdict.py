"""Combine findings and context into a Decision: the strictest finding sets the verdict."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.core.models import CheckRequest, Citation, Decision, Finding, Verdict

if TYPE_CHECKING:
    from bot.core.judge import Assessment

MAX_CITATIONS = 4
_ORDER: dict[str, int] = {"do_not_post": 0, "needs_review": 1, "revise": 2, "info": 3}
_CONFIDENCE: dict[Verdict, float] = {
    "do_not_post": 0.9,
    "revise": 0.8,
    "needs_review": 0.55,
    "ok": 0.85,
}
_LEAD: dict[Verdict, str] = {
    "ok": "OK to post",
    "revise": "Revise before posting",
    "do_not_post": "Do not post",
    "needs_review": "A reviewer should decide",
}
FALLBACK_CODE = "prompt_injection"  # its citation is the review procedure
_FALLBACK = Finding(code=FALLBACK_CODE, severity="info", message="", fix="")


def verdict_for(findings: list[Finding]) -> Verdict:
    severities = {finding.severity for finding in findings}
    for verdict in ("do_not_post", "needs_review", "revise"):
        if verdict in severities:
            return verdict  # type: ignore[return-value]
    return "ok"


def summarize(verdict: Verdict, findings: list[Finding]) -> str:
    actionable = [finding for finding in findings if finding.severity != "info"]
    if verdict == "ok":
        return f"{_LEAD[verdict]}: nothing in it conflicts with the policy."
    leading = next(f for f in actionable if f.severity == verdict)
    message = leading.message[0].lower() + leading.message[1:]
    extra = len(actionable) - 1
    more = f" (and {extra} more item{'s' if extra > 1 else ''})" if extra > 0 else ""
    return f"{_LEAD[verdict]}: {message.rstrip('.')}{more}."


def decide(
    request: CheckRequest,
    findings: list[Finding],
    *,
    policy_version: str,
    rule_citation: Callable[[Finding], Citation | None],
    permission_citation: Callable[[], Citation | None],
    engine: str = "local",
    assessment: Assessment | None = None,
    unsure_code: str | None = None,
) -> Decision:
    """`permission_citation` is asked only when an answer cites what the policy allows.
    `unsure_code`: when every finding is that code (the judge is unsure and nothing in
    the policy decided it), the permissive provision closest to the draft is cited after
    the restrictive one, so the reviewer sees both sides of what the manual says."""
    ordered = sorted(findings, key=lambda finding: _ORDER[finding.severity])
    verdict = verdict_for(ordered)
    citations: list[Citation] = []
    cited: dict[Finding, int | None] = {}
    notes: list[str] = []
    if verdict == "ok":
        if permission := permission_citation():
            citations.append(permission)
    else:
        for finding in ordered:
            if finding.severity == "info":
                continue
            citation = rule_citation(finding)
            if citation and citation not in citations:
                citations.append(citation)
            cited[finding] = citations.index(citation) if citation else None
        if not citations:
            fallback = rule_citation(_FALLBACK) or permission_citation()
            if fallback:
                citations.append(fallback)
        only_unsure = all(f.code == unsure_code for f in ordered if f.severity != "info")
        if unsure_code and only_unsure:
            permission = permission_citation()
            if permission is not None and permission not in citations:
                citations.append(permission)
    if any(finding.code == "prompt_injection" for finding in ordered):
        notes.append("Instructions inside the draft were ignored; the post was judged as text.")
    if request.incident:
        notes.append("Incident mode: statements about the incident go through the PIO.")
    confidence = _CONFIDENCE[verdict]
    if verdict == "ok" and (request.incident or not citations):
        confidence = 0.7
    if assessment is not None and verdict == "ok":
        # How sure the judge is that the draft is harmless.
        confidence = min(confidence, 1.0 - assessment.harm)
    return Decision(
        verdict=verdict,
        summary=summarize(verdict, ordered),
        findings=tuple(ordered),
        citations=tuple(citations[:MAX_CITATIONS]),
        escalate=verdict == "needs_review",
        confidence=confidence,
        policy_version=policy_version,
        engine=engine,
        notes=tuple(notes),
        account=request.account,
        incident=request.incident,
        finding_citations=tuple(
            index if (index := cited.get(finding)) is not None and index < MAX_CITATIONS else None
            for finding in ordered
        ),
    )
