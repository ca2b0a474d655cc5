"""The department's own manual, read as provisions that decide.

Every provision carries its force (bot/core/provisions.py). For a draft, the governing
provision of each topic it touches is found by searching the manual with the topic's words and
the draft together, and that provision's force can only make the answer stricter: a manual
that asks for the Chief's authorization turns a clean draft into `needs_review` naming the
Chief. The built-in rules and judge were written against the sample policy, so for the sample
itself this layer adds nothing and only supplies citations.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.models import Passage, PolicySection
from bot.core.policy_settings import PolicySettings
from bot.core.provisions import ProvisionForce, read_force
from bot.core.retrieval import PassageIndex
from bot.core.topics import MANUAL_QUERIES, TOPICS_BY_KEY, Topic

SEARCH_DEPTH = 12
MAX_DRAFT_QUERY_CHARS = 1500
# How much a candidate's kind of text counts when choosing the governing provision.
WEIGHT_INFORMS = 0.55  # a provision that neither forbids, gates nor permits anything
WEIGHT_PARENT = 0.85  # the introduction of a section whose items are the provisions
WEIGHT_DEFINITIONS = 0.3


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
        for section in sections:
            parent = self._by_key.get((section.source, section.parent or ""))
            lead_in = parent.text if parent is not None and section.parent else ""
            self.forces[(section.source, section.section)] = read_force(section.text, lead_in)
        self._first_passage: dict[tuple[str, str], Passage] = {}
        for passage in index.passages:
            self._first_passage.setdefault((passage.source, passage.section), passage)

    def topic(self, key: str) -> Topic | None:
        return self.settings.custom_topics.get(key) or TOPICS_BY_KEY.get(key)

    def force_of(self, section: PolicySection) -> ProvisionForce:
        return self.forces[(section.source, section.section)]

    def sections_with_id(self, section_id: str) -> list[PolicySection]:
        return self._by_id.get(section_id, [])

    def _weight(self, passage: Passage) -> float:
        key = (passage.source, passage.section)
        weight = 1.0
        if self.forces[key].force == "informs":
            weight *= WEIGHT_INFORMS
        if key in self._parents:
            weight *= WEIGHT_PARENT
        if "definition" in passage.title.lower():
            weight *= WEIGHT_DEFINITIONS
        return weight

    def governing(self, topic_key: str, text: str = "") -> Governing | None:
        """The provision that governs `topic_key` for this draft (or for the topic alone)."""
        topic = self.topic(topic_key)
        if topic is None:
            return None
        pin = self.settings.topics.get(topic_key)
        if pin is not None and pin.provision:
            for section in self.sections_with_id(pin.provision):
                passage = self._first_passage.get((section.source, section.section))
                if passage is not None:
                    return Governing(
                        topic_key, section, passage, self.force_of(section), 0.0, 1.0, True
                    )
        words = topic.query if self.sample else MANUAL_QUERIES.get(topic_key, topic.query)
        query = f"{words} {text[:MAX_DRAFT_QUERY_CHARS]}".strip()
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
