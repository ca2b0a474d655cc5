"""The contracts shared by every layer: requests, findings, citations and decisions."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

Verdict = Literal["ok", "revise", "do_not_post", "needs_review"]
VERDICTS: tuple[Verdict, ...] = ("ok", "revise", "do_not_post", "needs_review")

Account = Literal["personal", "official", "unknown"]
ACCOUNTS: tuple[Account, ...] = ("personal", "official", "unknown")

# A finding's severity is the least strict verdict the draft can get because of it.
Severity = Literal["info", "revise", "needs_review", "do_not_post"]
SEVERITIES: tuple[Severity, ...] = ("info", "revise", "needs_review", "do_not_post")

# Strictness of the verdicts that say something about the draft itself. `needs_review`
# sits outside this order: handing a case to a human is never looser than any verdict.
_STRICTNESS: dict[str, int] = {"ok": 0, "info": 0, "revise": 1, "do_not_post": 2}


def is_looser(candidate: Verdict, floor: Severity | Verdict) -> bool:
    """True when answering `candidate` would be looser than the deterministic `floor`.

    `needs_review` as a candidate is never looser; as a floor it is only met by
    `needs_review` or `do_not_post`.
    """
    if candidate == "needs_review":
        return False
    if floor == "needs_review":
        return candidate != "do_not_post"
    return _STRICTNESS[candidate] < _STRICTNESS[floor]


@dataclass(frozen=True)
class CheckRequest:
    """One question or draft to judge, with the context it will be posted in."""

    text: str
    account: Account = "unknown"
    incident: bool = False
    surface: str = "cli"
    user_id: str | None = None
    channel_id: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Finding:
    """One deterministic observation about the draft; `span` indexes into the draft text."""

    code: str
    severity: Severity
    message: str
    fix: str
    span: tuple[int, int] | None = None
    topic: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["span"] = list(self.span) if self.span else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        span = data.get("span")
        return cls(
            code=str(data["code"]),
            severity=data["severity"],
            message=str(data.get("message", "")),
            fix=str(data.get("fix", "")),
            span=(int(span[0]), int(span[1])) if span else None,
            topic=str(data.get("topic", "")),
        )


@dataclass(frozen=True)
class Citation:
    """A policy passage an answer relied on; `quote` is verbatim text of `source`."""

    source: str
    section: str
    title: str
    quote: str
    page: int | None = None  # the page the quote is on, for PDF sources

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Citation:
        page = data.get("page")
        return cls(
            source=str(data["source"]),
            section=str(data["section"]),
            title=str(data.get("title", "")),
            quote=str(data["quote"]),
            page=int(page) if page is not None else None,
        )


@dataclass(frozen=True)
class Usage:
    """Model usage for one answer (absent for the local engine)."""

    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    context_tokens: int = 0


@dataclass(frozen=True)
class Decision:
    """The answer to a CheckRequest; serialises to the Decision JSON of DESIGN.md."""

    verdict: Verdict
    summary: str
    findings: tuple[Finding, ...]
    citations: tuple[Citation, ...]
    escalate: bool
    confidence: float
    policy_version: str
    engine: str = "local"
    notes: tuple[str, ...] = ()
    rewrite: str | None = None
    prompt_version: str | None = None
    usage: Usage | None = None
    latency_ms: float = 0.0
    account: Account = "unknown"
    incident: bool = False
    # For each finding, the index in `citations` of the provision it rests on (None: none
    # of its own). Empty when not known (model-written findings).
    finding_citations: tuple[int | None, ...] = ()

    def citation_for(self, index: int) -> Citation | None:
        """The citation finding `index` rests on, when the decision says so."""
        if len(self.finding_citations) != len(self.findings):
            return None
        at = self.finding_citations[index]
        return self.citations[at] if at is not None and 0 <= at < len(self.citations) else None

    @property
    def finding_codes(self) -> list[str]:
        return [finding.code for finding in self.findings]

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "summary": self.summary,
            "findings": [finding.to_dict() for finding in self.findings],
            "citations": [citation.to_dict() for citation in self.citations],
            "escalate": self.escalate,
            "confidence": round(self.confidence, 3),
            "policy_version": self.policy_version,
            "engine": self.engine,
            "notes": list(self.notes),
            "rewrite": self.rewrite,
            "prompt_version": self.prompt_version,
            "usage": asdict(self.usage) if self.usage else None,
            "latency_ms": round(self.latency_ms, 3),
            "account": self.account,
            "incident": self.incident,
            "finding_citations": list(self.finding_citations),
        }

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Decision:
        usage = data.get("usage")
        return cls(
            verdict=data["verdict"],
            summary=str(data.get("summary", "")),
            findings=tuple(Finding.from_dict(item) for item in data.get("findings", [])),
            citations=tuple(Citation.from_dict(item) for item in data.get("citations", [])),
            escalate=bool(data.get("escalate", False)),
            confidence=float(data.get("confidence", 0.0)),
            policy_version=str(data.get("policy_version", "")),
            engine=str(data.get("engine", "local")),
            notes=tuple(data.get("notes", ())),
            rewrite=data.get("rewrite"),
            prompt_version=data.get("prompt_version"),
            usage=Usage(**usage) if usage else None,
            latency_ms=float(data.get("latency_ms", 0.0)),
            account=data.get("account", "unknown"),
            incident=bool(data.get("incident", False)),
            finding_citations=tuple(
                None if item is None else int(item) for item in data.get("finding_citations", ())
            ),
        )


@dataclass(frozen=True)
class PolicySection:
    """One numbered section of a policy file, its text verbatim from the file."""

    source: str  # path relative to the policy folder, e.g. "social-media-policy.md"
    section: str  # the document's own id, e.g. "1058.4(b)", or a heading slug
    title: str
    text: str
    page: int | None = None  # first page, for PDF sources
    doc_title: str = ""
    parent: str | None = None  # the id of the section this one is an item or subsection of
    page_breaks: tuple[int, ...] = ()  # offsets in `text` where each later page begins

    def page_at(self, offset: int) -> int | None:
        """The page that the character at `offset` of `text` is on."""
        if self.page is None:
            return None
        return self.page + sum(1 for start in self.page_breaks if start <= offset)


@dataclass(frozen=True)
class Passage:
    """A retrievable chunk of a section; `text` is a verbatim slice of the section text."""

    id: str
    source: str
    section: str
    title: str
    text: str
    tokens: int
    page: int | None = None


@dataclass(frozen=True)
class ScoredPassage:
    passage: Passage
    score: float


class Advisor(Protocol):
    """Anything that can answer a CheckRequest: the local engine or the model path."""

    def check(self, request: CheckRequest) -> Decision: ...


@dataclass
class IndexStats:
    """What `canipost index` read and built."""

    files: int = 0
    sections: int = 0
    passages: int = 0
    tokens: int = 0
    seconds: float = 0.0
    from_cache: bool = False
    policy_version: str = ""
    skipped: list[str] = field(default_factory=list)
    sample_policy: bool = False  # the built-in sample, which the rules were written against
