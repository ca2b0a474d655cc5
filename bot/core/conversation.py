"""Reading one message of a conversation: a draft to check, a question about the policy,
a follow-up that revises the thread's draft, or small talk.

Pure functions, no Slack: the Slack layer keeps the thread's current draft and calls
`read_message` with it. Safety first: only a `draft` or a `revision` (a draft with the
requested change applied) is ever judged as a post; a question is answered from the
policy's passages, and a follow-up that cannot be applied asks for the new version.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.core.models import Finding
from bot.core.patterns import (
    BADGE_NUMBER,
    CASE_NUMBER,
    DATE_OF_BIRTH,
    EMAIL,
    LICENSE_PLATE,
    NAME,
    PHONE,
    STREET_ADDRESS,
)

Kind = Literal["draft", "question", "revision", "needs_new_version", "chatter"]


@dataclass(frozen=True)
class PreviousDraft:
    """The thread's current draft and what its check found (spans index into `text`)."""

    text: str
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Reading:
    """What one message is. `draft` is the text to check for `draft` and `revision`;
    `removed` lists what a revision took out of the previous draft; `detail` names the
    detail a follow-up asked about; `problem` says why a follow-up could not be applied."""

    kind: Kind
    draft: str = ""
    removed: tuple[str, ...] = ()
    detail: str = ""
    problem: str = ""


@dataclass(frozen=True)
class Detail:
    """A kind of detail an officer can ask to take out: its words, the finding codes that
    locate it in a draft, and a pattern that finds it when no finding does."""

    label: str
    words: str
    codes: frozenset[str]
    pattern: str | None = None


IDENTITY_CODES = frozenset(
    {
        "victim_identity",
        "witness_identity",
        "juvenile_identity",
        "informant_identity",
        "suspect_identity",
        "official_suspect",
        "undercover_identity",
        "colleague_privacy",
    }
)

DETAILS: tuple[Detail, ...] = (
    Detail("address", r"(?:street |home )?address(?:es)?|location", frozenset({"street_address"}),
           STREET_ADDRESS),
    Detail("phone number", r"phone(?: numbers?)?|numbers? to call|cell(?: number)?",
           frozenset({"phone_number"}), PHONE),
    Detail("plate", r"(?:license |licence )?plates?(?: numbers?)?|tags?",
           frozenset({"license_plate"}), LICENSE_PLATE),
    Detail("case number", r"case(?: numbers?| #| no\.?)?|report numbers?|incident numbers?",
           frozenset({"case_number"}), CASE_NUMBER),
    Detail("badge number", r"badge(?: numbers?| #| no\.?)?", frozenset({"badge_number"}),
           BADGE_NUMBER),
    Detail("date of birth", r"date of birth|dob|birthday", frozenset({"date_of_birth"}),
           DATE_OF_BIRTH),
    Detail("email address", r"e-?mail(?: address(?:es)?)?", frozenset({"email_address"}), EMAIL),
    Detail("name", r"(?:full |last |first )?names?|(?:his|her|their) names?|who (?:it|he|she) is",
           IDENTITY_CODES, NAME),
)  # fmt: skip

DETAIL_LABELS = frozenset(detail.label for detail in DETAILS)

