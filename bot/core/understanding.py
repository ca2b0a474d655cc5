"""What the engine understood of a manual, for the admin: sections, forces, the provision
chosen for each topic, topics with none, and ids that look wrong."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from bot.core.department import Governing
from bot.core.engine import Engine
from bot.core.provisions import FORCES
from bot.core.topics import TOPICS

LOW_CONFIDENCE = 0.55  # the chosen provision barely beat the next one
_SLUG_LIKE = re.compile(r"^[a-z0-9-]{25,}$")


@dataclass(frozen=True)
class TopicReading:
    topic: str
    label: str
    governing: Governing | None

    @property
    def usable(self) -> bool:
        return self.governing is not None and self.governing.force.force != "informs"

    def to_dict(self) -> dict[str, object]:
        governing = self.governing
        if governing is None:
            return {"topic": self.topic, "label": self.label, "provision": None}
        return {
            "topic": self.topic,
            "label": self.label,
            "provision": governing.section.section,
            "source": governing.section.source,
            "page": governing.section.page,
            "force": governing.force.force,
            "approver": governing.force.approver,
            "confidence": round(governing.confidence, 3),
            "pinned": governing.pinned,
            "sentence": governing.force.sentence,
        }


def suspicious_ids(engine: Engine) -> list[str]:
    """Ids a reader of the manual would not recognise: repeats, and long slugs."""
    return [
        f"{section.source}: {section.section}"
        for section in engine.sections
        if "~" in section.section or _SLUG_LIKE.match(section.section)
    ]


def topic_readings(engine: Engine) -> list[TopicReading]:
    topics = [*TOPICS, *engine.settings.custom_topics.values()]
    return [
        TopicReading(topic.key, topic.label, engine.provisions.governing(topic.key))
        for topic in topics
    ]


def understanding(engine: Engine, with_sections: bool = False) -> dict[str, object]:
    stats = engine.stats
    per_file = Counter(section.source for section in engine.sections)
    forces = Counter(force.force for force in engine.provisions.forces.values())
    approvers = Counter(
        force.approver for force in engine.provisions.forces.values() if force.approver
    )
    data: dict[str, object] = {
        "policy_version": stats.policy_version,
        "files": dict(per_file),
        "sections": stats.sections,
        "passages": stats.passages,
        "sample_policy": stats.sample_policy,
        "settings": engine.settings.path,
        "forces": dict(forces),
        "approvers": dict(approvers.most_common(10)),
        "topics": [reading.to_dict() for reading in topic_readings(engine)],
        "suspicious_ids": suspicious_ids(engine),
    }
    if with_sections:
        data["section_list"] = [
            {
                "source": section.source,
                "id": section.section,
                "title": section.title,
                "page": section.page,
                "parent": section.parent,
                "force": engine.provisions.force_of(section).force,
            }
            for section in engine.sections
        ]
    return data


def format_understanding(engine: Engine, with_sections: bool = False) -> str:
    lines: list[str] = []
    per_file = Counter(section.source for section in engine.sections)
    for source, count in per_file.items():
        ids = [s for s in engine.sections if s.source == source]
        pages = [s.page for s in ids if s.page]
        span = f", pages {min(pages)}-{max(pages)}" if pages else ""
        examples = ", ".join(s.section for s in ids[:6])
        lines.append(f"  {source}: {count} sections{span} ({examples}, ...)")
    forces = Counter(force.force for force in engine.provisions.forces.values())
    lines.append(
        "Provisions: "
        + ", ".join(f"{forces.get(name, 0)} {name.replace('_', ' ')}" for name in FORCES)
    )
    approvers = Counter(
        force.approver for force in engine.provisions.forces.values() if force.approver
    )
    if approvers:
        lines.append(
            "Approvers named: " + ", ".join(f"{who} ({n})" for who, n in approvers.most_common(5))
        )
    lines.append("Topic -> governing provision (force, confidence):")
    missing = []
    for reading in topic_readings(engine):
        governing = reading.governing
        if governing is None or not reading.usable:
            missing.append(reading.topic)
            continue
        page = f" p. {governing.section.page}" if governing.section.page else ""
        who = f" by {governing.force.approver}" if governing.force.approver else ""
        flag = " (pinned)" if governing.pinned else ""
        low = "  <- low confidence" if governing.confidence < LOW_CONFIDENCE else ""
        lines.append(
            f"  {reading.topic:<18} {governing.section.section}{page}: "
            f"{governing.force.force.replace('_', ' ')}{who}, {governing.confidence:.2f}{flag}{low}"
        )
    if missing:
        lines.append("Topics with no governing provision: " + ", ".join(missing))
    odd = suspicious_ids(engine)
    by_file: dict[str, list[str]] = {}
    for item in odd:
        source, _, section_id = item.partition(": ")
        by_file.setdefault(source, []).append(section_id)
    for source, ids in by_file.items():
        more = f", ... {len(ids) - 8} more" if len(ids) > 8 else ""
        lines.append(f"Suspicious ids in {source} ({len(ids)}): {', '.join(ids[:8])}{more}")
    if with_sections:
        lines.append("Sections:")
        for section in engine.sections:
            page = f" p. {section.page}" if section.page else ""
            force = engine.provisions.force_of(section).force
            lines.append(f"  {section.source} {section.section}{page} [{force}] {section.title}")
    return "\n".join(lines)


def format_topic(engine: Engine, topic: str) -> str:
    details = engine.provisions.topic(topic)
    if details is None:
        known = ", ".join([t.key for t in TOPICS] + list(engine.settings.custom_topics))
        raise KeyError(f"unknown topic {topic!r} (topics: {known})")
    governing = engine.provisions.governing(topic)
    if governing is None:
        return f"{topic} ({details.label}): no provision in this manual matches it"
    section = governing.section
    page = f", page {section.page}" if section.page else ""
    lines = [
        f"{topic}: {details.label}",
        f"Governing provision: {section.section} {section.title} ({section.source}{page})",
        f"Force: {governing.force.force.replace('_', ' ')}"
        + (f", approver: {governing.force.approver}" if governing.force.approver else ""),
        f"Confidence: {governing.confidence:.2f}"
        + (" (pinned in policy.toml)" if governing.pinned else ""),
        f'Deciding sentence: "{governing.force.sentence or section.text[:300]}"',
    ]
    return "\n".join(lines)
