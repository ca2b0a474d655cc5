"""The department's own manual, read as provisions that decide.

Every provision carries its force (bot/core/provisions.py). For a draft, the governing
provision of each topic it touches is found by searching the manual with the topic's words and
the draft together, and that provision's force can only make the answer stricter: a manual
that asks for the Chief's authorization turns a clean draft into `needs_review` naming the
Chief. The built-in rules and judge were written against the sample policy, so for the sample
itself this layer adds nothing unless a policy.toml beside it asks for something.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bot.core.models import Passage, PolicySection
from bot.core.policy_settings import PolicySettings
from bot.core.provisions import ProvisionForce, read_force
from bot.core.retrieval import PassageIndex
from bot.core.topics import MANUAL_QUERIES, TOPIC_KEYS, TOPICS_BY_KEY, Topic

SEARCH_DEPTH = 12
FUSION_DEPTH = 50
RECENT_SEARCHES = 64
MAX_DRAFT_QUERY_CHARS = 1500
MAX_LEAD_IN_DEPTH = 3  # how far up a list item looks for the sentence that gives its force
# How much a candidate's kind of text counts when choosing the governing provision.
WEIGHT_INFORMS = 0.55  # a provision that neither forbids, gates nor permits anything
WEIGHT_PARENT = 0.85  # the introduction of a section whose items are the provisions
WEIGHT_DEFINITIONS = 0.3
WEIGHT_PREFATORY = 0.6  # purpose, scope, training, considerations: about the policy, not a rule
WEIGHT_NOT_ABOUT_SPEECH = 0.5  # says nothing about posting, publishing or releasing anything
_PREFATORY = re.compile(
    r"purpose|scope|training|considerations|applicability|privacy expectation|monitoring|"
    r"retention|background|reporting violations|disclaimer",
    re.IGNORECASE,
)
# What each kind of account is allowed to post, in the words manuals use for it.
PERMITTED_PERSONAL = (
    "employees are free to express themselves as private citizens personal use off-duty "
    "speech on matters of public concern"
)
PERMITTED_OFFICIAL = (
    "department social media may be used for community outreach engagement crime prevention "
    "tips notifications events recruitment public information"
)
# A provision that governs a post speaks of communicating something to others.
_SPEECH = re.compile(
    r"\b(?:post\w*|social\s+media|social\s+network\w*|web\s*sites?|web\s+pages?|internet|"
    r"publi(?:sh|c)\w*|disseminat\w*|transmit\w*|releas\w*|disclos\w*|divulg\w*|shar\w*|"
    r"photo\w*|video\w*|image\w*|recording\w*|statements?|comments?|speech|expression|media|"
    r"display\w*|endors\w*|identif\w*)\b",
    re.IGNORECASE,
)
# "All postings ... shall be approved": a requirement for every post, not only for a topic.
_BLANKET = re.compile(
    r"\b(?:all|any|every)\s+(?:\w+\s+){0,3}(?:postings?|posts?|content|information|"
    r"statements?|releases?|comments?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Governing:
    """The provision that governs one topic of one draft."""

    topic: str
    section: PolicySection
    passage: Passage
    force: ProvisionForce
    score: float
    confidence: float  # 0..1: how clearly it beat the next candidate
    pinned: bool = False  # chosen by policy.toml, not by search


class Provisions:
    """The manual's sections with their force, and the search for governing provisions."""

    def __init__(
        self,
        sections: list[PolicySection],
        index: PassageIndex,
        settings: PolicySettings,
        parents: set[tuple[str, str]],
        sample: bool = False,
    ) -> None:
        self.index = index
        self.sample = sample  # the sample policy is searched with its own words
        self.settings = settings
        self._parents = parents
        self._by_key = {(section.source, section.section): section for section in sections}
        self._by_id: dict[str, list[PolicySection]] = {}
        for section in sections:
            self._by_id.setdefault(section.section, []).append(section)
        self.forces: dict[tuple[str, str], ProvisionForce] = {}
        self._context: dict[tuple[str, str], str] = {}  # the texts of a section's ancestors
        own = {(s.source, s.section): read_force(s.text) for s in sections}  # its words alone
        for section in sections:
            key = (section.source, section.section)
            ancestors = self._ancestors(section)
            # A list item takes its force from the nearest enclosing text that has one
            # ("uses of social media, which may include:" / "2. Community Outreach:" / "a.").
            lead_in = next(
                (a.text for a in ancestors if own[(a.source, a.section)].force != "informs"), ""
            )
            self.forces[key] = read_force(section.text, lead_in) if lead_in else own[key]
            self._context[key] = " ".join(a.text for a in ancestors)
        self._recent: dict[tuple[str, str], Governing | None] = {}
        self._lock = threading.Lock()
        self.vectors: np.ndarray | None = None
        self.passage_topics: np.ndarray | None = None
        self.encode: Callable[[str], np.ndarray] = lambda text: np.zeros(1)
        self._first_passage: dict[tuple[str, str], Passage] = {}
        for passage in index.passages:
            self._first_passage.setdefault((passage.source, passage.section), passage)

    def _ancestors(self, section: PolicySection) -> list[PolicySection]:
        found: list[PolicySection] = []
        current = section
        while current.parent and len(found) < MAX_LEAD_IN_DEPTH:
            parent = self._by_key.get((current.source, current.parent))
            if parent is None or parent in found:
                break
            found.append(parent)
            current = parent
        return found

    def topic(self, key: str) -> Topic | None:
        return self.settings.custom_topics.get(key) or TOPICS_BY_KEY.get(key)

    def force_of(self, section: PolicySection) -> ProvisionForce:
        return self.forces[(section.source, section.section)]

    def sections_with_id(self, section_id: str) -> list[PolicySection]:
        return self._by_id.get(section_id, [])

    def _weight(self, passage: Passage, lead_in_speaks: bool = False) -> float:
        """How much a candidate's kind of text counts; with `lead_in_speaks`, a list item
        whose introduction speaks of posting ("content that may be posted includes:") is
        about speech although its own words ("Recruitment of personnel.") are not."""
        key = (passage.source, passage.section)
        weight = 1.0
        if self.forces[key].force == "informs":
            weight *= WEIGHT_INFORMS
        if key in self._parents:
            weight *= WEIGHT_PARENT
        if "definition" in passage.title.lower():
            weight *= WEIGHT_DEFINITIONS
        elif _PREFATORY.search(passage.title):
            weight *= WEIGHT_PREFATORY
        speaks = _SPEECH.search(passage.text) or (
            lead_in_speaks and _SPEECH.search(self._context.get(key, ""))
        )
        if not speaks:
            weight *= WEIGHT_NOT_ABOUT_SPEECH
        return weight

    @staticmethod
    def is_blanket(force: ProvisionForce) -> bool:
        """True when the deciding sentence covers every post ("All postings ... shall be
        approved by a supervisor"), not only posts about one topic."""
        return bool(_BLANKET.search(force.sentence))

    def attach_vectors(
        self,
        vectors: np.ndarray,
        encode: Callable[[str], np.ndarray],
        topics: np.ndarray | None = None,
    ) -> None:
        """Passage embeddings (in index order), the draft encoder and, optionally, the
        judge's topic probabilities for every passage (passages x TOPIC_KEYS): the governing
        search then reads meaning as well as words, across languages, and prefers the
        provisions the judge tags with the topic."""
        self.vectors = vectors
        self.encode = encode
        self.passage_topics = topics
        self._weights = np.array([self._weight(passage) for passage in self.index.passages])
        self._permit_weights = np.array(
            [self._weight(passage, lead_in_speaks=True) for passage in self.index.passages]
        )
        self._permits = np.array(
            [self.forces[(p.source, p.section)].force == "permits" for p in self.index.passages]
        )
        self._topic_vectors: dict[str, np.ndarray] = {}
        with self._lock:
            self._recent.clear()

    def _topic_vector(self, key: str, words: str) -> np.ndarray:
        if key not in self._topic_vectors:
            self._topic_vectors[key] = self.encode(words)
        return self._topic_vectors[key]

    def governing(self, topic_key: str, text: str = "") -> Governing | None:
        """The provision that governs `topic_key` for this draft (or for the topic alone).
        One answer asks for the same topic several times (its finding, its citation, the
        approver), so the last few searches are kept."""
        key = (topic_key, text)
        with self._lock:
            if key in self._recent:
                return self._recent[key]
        found = self._governing(topic_key, text)
        with self._lock:
            self._recent[key] = found
            while len(self._recent) > RECENT_SEARCHES:
                self._recent.pop(next(iter(self._recent)))
        return found

    def _governing(self, topic_key: str, text: str) -> Governing | None:
        topic = self.topic(topic_key)
        if topic is None:
            return None
        pin = self.settings.setting(topic_key)
        if pin is not None and pin.provision:
            for section in self.sections_with_id(pin.provision):
                passage = self._first_passage.get((section.source, section.section))
                if passage is not None:
                    return Governing(
                        topic_key, section, passage, self.force_of(section), 0.0, 1.0, True
                    )
        words = topic.query if self.sample else MANUAL_QUERIES.get(topic_key, topic.query)
        query = f"{words} {text[:MAX_DRAFT_QUERY_CHARS]}".strip()
        if self.vectors is not None and not self.sample:
            return self._fused(topic_key, words, query, text)
        scored = [
            (result.score * self._weight(result.passage), result.passage)
            for result in self.index.search(query, k=SEARCH_DEPTH)
        ]
        if not scored:
            return None
        scored.sort(key=lambda pair: -pair[0])
        best_score, best = scored[0]
        runner_up = next(
            (score for score, passage in scored[1:] if passage.section != best.section), 0.0
        )
        confidence = best_score / (best_score + runner_up) if best_score > 0 else 0.0
        section = self._by_key[(best.source, best.section)]
        return Governing(topic_key, section, best, self.force_of(section), best_score, confidence)

    def _fused(self, topic_key: str, words: str, query: str, text: str) -> Governing | None:
        """Words and meaning together: the BM25 score of topic words plus draft, and the
        embedding similarity of each passage to the draft and to the topic's words, each
        standardised over the manual, summed, and weighted as in `_weight`."""
        passages = self.index.passages
        fused = self._fused_scores(topic_key, words, query, text)
        order = np.argsort(-fused)
        best = passages[int(order[0])]
        runner_up = next(
            (fused[i] for i in order[1:20] if passages[int(i)].section != best.section), 0.0
        )
        best_score = float(fused[order[0]])
        confidence = best_score / (best_score + float(runner_up)) if best_score > 0 else 0.0
        section = self._by_key[(best.source, best.section)]
        return Governing(topic_key, section, best, self.force_of(section), best_score, confidence)

    def _fused_scores(
        self, vector_key: str, words: str, query: str, text: str, weights: np.ndarray | None = None
    ) -> np.ndarray:
        """Per passage: BM25 of `query`, similarity to `words` and to the draft, and (for a
        judge topic) the judge's tag, each standardised over the manual, summed, weighted."""
        assert self.vectors is not None
        lexical = np.zeros(len(self.index.passages))
        for result in self.index.search(query, k=FUSION_DEPTH):
            position = self.index.position(result.passage.id)
            if position is not None:
                lexical[position] = max(lexical[position], result.score)
        parts = [lexical, self.vectors @ self._topic_vector(vector_key, words)]
        if text.strip():
            parts.append(self.vectors @ self.encode(text))
        if self.passage_topics is not None and vector_key in TOPIC_KEYS:
            parts.append(self.passage_topics[:, TOPIC_KEYS.index(vector_key)])
        fused = sum(_standardised(part) for part in parts)
        return (fused - fused.min()) * (self._weights if weights is None else weights)

    def permitting(self, text: str, account: str) -> Governing | None:
        """The provision that most plainly allows a draft found fine: of the manual's
        permissive provisions, the best match for the draft and for what that kind of account
        may post (a private citizen's speech; an official account's outreach)."""
        if self.vectors is None or self.sample or not self._permits.any():
            return None
        words = PERMITTED_OFFICIAL if account == "official" else PERMITTED_PERSONAL
        query = f"{words} {text[:MAX_DRAFT_QUERY_CHARS]}".strip()
        scores = self._fused_scores(
            f"permitted:{account}", words, query, text, self._permit_weights
        )
        fused = np.where(self._permits, scores, -np.inf)
        best = int(np.argmax(fused))
        passage = self.index.passages[best]
        section = self._by_key[(passage.source, passage.section)]
        return Governing(
            "permitted", section, passage, self.force_of(section), float(fused[best]), 1.0
        )


def _standardised(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 0 else values * 0.0
