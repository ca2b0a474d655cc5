"""The local guidance engine: policy index + rule table -> Decision."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

from bot.core.chunking import DEFAULT_MAX_TOKENS, chunk_sections
from bot.core.combine import (
    DEFAULT_COMBINATION,
    UNSURE_CODE,
    Combination,
    judge_findings,
    topic_of_code,
)
from bot.core.errors import PolicyError
from bot.core.judge import Assessment, Judge, default_judge
from bot.core.loader import discover, load_sections, policy_version
from bot.core.models import (
    CheckRequest,
    Citation,
    Decision,
    Finding,
    IndexStats,
    Passage,
    PolicySection,
    ScoredPassage,
)
from bot.core.retrieval import PassageIndex, tokenize
from bot.core.rules import RULES, Rule, match_rules
from bot.core.text import normalize, normalize_light, validate_draft
from bot.core.topics import TOPICS
from bot.core.verdict import decide

INDEX_FORMAT = 2  # bump when the cached layout or chunking changes
MAX_QUOTE_CHARS = 420
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)")

Progress = Callable[[int, int, str], None]
PERMISSION_CANDIDATES = 5
TOPIC_CANDIDATES = 3
_PERMITS = re.compile(r"\b(?:may|are free to|encourag\w*|welcome)\b", re.IGNORECASE)
_FORBIDS = re.compile(r"\b(?:must not|may not|never|prohibited)\b", re.IGNORECASE)

# Passages that grant permission, for citing why an `ok` draft is fine.
PERMISSION_QUERY = (
    "employees may share community events safety tips personal family news hobbies "
    "private citizen opinions re-share department posts"
)


class Engine:
    """Holds the parsed policy and its index; `check` is safe to call from many threads."""

    def __init__(
        self,
        sections: list[PolicySection],
        index: PassageIndex,
        version: str,
        stats: IndexStats,
        rules: tuple[Rule, ...] = RULES,
        judge: Judge | None = None,
    ) -> None:
        self.sections = sections
        self.judge = judge
        self.combination: Combination = DEFAULT_COMBINATION
        self.index = index
        self.policy_version = version
        self.stats = stats
        self.rules = rules
        self._sections_by_key = {(s.source, s.section): s for s in sections}
        self._parent_sections = {
            (parent.source, parent.section)
            for parent in sections
            for child in sections
            if child.source == parent.source and child.section.startswith(parent.section + "(")
        }
        self._rule_citations: dict[str, Citation | None] = {}
        for rule in rules:
            _ = rule.compiled, rule.compiled_requires, rule.compiled_unless  # compile at load
            if rule.code not in self._rule_citations:
                self._rule_citations[rule.code] = self._best_citation(rule.query)
        self._permission_citation = self._best_citation(PERMISSION_QUERY, permission=True)
        self._topic_passages = {topic.key: self._leaf_passages(topic.query) for topic in TOPICS}

    # ----------------------------------------------------------------- loading
    @classmethod
    def load(
        cls,
        policy_dir: Path,
        cache_dir: Path | None = None,
        *,
        rebuild: bool = False,
        progress: Progress | None = None,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        with_judge: bool = True,
    ) -> Engine:
        """Load the policy folder, using the on-disk index when the files are unchanged.

        `with_judge=False` gives the rule table alone (for measuring it side by side)."""
        engine = cls._load_policy(policy_dir, cache_dir, rebuild, progress, max_tokens)
        if with_judge:
            engine.judge = default_judge()
        return engine

    @classmethod
    def _load_policy(
        cls,
        policy_dir: Path,
        cache_dir: Path | None,
        rebuild: bool,
        progress: Progress | None,
        max_tokens: int,
    ) -> Engine:
        started = time.perf_counter()
        files = discover(Path(policy_dir))
        version = policy_version(files)
        cache_key = f"{version}-f{INDEX_FORMAT}-t{max_tokens}"
        target = cache_dir / cache_key if cache_dir else None
        if target and not rebuild:
            cached = cls._load_cached(target, version, started)
            if cached:
                return cached
        sections = load_sections(files, progress)
        passages = chunk_sections(sections, max_tokens)
        if not passages:
            raise PolicyError(f"policy folder {policy_dir} has no policy text")
        index = PassageIndex.build(passages)
        stats = IndexStats(
            files=len(files),
            sections=len(sections),
            passages=len(passages),
            tokens=sum(passage.tokens for passage in passages),
            policy_version=version,
        )
        if target:
            cls._save(target, sections, index, stats)
        stats.seconds = time.perf_counter() - started
        return cls(sections, index, version, stats)

    @staticmethod
    def _save(
        target: Path, sections: list[PolicySection], index: PassageIndex, stats: IndexStats
    ) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
        try:
            index.save(staging)
            payload = {
                "stats": asdict(stats),
                "sections": [asdict(section) for section in sections],
                "passages": [asdict(passage) for passage in index.passages],
            }
            (staging / "policy.json").write_text(json.dumps(payload), encoding="utf-8")
            if target.exists():
                shutil.rmtree(target, ignore_errors=True)
            os.replace(staging, target)
        except OSError:
            # A read-only or full disk only costs the cache, not the answer.
            shutil.rmtree(staging, ignore_errors=True)

    @classmethod
    def _load_cached(cls, target: Path, version: str, started: float) -> Engine | None:
        try:
            payload = json.loads((target / "policy.json").read_text(encoding="utf-8"))
            sections = [PolicySection(**item) for item in payload["sections"]]
            passages = [Passage(**item) for item in payload["passages"]]
            index = PassageIndex.load(target, passages)
            stats = IndexStats(**payload["stats"])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # a damaged cache is rebuilt
        stats.from_cache = True
        stats.seconds = time.perf_counter() - started
        return cls(sections, index, version, stats)

    # --------------------------------------------------------------- retrieval
    @property
    def passages(self) -> list[Passage]:
        return self.index.passages

    def retrieve(self, query: str, k: int = 8) -> list[ScoredPassage]:
        return self.index.search(query, k)

    def passage(self, passage_id: str) -> Passage | None:
        position = self.index.position(passage_id)
        return None if position is None else self.index.passages[position]

    def section(self, source: str, section: str) -> PolicySection | None:
        return self._sections_by_key.get((source, section))

    def citation_for(self, passage: Passage, query: str = "") -> Citation:
        return Citation(
            source=passage.source,
            section=passage.section,
            title=passage.title,
            quote=best_quote(passage.text, query),
        )

    def _leaf_passages(self, query: str, permission: bool = False) -> list[Passage]:
        """The best passages for a query, specific subsections before the short
        introductions of the sections that contain them."""
        candidates = [
            scored.passage
            for scored in self.retrieve(query, k=6)
            if not permission or re.search(r"\bmay\b|\bencourag", scored.passage.text, re.I)
        ]
        leaves = [p for p in candidates if (p.source, p.section) not in self._parent_sections]
        return leaves or candidates

    def _best_citation(self, query: str, permission: bool = False) -> Citation | None:
        chosen = self._leaf_passages(query, permission)[:1]
        return self.citation_for(chosen[0], query) if chosen else None

    def rule_citation(self, code: str) -> Citation | None:
        return self._rule_citations.get(code)

    def topic_citation(self, topic: str, text: str) -> Citation | None:
        """Of the provisions that govern a topic, the one whose words the draft shares most
        (a threat cites the threats provision, not the slurs one beside it)."""
        candidates = self._topic_passages.get(topic) or self._topic_passages["unclear"]
        if not candidates:
            return None
        words = set(tokenize(text))
        best = max(
            candidates[:TOPIC_CANDIDATES],
            key=lambda passage: len(words & set(tokenize(passage.text))),
        )  # max keeps the first (the topic's best match) on a tie
        return self.citation_for(best, text)

    def finding_citation(self, finding: Finding, text: str = "") -> Citation | None:
        if finding.code == UNSURE_CODE:
            return self.topic_citation(finding.topic, text)
        topic = topic_of_code(finding.code)
        if topic:
            return self.topic_citation(topic, text)
        return self.rule_citation(finding.code)

    def permission_citation(self, text: str) -> Citation | None:
        """The passage that best permits this draft: the top-ranked permissive leaf section
        for the draft itself, else the policy's general statement of what may be posted."""
        for scored in self.retrieve(text, k=PERMISSION_CANDIDATES):
            passage = scored.passage
            if (passage.source, passage.section) in self._parent_sections:
                continue
            if _PERMITS.search(passage.text) and not _FORBIDS.search(passage.text):
                return self.citation_for(passage, text)
        return self._permission_citation

    # ----------------------------------------------------------------- judging
    def rule_findings(self, request: CheckRequest) -> list[Finding]:
        text = validate_draft(request.text)
        views = {"strict": normalize(text), "light": normalize_light(text)}
        return [finding for _, finding in match_rules(request, views, self.rules)]

    def assess(self, request: CheckRequest) -> Assessment | None:
        if self.judge is None:
            return None
        return self.judge.assess(validate_draft(request.text), request.account, request.incident)

    def findings(self, request: CheckRequest) -> list[Finding]:
        """The rules' findings and whatever the judge adds to them."""
        return self._combined(self.rule_findings(request), self.assess(request))

    def _combined(
        self, rule_findings: list[Finding], assessment: Assessment | None
    ) -> list[Finding]:
        if assessment is None:
            return list(rule_findings)
        return [*rule_findings, *judge_findings(rule_findings, assessment, self.combination)]

    def check(self, request: CheckRequest) -> Decision:
        started = time.perf_counter()
        decision = self.decision(request, self.rule_findings(request), self.assess(request))
        return replace(decision, latency_ms=(time.perf_counter() - started) * 1000)

    def decision(
        self,
        request: CheckRequest,
        rule_findings: list[Finding],
        assessment: Assessment | None,
    ) -> Decision:
        """The answer from the rules' findings and the judge's reading of the draft."""
        return decide(
            request,
            self._combined(rule_findings, assessment),
            policy_version=self.policy_version,
            rule_citation=lambda finding: self.finding_citation(finding, request.text),
            permission_citation=self.permission_citation(request.text),
            assessment=assessment,
        )


def best_quote(text: str, query: str, limit: int = MAX_QUOTE_CHARS) -> str:
    """The verbatim run of one or two sentences of `text` that best matches `query`."""
    sentences = [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group().strip()]
    if not sentences:
        return text[:limit].strip()
    wanted = set(tokenize(query))
    best: tuple[float, int, int] | None = None
    for index, (start, _) in enumerate(sentences):
        for width in (1, 2):
            if index + width > len(sentences):
                break
            last_end = sentences[index + width - 1][1]
            if last_end - start > limit and width > 1:
                break
            overlap = len(wanted & set(tokenize(text[start:last_end])))
            score = overlap - 0.2 * (width - 1)
            if best is None or score > best[0]:
                best = (score, start, last_end)
    assert best is not None
    _, start, end = best
    quote = text[start:end].strip()
    if len(quote) > limit:
        cut = quote.rfind(" ", 0, limit)
        quote = quote[: cut if cut > 0 else limit]
    return quote