_VERB = (
    r"(?:take|took|taking|leave|left|leaving|cut|cutting)\s+out|remove|removed|removing|"
    r"delete|deleted|deleting|drop|dropped|dropping|strip|stripped|omit|omitted|skip|hide|"
    r"get rid of|lose|redact|redacted|blur"
)
_ARTICLE = r"(?:the|that|this|his|her|their|its|any|all(?: the)?|my)\s+"
# "take out the address", "what if I remove the name?", "without the plate", "and if I
# drop 'last night'?", "no address".
_FOLLOW_UP = re.compile(
    rf"^\s*(?:ok(?:ay)?[,.!]?\s+|so\s+|and\s+|but\s+|then\s+|alright[,.]?\s+)*"
    rf"(?:(?:what|how)\s+about\s+if\s+|what\s+if\s+|if\s+|could\s+|can\s+|should\s+|"
    rf"would\s+it\s+be\s+(?:ok(?:ay)?|fine)\s+if\s+|is\s+it\s+(?:ok(?:ay)?|fine)\s+if\s+)?"
    rf"(?:(?:i|we)\s+(?:just\s+|also\s+)?)?"
    rf"(?:(?P<verb>{_VERB})\s+(?P<what>.+?)"
    rf"|(?:(?:what|how)\s+about\s+|and\s+|but\s+|just\s+)?(?:without|minus)\s+(?P<without>.+?)"
    rf"|no\s+(?P<no>.+?))"
    rf"\s*(?:from\s+(?:it|the\s+(?:post|draft|text))\s*|instead\s*)?[?.!]*\s*"
    rf"(?:(?:would|will|is|does)\s+(?:it|that|this)\s+(?:be\s+)?(?:ok(?:ay)?|fine|pass|work)"
    rf"(?:\s+then)?\s*\??)?\s*$",
    re.IGNORECASE | re.DOTALL,
)
# A follow-up that changes the draft in a way only the officer can write.
_CHANGE = re.compile(
    r"^\s*(?:what\s+if\s+|if\s+|can\s+|could\s+|should\s+)?(?:(?:i|we)\s+)?"
    r"(?:change|changed|reword|rephrase|rewrite|rewrote|replace|replaced|shorten|edit|edited|"
    r"make\s+it|swap|add|added|use|used|say|said|post\s+it)\b.{0,200}$",
    re.IGNORECASE | re.DOTALL,
)
_MAX_FOLLOW_UP_CHARS = 160

_QUOTED = re.compile(r"[\"“”'‘’]([^\"“”'‘’]{2,200})[\"“”'‘’]")

# Questions about the policy rather than a post: permission, rules, what to say.
_QUESTION = re.compile(
    r"^\s*(?:hi|hey|hello|quick question)?[,!.]?\s*(?:"
    r"(?:can|may|could|should|must)\s+(?:i|we|officers?|deputies|employees|staff|cops|"
    r"an?\s+(?:officer|deputy|employee))\b"
    r"|(?:am\s+i|are\s+we|are\s+(?:officers?|deputies|employees|cops))\s+"
    r"(?:allowed|permitted|able|supposed|ok(?:ay)?)\b"
    r"|is\s+it\s+(?:ok(?:ay)?|alright|all\s+right|allowed|permitted|fine|legal|against)\b"
    r"|(?:what|which|how\s+much|how)\s+(?:can|may|should|could|do|am|are|is)\s+(?:i|we)\b"
    r"|what\s+(?:does|do|is|are)\s+(?:the\s+)?(?:(?:department'?s?|dept'?s?|social[- ]media)\s+)?"
    r"(?:polic(?:y|ies)|rules?|guidelines?)\b"
    r"|what\s+(?:are|is)\s+(?:i|we)\s+allowed\b"
    r"|what'?s\s+(?:the\s+)?(?:polic(?:y|ies)|rules?)\b"
    r"|(?:do|does)\s+(?:i|we|officers?|the\s+policy)\s+(?:need|have|allow|let|cover|say)\b"
    r"|(?:tell\s+me\s+)?(?:what|which)\s+(?:sections?|parts?)\s+of\s+the\s+policy\b"
    r"|(?:is|are)\s+(?:there\s+)?(?:any\s+)?(?:rules?|polic(?:y|ies)|restrictions?)\s+"
    r"(?:on|about|for|against)\b"
    r")",
    re.IGNORECASE,
)
# "Can I post this: <draft>", "Is this ok to post? <draft>", "Here is my draft: <draft>".
_WRAPPER_START = re.compile(
    r"^\s*(?:(?:hi|hey|hello)[,!.]?\s+)?(?:"
    r"(?:can|may|could|should)\s+(?:i|we)\s+(?:post|share|say|tweet|publish|put\s+up|write|"
    r"use)\s+(?:this|the\s+following|something\s+like\s+this)(?:\s+(?:on|to)\s+[\w' ]{1,40})?"
    r"|(?:is|would)\s+(?:this|the\s+following)\s+(?:be\s+)?(?:ok(?:ay)?|alright|fine|allowed|"
    r"good)(?:\s+to\s+(?:post|share|publish))?(?:\s+(?:on|to)\s+[\w' ]{1,40})?"
    r"|(?:here\s+is|here'?s)\s+(?:my|the|a)\s+(?:draft|post|caption|tweet)"
    r"|(?:please\s+)?check\s+(?:this|my\s+(?:draft|post))(?:\s+(?:for\s+me|please))?"
    r"|(?:my\s+)?draft"
    r")\s*[:?.!\-–—]+\s*(?=\S)",
    re.IGNORECASE,
)
# "<draft> Is this ok to post?" at the end.
_WRAPPER_END = re.compile(
    r"[\s\-–—]*(?:(?:is|would)\s+this\s+(?:be\s+)?(?:ok(?:ay)?|alright|fine|allowed|good)"
    r"(?:\s+to\s+(?:post|share|publish))?|(?:can|may)\s+(?:i|we)\s+(?:post|share|publish)\s+"
    r"(?:this|it)|ok(?:ay)?\s+to\s+post)\s*\?+\s*$",
    re.IGNORECASE,
)
_MIN_WRAPPED_DRAFT = 12

