"""The local guidance engine: policy index + rule table -> Decision."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from bot.core.chunking import DEFAULT_MAX_TOKENS, chunk_sections
from bot.core.combine import (
    DEFAULT_COMBINATION,
    UNSURE_CODE,
    Combination,
    judge_findings,
    topic_of_code,
)
from bot.core.department import Governing, Provisions
from bot.core.errors import PolicyError
from bot.core.judge import Assessment, Judge, default_judge
from bot.core.loader import PolicyFile, discover, load_sections, policy_version
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
from bot.core.policy_settings import PolicySettings, load_settings
from bot.core.provisions import sentences
from bot.core.retrieval import PassageIndex, tokenize
from bot.core.rules import RULES, Rule, match_rules, scanner_for
from bot.core.text import normalize, normalize_light, validate_draft
from bot.core.topics import CODE_TOPICS, TOPICS
from bot.core.verdict import decide

INDEX_FORMAT = 6  # bump when the cached layout or chunking changes
# A judge topic this likely counts as touched by the draft, for the manual's own provisions.
TOUCH_PROBABILITY = 0.5
MAX_DEPARTMENT_TOPICS = 4
PASSAGE_EMBED_CHARS = 600
_SAMPLE_FRONT_MATTER = re.compile(r"\A---\n(?:[^\n]*\n){0,20}?sample:\s*true\s*\n", re.I)
MAX_QUOTE_CHARS = 420
MAX_SENTENCE_CHARS = 900  # one whole sentence may run longer than the quote budget

Progress = Callable[[int, int, str], None]
PERMISSION_CANDIDATES = 5
TOPIC_CANDIDATES = 3

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
        settings: PolicySettings | None = None,
    ) -> None:
        self.sections = sections
        self.settings = settings or PolicySettings()
        self.judge = judge
        self.combination: Combination = DEFAULT_COMBINATION
        self.index = index
        self.policy_version = version
        self.stats = stats
        self.rules = rules
        self.prefilter = True  # RE2 twins pick the rule patterns worth running (bench/ compares)
        self._sections_by_key = {(s.source, s.section): s for s in sections}
        self._parent_sections = parent_keys(sections)
        self.provisions = Provisions(
            sections, index, self.settings, self._parent_sections, stats.sample_policy
        )
        # The rules and the judge encode the sample policy; a department's own manual decides
        # through its provisions' force as well.
        self.department_manual = not stats.sample_policy
        self._cache_target: Path | None = None
        self._rule_citations: dict[str, Citation | None] = {}
        for rule in rules:
            _ = rule.compiled, rule.compiled_requires, rule.compiled_unless  # compile at load
            if rule.code not in self._rule_citations:
                self._rule_citations[rule.code] = self._best_citation(rule.query)
        scanner_for(rules)  # and their RE2 twins (about 0.1 s), not on the first draft
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
        settings = load_settings(Path(policy_dir), {section.section for section in engine.sections})
        if settings.path:
            # Answers and the audit trail name a version that changes with policy.toml too.
            engine.policy_version = hashlib.sha256(
                f"{engine.policy_version}\0{settings.digest}".encode()
            ).hexdigest()[:16]
            engine.settings = settings
            engine.provisions.settings = settings  # nothing it read at construction depends on it
        if with_judge:
            engine.judge = default_judge()
            if engine.department_manual:
                vectors, topics = engine._passage_readings(engine.judge)
                engine.provisions.attach_vectors(vectors, engine.judge.embed, topics)
        return engine

    def _passage_readings(self, judge: Judge) -> tuple[np.ndarray, np.ndarray]:
        """Every passage's embedding (title and text) and the judge's topic probabilities
        for it, kept beside the index (keyed by the judge's version)."""
        path = self._cache_target / f"readings-{judge.version}.npz" if self._cache_target else None
        count = len(self.index.passages)
        if path is not None:
            try:
                with np.load(path) as cached:
                    if cached["vectors"].shape[0] == count:
                        return cached["vectors"], cached["topics"]
            except (OSError, ValueError, KeyError):
                pass  # missing or damaged: computed again
        texts = [f"{p.title}. {p.text[:PASSAGE_EMBED_CHARS]}" for p in self.index.passages]
        vectors = np.asarray(judge.embedder.encode(texts), dtype=np.float32)
        topics = (
            np.stack(
                [judge.model.topic_probabilities(v, t) for v, t in zip(vectors, texts, strict=True)]
            )
            if texts
            else np.zeros((0, len(TOPICS)))
        )
        if path is not None:
            with contextlib.suppress(OSError):  # a read-only cache only costs the next start
                np.savez(path, vectors=vectors, topics=topics)
        return vectors, topics

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
            sample_policy=is_sample_policy(files),
        )
        if target:
            cls._save(target, sections, index, stats)
        stats.seconds = time.perf_counter() - started
        engine = cls(sections, index, version, stats)
        engine._cache_target = target if target and target.exists() else None
        return engine

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
            sections = [
                PolicySection(**{**item, "page_breaks": tuple(item.get("page_breaks", ()))})
                for item in payload["sections"]
            ]
            passages = [Passage(**item) for item in payload["passages"]]
            index = PassageIndex.load(target, passages)
            stats = IndexStats(**payload["stats"])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # a damaged cache is rebuilt
        stats.from_cache = True
        stats.seconds = time.perf_counter() - started
        engine = cls(sections, index, version, stats)
        engine._cache_target = target
        return engine

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
        quote = best_quote(passage.text, query)
        section = self._sections_by_key.get((passage.source, passage.section))
        page = passage.page
        if section is not None and section.page is not None:
            start = section.text.find(passage.text)
            offset = passage.text.find(quote)
            if start >= 0 and offset >= 0:
                page = section.page_at(start + offset)
        return Citation(
            source=passage.source,
            section=passage.section,
            title=passage.title,
            quote=quote,
            page=page,
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

    def finding_topic(self, finding: Finding) -> str | None:
        """The topic key of a finding (a rule's own `topic` is a label for people)."""
        if finding.topic and self.provisions.topic(finding.topic) is not None:
            return finding.topic
        topic = topic_of_code(finding.code)
        if topic:
            return topic
        topics = CODE_TOPICS.get(finding.code)
        return topics[0] if topics else None

    def governing_citation(self, governing: Governing, text: str) -> Citation:
        return self.citation_for(governing.passage, f"{text} {governing.force.sentence}")

    def finding_citation(self, finding: Finding, text: str = "") -> Citation | None:
        if self.department_manual:
            topic = self.finding_topic(finding)
            governing = self.provisions.governing(topic, text) if topic else None
            if governing is not None:
                return self.governing_citation(governing, text)
        if finding.code == UNSURE_CODE:
            return self.topic_citation(finding.topic, text)
        topic = topic_of_code(finding.code)
        if topic:
            return self.topic_citation(topic, text)
        return self.rule_citation(finding.code)

    def permission_citation(self, text: str, account: str = "personal") -> Citation | None:
        """The passage that best permits this draft: in a department's manual, its
        permissive provision closest to the draft and to what the account may post;
        otherwise the top-ranked permissive leaf section for the draft itself, else the
        policy's general statement of what may be posted."""
        if self.department_manual:
            permitting = self.provisions.permitting(text, account)
            if permitting is not None:
                return self.citation_for(permitting.passage, text)
        for scored in self.retrieve(text, k=PERMISSION_CANDIDATES):
            passage = scored.passage
            key = (passage.source, passage.section)
            if key in self._parent_sections:
                continue
            if self.provisions.forces[key].force == "permits":
                return self.citation_for(passage, text)
        return self._permission_citation

    # ----------------------------------------------------------------- judging
    def rule_findings(self, request: CheckRequest) -> list[Finding]:
        text = validate_draft(request.text)
        views = {"strict": normalize(text), "light": normalize_light(text)}
        return [finding for _, finding in match_rules(request, views, self.rules, self.prefilter)]

    def assess(self, request: CheckRequest) -> Assessment | None:
        if self.judge is None:
            return None
        return self.judge.assess(validate_draft(request.text), request.account, request.incident)

    def findings(self, request: CheckRequest) -> list[Finding]:
        """The rules' findings and whatever the judge adds to them."""
        return self._combined(self.rule_findings(request), self.assess(request))

    def _combined(
        self,
        rule_findings: list[Finding],
        assessment: Assessment | None,
        request: CheckRequest | None = None,
    ) -> list[Finding]:
        findings = list(rule_findings)
        if assessment is not None:
            findings += judge_findings(rule_findings, assessment, self.combination)
        if (self.department_manual or self.settings.path) and request is not None:
            findings = self.department_findings(request, findings, assessment)
        return findings

    def touched_topics(
        self, request: CheckRequest, findings: list[Finding], assessment: Assessment | None
    ) -> list[str]:
        """The topics a draft touches, most certain first: its findings' topics, then what
        the judge read in it, then what the account and incident flags imply."""
        return [topic for topic, _ in self._touched(request, findings, assessment)]

    def _touched(
        self, request: CheckRequest, findings: list[Finding], assessment: Assessment | None
    ) -> list[tuple[str, bool]]:
        """(topic, read in the draft) pairs; False for topics only the flags imply."""
        topics: list[str] = []
        for finding in findings:
            topic = self.finding_topic(finding)
            if topic and topic != "unclear":
                topics.append(topic)
        if assessment is not None:
            topics += [
                score.topic
                for score in assessment.topics
                if score.probability >= TOUCH_PROBABILITY and score.topic != "unclear"
            ]
        lowered = request.text.lower()
        for key, custom in self.settings.custom.items():
            if any(phrase in lowered for phrase in custom.phrases):
                topics.append(key)
        read = list(dict.fromkeys(topics))
        flagged = []
        if request.account == "official":
            flagged.append("official_account")
        if request.incident:
            flagged.append("incident")
        return [(topic, True) for topic in read] + [
            (topic, False) for topic in flagged if topic not in read
        ]

    def department_findings(
        self, request: CheckRequest, findings: list[Finding], assessment: Assessment | None
    ) -> list[Finding]:
        """The findings with the department manual's own say added: where the governing
        provision of a touched topic needs someone's approval (or policy.toml sets a stricter
        severity), the draft goes to review naming that approver. Never removes a finding."""
        result = [self._as_configured(finding, request.text) for finding in findings]
        have = {self.finding_topic(finding) for finding in findings}
        strict_topics = {
            score.topic
            for score in (assessment.topics if assessment is not None else ())
            if score.probability >= TOUCH_PROBABILITY
        }
        touched = self._touched(request, findings, assessment)[:MAX_DEPARTMENT_TOPICS]
        for topic, read_in_draft in touched:
            governing = self.provisions.governing(topic, request.text)
            setting = self.settings.setting(topic)
            severity = setting.severity if setting else None
            force = governing.force.force if governing else "informs"
            # A topic only the account or incident flag implies needs a rule for every post.
            applies = read_in_draft or (
                governing is not None and self.provisions.is_blanket(governing.force)
            )
            needs_approval = force == "requires_approval" and applies
            restricted = (
                force == "prohibits"
                and topic not in have
                and (topic in strict_topics or topic in self.settings.custom)
            )
            if severity is None and (needs_approval or restricted):
                severity = "needs_review"
            if severity is None or governing is None:
                continue
            if any(
                self.finding_topic(f) == topic and not is_looser_severity(f.severity, severity)
                for f in result
            ):
                continue
            result.append(self._provision_finding(topic, governing, severity))
        return result

    def approver_for(self, topic: str | None, governing: Governing | None) -> str | None:
        setting = self.settings.setting(topic) if topic else None
        if setting and setting.approver:
            return setting.approver
        if governing is not None and governing.force.approver:
            return governing.force.approver
        return self.settings.default_approver

    def _as_configured(self, finding: Finding, text: str) -> Finding:
        """A finding as the department applies it: the severity policy.toml sets for its
        topic (validated never to go below the safety floor) and the approver its manual or
        policy.toml names in place of "the PIO"."""
        topic = self.finding_topic(finding)
        setting = self.settings.setting(topic) if topic else None
        if setting and setting.severity and setting.severity != finding.severity:
            finding = replace(finding, severity=setting.severity)
        if "the PIO" not in finding.fix:
            return finding  # nothing to name: no search needed
        governing = self.provisions.governing(topic, text) if topic else None
        approver = self.approver_for(topic, governing)
        if not approver:
            return finding
        return replace(finding, fix=finding.fix.replace("the PIO", f"the {approver}"))

    def _provision_finding(self, topic: str, governing: Governing, severity: str) -> Finding:
        details = self.provisions.topic(topic)
        label = details.label if details else topic
        approver = self.approver_for(topic, governing)
        section = governing.section.section
        if governing.force.force == "requires_approval" or (
            approver and severity == "needs_review"
        ):
            who = approver or "the person your policy names"
            message = f"Your department's policy ({section}) needs approval for {label}"
            fix = f"Ask {_article(who)} to approve it before it goes up."
        elif governing.force.force == "prohibits":
            message = f"Your department's policy ({section}) restricts {label}"
            fix = "A reviewer will check whether this draft falls under it."
        else:
            message = f"Your department's settings send {label} to review"
            fix = "A reviewer will decide."
        return Finding(
            code=f"policy_{topic}",
            severity=severity,  # type: ignore[arg-type]
            message=message,
            fix=fix,
            topic=topic,
        )

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
            self._combined(rule_findings, assessment, request),
            policy_version=self.policy_version,
            rule_citation=lambda finding: self.finding_citation(finding, request.text),
            permission_citation=lambda: self.permission_citation(request.text, request.account),
            unsure_code=UNSURE_CODE if self.department_manual else None,
            assessment=assessment,
        )


