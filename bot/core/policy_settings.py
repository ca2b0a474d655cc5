"""`policy.toml` beside the manual: optional adjustments a department makes to how its manual
is applied. Nothing in it is needed for a manual to work.

    [approvers]
    default = "Public Information Officer"     # who "the PIO" means in answers

    [topics.uniform_rank]
    provision = "1026.4(g)"                    # pin the governing provision
    severity = "needs_review"                  # raise (or lower, not below the safety floor)
    approver = "Chief of Police"

    [custom.on_duty]                           # a topic of the department's own
    label = "posting while on duty"
    phrases = ["on duty", "on shift", "in the squad"]
    provision = "III.A.2"
    severity = "needs_review"

Every mistake is reported, one line each, naming the key and what is wrong.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.core.errors import PolicyError
from bot.core.models import SEVERITIES, Severity
from bot.core.topics import TOPICS_BY_KEY, Topic

SETTINGS_FILE = "policy.toml"
# The sample rules' verdict for these topics is a floor no department setting may go below:
# a victim, a juvenile, evidence, tactics or a threat is never cleared by configuration.
SAFETY_FLOOR: dict[str, Severity] = {
    "victims": "do_not_post",
    "juveniles": "do_not_post",
    "evidence_media": "do_not_post",
    "tactics": "do_not_post",
    "threats_slurs": "do_not_post",
}
_SEVERITY_RANK = {"info": 0, "revise": 1, "needs_review": 2, "do_not_post": 3}
_TOPIC_KEYS = frozenset({"provision", "severity", "approver"})
_CUSTOM_KEYS = frozenset({"label", "phrases", "provision", "severity", "approver", "fix"})


@dataclass(frozen=True)
class TopicSetting:
    provision: str | None = None
    severity: Severity | None = None
    approver: str | None = None


@dataclass(frozen=True)
class CustomTopic:
    topic: Topic
    phrases: tuple[str, ...]
    setting: TopicSetting


@dataclass(frozen=True)
class PolicySettings:
    topics: dict[str, TopicSetting] = field(default_factory=dict)
    custom: dict[str, CustomTopic] = field(default_factory=dict)
    default_approver: str | None = None
    path: str | None = None
    digest: str = ""  # sha256 of the file, for the policy version answers carry

    @property
    def custom_topics(self) -> dict[str, Topic]:
        return {key: custom.topic for key, custom in self.custom.items()}

    def setting(self, topic: str) -> TopicSetting | None:
        if topic in self.custom:
            return self.custom[topic].setting
        return self.topics.get(topic)


def _severity(value: object, where: str, problems: list[str]) -> Severity | None:
    if value is None:
        return None
    if value not in SEVERITIES or value == "info":
        problems.append(
            f"{where}: severity {value!r} is not one of revise, needs_review, do_not_post"
        )
        return None
    return value  # type: ignore[return-value]


def _text(value: object, where: str, problems: list[str]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: must be a non-empty string")
        return None
    return value.strip()


def parse_settings(data: dict, known_ids: set[str], where: str = SETTINGS_FILE) -> PolicySettings:
    """Validate parsed TOML against the manual's section ids; raise PolicyError listing every
    mistake, one per line."""
    problems: list[str] = []
    for key in data:
        if key not in ("approvers", "topics", "custom"):
            problems.append(f"{where}: unknown table [{key}] (use approvers, topics or custom)")
    approvers = data.get("approvers", {})
    default_approver = None
    if not isinstance(approvers, dict):
        problems.append(f"{where}: [approvers] must be a table")
    else:
        for key in approvers:
            if key != "default":
                problems.append(f"{where}: approvers.{key} is not a setting (only default)")
        default_approver = _text(approvers.get("default"), f"{where}: approvers.default", problems)

    def provision(value: object, place: str) -> str | None:
        name = _text(value, place, problems)
        if name is not None and name not in known_ids:
            problems.append(f"{place}: no section {name!r} in the manual (see canipost index)")
            return None
        return name

    topics: dict[str, TopicSetting] = {}
    raw_topics = data.get("topics", {})
    if not isinstance(raw_topics, dict):
        problems.append(f"{where}: [topics] must be a table of topics")
        raw_topics = {}
    for key, raw in raw_topics.items():
        place = f"{where}: topics.{key}"
        if key not in TOPICS_BY_KEY:
            problems.append(f"{place}: unknown topic (see canipost policy show)")
            continue
        if not isinstance(raw, dict):
            problems.append(f"{place}: must be a table")
            continue
        for extra in set(raw) - _TOPIC_KEYS:
            problems.append(f"{place}.{extra}: not a setting (provision, severity, approver)")
        severity = _severity(raw.get("severity"), place, problems)
        floor = SAFETY_FLOOR.get(key)
        if severity and floor and _SEVERITY_RANK[severity] < _SEVERITY_RANK[floor]:
            problems.append(
                f"{place}: severity {severity} is below the safety floor ({floor}) for {key}"
            )
            severity = None
        topics[key] = TopicSetting(
            provision(raw.get("provision"), f"{place}.provision"),
            severity,
            _text(raw.get("approver"), f"{place}.approver", problems),
        )
    custom: dict[str, CustomTopic] = {}
    raw_custom = data.get("custom", {})
    if not isinstance(raw_custom, dict):
        problems.append(f"{where}: [custom] must be a table of topics")
        raw_custom = {}
    for key, raw in raw_custom.items():
        place = f"{where}: custom.{key}"
        if key in TOPICS_BY_KEY:
            problems.append(f"{place}: {key} is a built-in topic; use [topics.{key}]")
            continue
        if not isinstance(raw, dict):
            problems.append(f"{place}: must be a table")
            continue
        for extra in set(raw) - _CUSTOM_KEYS:
            problems.append(f"{place}.{extra}: not a setting ({', '.join(sorted(_CUSTOM_KEYS))})")
        label = _text(raw.get("label"), f"{place}.label", problems)
        phrases = raw.get("phrases")
        if (
            not isinstance(phrases, list)
            or not phrases
            or not all(isinstance(item, str) and item.strip() for item in phrases)
        ):
            problems.append(f"{place}.phrases: must be a list of words or phrases to look for")
            phrases = []
        pinned = provision(raw.get("provision"), f"{place}.provision")
        if raw.get("provision") is None:
            problems.append(f"{place}.provision: a custom topic needs the section that governs it")
        severity = _severity(raw.get("severity", "needs_review"), place, problems)
        if label is None and "label" not in raw:
            problems.append(f"{place}.label: missing (plain words for the officer)")
        fix = _text(raw.get("fix"), f"{place}.fix", problems)
        approver = _text(raw.get("approver"), f"{place}.approver", problems)
        topic = Topic(
            key,
            label or key,
            " ".join([label or key, *phrases]),
            fix or "Ask the approver your policy names before posting.",
        )
        custom[key] = CustomTopic(
            topic,
            tuple(item.strip().lower() for item in phrases),
            TopicSetting(pinned, severity, approver),
        )
    if problems:
        raise PolicyError("\n".join(problems))
    return PolicySettings(topics, custom, default_approver, where)


def load_settings(policy_dir: Path, known_ids: set[str]) -> PolicySettings:
    path = Path(policy_dir) / SETTINGS_FILE
    if not path.exists():
        return PolicySettings()
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise PolicyError(f"{SETTINGS_FILE}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{SETTINGS_FILE}: not valid TOML ({error})") from None
    except OSError as error:
        raise PolicyError(f"{SETTINGS_FILE}: cannot be read ({error.strerror})") from None
    settings = parse_settings(data, known_ids)
    return replace(settings, digest=hashlib.sha256(raw).hexdigest())