_CHATTER = re.compile(
    r"^\s*(?:thanks?(?:\s+you)?|thank\s+you(?:\s+(?:so|very)\s+much)?|thx|ty|cheers|"
    r"ok(?:ay)?|k|cool|great|perfect|awesome|nice|got\s+it|understood|will\s+do|sounds\s+good|"
    r"bye|good\s*bye|see\s+you|never\s*mind|nvm|no|yes|yep|nope|sure|"
    r"ok(?:ay)?\s+thanks?(?:\s+you)?|great,?\s+thanks?)\s*[.!🙏👍😀🙂]*\s*$"
    r"|^\s*(?=\S)[\W_]{1,6}\s*$",
    re.IGNORECASE,
)


def unwrap_draft(text: str) -> str:
    """The draft inside "Can I post this: …" or "… Is this ok to post?"; else `text`."""
    inner = text
    start = _WRAPPER_START.match(inner)
    if start:
        inner = inner[start.end() :]
    inner = _WRAPPER_END.sub("", inner).strip()
    inner = inner.strip('"“”').strip()
    if inner != text.strip() and len(inner) >= _MIN_WRAPPED_DRAFT:
        return inner
    return text.strip()


def is_policy_question(text: str) -> bool:
    """A question about what the policy allows, rather than a post to check."""
    stripped = text.strip()
    return bool(_QUESTION.match(stripped)) and unwrap_draft(stripped) == stripped


def is_chatter(text: str) -> bool:
    return bool(_CHATTER.match(text))


def read_message(text: str, previous: PreviousDraft | None = None) -> Reading:
    """What `text` is, given the thread's current draft (None when there is none)."""
    stripped = text.strip()
    if is_chatter(stripped):
        return Reading("chatter")
    follow_up = _follow_up_target(stripped)
    if follow_up is not None:
        if previous is None:
            _, label = _locate(PreviousDraft(""), follow_up)
            return Reading("needs_new_version", detail=label, problem="no_draft")
        return revise(previous, follow_up)
    if previous is not None and len(stripped) <= _MAX_FOLLOW_UP_CHARS and _CHANGE.match(stripped):
        return Reading("needs_new_version", problem="rewrite")
    draft = unwrap_draft(stripped)
    if draft == stripped and is_policy_question(stripped):
        return Reading("question")
    return Reading("draft", draft=draft)