def _article(who: str) -> str:
    """'Chief of Police' -> 'the Chief of Police'; 'supervisor' -> 'your supervisor'."""
    if who.lower().startswith(("the ", "a ", "an ", "your ")):
        return who
    return f"the {who}" if who[:1].isupper() else f"your {who}"


_SEVERITY_ORDER = {"info": 0, "revise": 1, "needs_review": 2, "do_not_post": 3}


def is_looser_severity(candidate: str, floor: str) -> bool:
    return _SEVERITY_ORDER[candidate] < _SEVERITY_ORDER[floor]


def parent_keys(sections: list[PolicySection]) -> set[tuple[str, str]]:
    """The sections that have items or subsections, in one pass: by the loader's `parent`
    links, and for ids like "1058.4(b)" by the id they extend."""
    ids = {(section.source, section.section) for section in sections}
    parents: set[tuple[str, str]] = set()
    for section in sections:
        if section.parent:
            parents.add((section.source, section.parent))
        elif "(" in section.section:
            base = (section.source, section.section[: section.section.rindex("(")])
            if base in ids:
                parents.add(base)
    return parents


def is_sample_policy(files: list[PolicyFile]) -> bool:
    """True for the built-in sample policy (its front matter says `sample: true`)."""
    for policy_file in files:
        try:
            head = policy_file.path.read_bytes()[:2000].decode("utf-8", "replace")
        except OSError:
            return False
        if not _SAMPLE_FRONT_MATTER.match(head.replace("\r\n", "\n")):
            return False
    return bool(files)


