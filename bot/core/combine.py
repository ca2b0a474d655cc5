"""How the rule table and the semantic judge combine into findings.

Measured on held-out batches (evals/README.md), not assumed: the rules are the precise floor
and keep their own verdict when they fire; the judge speaks where the rules found nothing
actionable, and may only ever add a finding, never remove or soften one. Its findings say
which topic it read and, when it is unsure, what it is unsure about.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from bot.core.judge import Assessment
from bot.core.models import Finding
from bot.core.topics import TOPICS_BY_KEY
from bot.core.verdict import verdict_for

# "fill": the judge acts only where the rules found nothing actionable.
# "strictest": the stricter of rules and judge. "raise": fill, and a sure judge may lift a
# rule's `revise` to `do_not_post`. The eval reports all three; "fill" is the default because
# it gave the fewest unsafe approvals at the least over-caution (evals/README.md).
Combination = Literal["fill", "strictest", "raise"]
COMBINATIONS: tuple[Combination, ...] = ("fill", "strictest", "raise")
DEFAULT_COMBINATION: Combination = "fill"
JUDGE_CODE_PREFIX = "judge_"
UNSURE_CODE = "judge_unsure"
MAX_TOPICS_NAMED = 2


def judge_code(topic: str) -> str:
    return f"{JUDGE_CODE_PREFIX}{topic}"


def topic_of_code(code: str) -> str | None:
    if code.startswith(JUDGE_CODE_PREFIX) and code != UNSURE_CODE:
        return code[len(JUDGE_CODE_PREFIX) :]
    return None


def _labels(assessment: Assessment) -> list[str]:
    return [
        TOPICS_BY_KEY[score.topic].label
        for score in assessment.topics[:MAX_TOPICS_NAMED]
        if score.topic in TOPICS_BY_KEY
    ]


def judge_findings(
    rule_findings: Sequence[Finding],
    assessment: Assessment,
    combination: Combination = DEFAULT_COMBINATION,
) -> list[Finding]:
    """The findings the judge adds to the rules' findings (possibly none)."""
    rule_verdict = verdict_for(list(rule_findings))
    verdict = assessment.verdict
    if verdict == "ok":
        return []
    if rule_verdict != "ok":
        if combination == "fill":
            return []
        if combination == "raise" and not (rule_verdict == "revise" and verdict == "do_not_post"):
            return []
    labels = _labels(assessment)
    topic = assessment.topics[0].topic if assessment.topics else "unclear"
    if verdict == "needs_review":
        about = " or ".join(labels) if labels else "something the policy treats with care"
        return [
            Finding(
                code=UNSURE_CODE,
                severity="needs_review",
                message=(
                    f"The bot is not sure this is fine: it may touch on {about}, and it cannot "
                    "tell from the words alone whether the policy allows it"
                ),
                fix="A reviewer will decide; add any context the reviewer needs.",
                topic=topic,
            )
        ]
    details = TOPICS_BY_KEY.get(topic, TOPICS_BY_KEY["unclear"])
    return [
        Finding(
            code=judge_code(details.key),
            severity=verdict,  # type: ignore[arg-type]
            message=f"This reads as being about {details.label}",
            fix=details.fix,
            topic=details.key,
        )
    ]