def _follow_up_target(text: str) -> str | None:
    """What a short "take out the address" style follow-up asks to remove, if it is one."""
    if len(text) > _MAX_FOLLOW_UP_CHARS or "\n" in text.strip():
        return None
    match = _FOLLOW_UP.match(text)
    if not match:
        return None
    what = (match.group("what") or match.group("without") or match.group("no") or "").strip()
    return what.strip(" ,.;:?!") or None


def revise(previous: PreviousDraft, target: str) -> Reading:
    """The previous draft with `target` ("the address", "the names", "'last night'")
    taken out; `needs_new_version` when it cannot be found or taken out cleanly."""
    spans, label = _locate(previous, target)
    if not spans:
        return Reading("needs_new_version", detail=label, problem="not_found")
    removed = tuple(dict.fromkeys(previous.text[a:b].strip() for a, b in spans))
    revised = remove_spans(previous.text, spans)
    if len(re.sub(r"\W", "", revised)) < 3:
        return Reading("needs_new_version", detail=label, problem="nothing_left")
    return Reading("revision", draft=revised, removed=removed, detail=label)


def _locate(previous: PreviousDraft, target: str) -> tuple[list[tuple[int, int]], str]:
    """The spans of the draft that `target` names, and a label for it."""
    text = previous.text
    quoted = _QUOTED.search(target)
    literal = quoted.group(1) if quoted else None
    cleaned = re.sub(rf"^(?:{_ARTICLE})+", "", target.strip(), flags=re.IGNORECASE).strip()
    for detail in DETAILS:
        if literal is None and re.fullmatch(
            rf"(?:{detail.words})(?:\s+(?:and|&)\s+.+)?", cleaned, re.IGNORECASE
        ):
            spans = _detail_spans(previous, detail)
            rest = re.split(r"\s+(?:and|&)\s+", cleaned, maxsplit=1, flags=re.IGNORECASE)
            label = detail.label
            if len(rest) == 2:  # "the address and the name"
                more, more_label = _locate(previous, rest[1])
                label = f"{label} and {more_label}"
                spans = _merge([*spans, *more]) if spans and more else []
            return spans, label
    phrase = literal or cleaned
    if len(phrase) >= 2:
        found = [
            (m.start(), m.end())
            for m in re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE)
        ]
        if found:
            return found, phrase
    return [], phrase


def _detail_spans(previous: PreviousDraft, detail: Detail) -> list[tuple[int, int]]:
    text = previous.text
    spans: list[tuple[int, int]] = []
    for finding in previous.findings:
        if finding.code not in detail.codes or not finding.span:
            continue
        start, end = finding.span
        if detail.label == "name" and detail.pattern:
            # An identity finding covers "arrested John Smith": take out the name only.
            inner = re.search(detail.pattern, text[start:end])
            if inner:
                spans.append((start + inner.start(), start + inner.end()))
            continue
        spans.append((start, end))
    if not spans and detail.pattern:
        spans = [(m.start(), m.end()) for m in re.finditer(detail.pattern, text, re.IGNORECASE)]
    return _merge(spans)


def _merge(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


_DANGLING = re.compile(r"\b(?:at|on|in|near|of|from|to|by|named|called|is|was|,)\s*$", re.I)


def remove_spans(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """`text` without `spans`, with the preposition that introduced each one ("at 412 Oak
    St") and the spacing and punctuation left behind tidied up."""
    out = text
    for start, end in sorted(_merge(spans), reverse=True):
        before = out[:start].rstrip()
        dangling = _DANGLING.search(before)
        if dangling and dangling.group().strip() != ",":
            before = before[: dangling.start()].rstrip()
        after = out[end:]
        out = before + (" " if after[:1].isalnum() else "") + after
    out = re.sub(r"[ \t]{2,}", " ", out)
    out = re.sub(r"\s+([,.;:!?])", r"\1", out)
    out = re.sub(r",\s*,", ",", out)
    out = re.sub(r",([.;:!?])", r"\1", out)
    out = re.sub(r"^[\s,;:.]+", "", out)
    out = re.sub(r"\(\s*\)", "", out)
    return out.strip()