def best_quote(text: str, query: str, limit: int = MAX_QUOTE_CHARS) -> str:
    """The verbatim run of one or two whole sentences of `text` that best matches `query`.

    A single sentence longer than `limit` is kept whole up to MAX_SENTENCE_CHARS; past that it
    is cut at a clause boundary (still a verbatim prefix of the text)."""
    spans = sentences(text)
    if not spans:
        return text[:limit].strip()
    wanted = set(tokenize(query))
    best: tuple[float, int, int] | None = None
    for index, (start, _) in enumerate(spans):
        for width in (1, 2):
            if index + width > len(spans):
                break
            last_end = spans[index + width - 1][1]
            if last_end - start > limit and width > 1:
                break
            span = text[start:last_end]
            words = set(tokenize(span))
            score = len(wanted & words) - 0.2 * (width - 1) + (0.1 if words else -1)
            if "\ufffd" in span:  # characters the PDF's text layer could not give (a scan)
                score -= 100
            if best is None or score > best[0]:
                best = (score, start, last_end)
    assert best is not None
    _, start, end = best
    quote = text[start:end].strip()
    if len(quote) > MAX_SENTENCE_CHARS:
        cut = max(
            quote.rfind("; ", 0, MAX_SENTENCE_CHARS), quote.rfind(", ", 0, MAX_SENTENCE_CHARS)
        )
        if cut <= 0:
            cut = quote.rfind(" ", 0, MAX_SENTENCE_CHARS)
        quote = quote[: cut if cut > 0 else MAX_SENTENCE_CHARS]
    return quote
