"""What a provision does, read from its own words: prohibits, requires approval (of whom),
permits, or only informs.

Read sentence by sentence. A prohibition with a way out through someone's permission ("without
the express authorization of the Chief of Police", "unless authorized by a supervisor",
"shall be approved by") requires approval; "shall not", "must not", "may not", "prohibited"
prohibit; "may", "are free to", "encouraged", "permitted" permit, but not "may negatively
affect" or "may be subject to", where "may" says what could happen rather than what is allowed.
A list item with no such words of its own takes the force of the sentence that introduces the
list ("the following are prohibited:").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Force = Literal["prohibits", "requires_approval", "permits", "informs"]
FORCES: tuple[Force, ...] = ("prohibits", "requires_approval", "permits", "informs")
# How strict each force is, for "the stricter department wins".
FORCE_STRICTNESS: dict[str, int] = {
    "informs": 0,
    "permits": 0,
    "requires_approval": 1,
    "prohibits": 2,
}

_APPROVAL_WORDS = (
    r"(?:express\s+|prior\s+|written\s+|explicit\s+|specific\s+)*"
    r"(?:authori[sz]ation|permission|approval|consent)"
)


def _who(name: str) -> str:
    return (
        rf"(?P<{name}>(?:the\s+|a\s+|an\s+|his/her\s+|his\s+or\s+her\s+|their\s+)?"
        r"[^.;:()]{2,90}?)"
    )


_WHO_END = (
    r"(?=\s*(?:[.;:,)]|\s+(?:before|prior|and\s+shall|if|when|unless|except|in\s+order)\b|$))"
)
_APPROVAL = re.compile(
    rf"\b(?:without|unless|until|except\s+with|with(?:out)?\s+the|requires?|needs?|obtain(?:ing)?|"
    rf"receiv(?:e|ing)|ha(?:s|ve)\s+received)\s+(?:the\s+|a\s+|an\s+|first\s+)?{_APPROVAL_WORDS}"
    rf"(?:\s+(?:is|has\s+been)\s+(?:granted|given|obtained))?"
    rf"(?:\s+(?:of|from|by)\s+{_who('who')}{_WHO_END})?",
    re.IGNORECASE,
)
_APPROVED_BY = re.compile(
    rf"\b(?:shall|must|should|will|to)\s+(?:first\s+)?be\s+(?:approved|authori[sz]ed|cleared|"
    rf"reviewed(?:\s+and\s+approved)?|coordinated|released)\s+(?:by|through|with)\s+{_who('who1')}{_WHO_END}"
    rf"|\bunless\s+(?:specifically\s+|expressly\s+|otherwise\s+)?(?:authori[sz]ed|approved|"
    rf"permitted)\s+(?:by|through)\s+{_who('who2')}{_WHO_END}"
    rf"|\b(?:referred|directed|routed)\s+to\s+{_who('who3')}{_WHO_END}"
    rf"|\bonly\s+(?:members|employees|personnel)\s+authori[sz]ed\s+by\s+{_who('who4')}{_WHO_END}",
    re.IGNORECASE,
)
_PROHIBITS = re.compile(
    r"\b(?:shall|must|will|may|should|can)\s+not\b|\b(?:shall|must|may)n[o']t\b|\bcannot\b"
    r"|\bprohibit(?:ed|s)?\b|\bnot\s+(?:be\s+)?(?:permitted|allowed|authori[sz]ed)\b"
    r"|\bforbid(?:den)?\b|\bat\s+no\s+time\b|\bunder\s+no\s+circumstances?\b|\bno\s+(?:member|"
    r"employee|officer|personnel|one)\b[^.]{0,80}\b(?:shall|may|will|should)\b"
    r"|\b(?:is|are)\s+not\s+to\s+be\b|\bnever\b|\brefrain\s+from\b",
    re.IGNORECASE,
)
_PERMITS = re.compile(
    r"\b(?:are|is)\s+(?:free|welcome|encouraged|permitted|allowed|authori[sz]ed)\s+to\b"
    r"|\bencourag(?:e|es|ed)\b|\b(?:employees|members|personnel|officers|you|department)\s+"
    r"(?:may|can)\s+(?!not\b|be\s+(?:subject|required|disciplined|held|liable)\b)"
    r"|\bmay\s+(?:use|post|share|express|participate|comment|display|include)\b"
    r"|\b(?:may|can)\s+be\s+(?:posted|used|shared|released|displayed|published)\b"
    r"|\bretain\s+(?:their|the)\s+right\b"
    r"|\b(?:recogni[sz]es|potential|appropriate|acceptable)\s+(?:\w+\s+){0,2}uses?\s+of\b",
    re.IGNORECASE,
)
_NOTHING_PROHIBITS = re.compile(r"\bnothing\s+in\s+this\s+policy\b[^.]{0,40}\bprohibit", re.I)
_SENTENCE_END = re.compile(
    r"(?<!\be\.g)(?<!\bi\.e)(?<!\bU\.S)(?<!\bNo)(?<!\bSec)(?<!\bvs)(?<!\bSt)(?<!\bDr)(?<!\bMr)"
    r"(?<!\bMs)(?<!\bMrs)(?<!\bInc)(?<!\bDir)(?<!\bapprox)[.!?](?=\s+[A-Z(\"'“•]|\s*$)"
)


@dataclass(frozen=True)
class ProvisionForce:
    force: Force
    approver: str | None = None  # who must approve, in the manual's words
    sentence: str = ""  # the sentence that says so


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of `text` (abbreviations such as "e.g." do not end a sentence; a line
    break before a list item or bullet does)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        spans.extend(_split_lines(text, start, end))
        start = end
    if start < len(text):
        spans.extend(_split_lines(text, start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _split_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    for piece in re.finditer(r"[^\n]+", text[start:end]):
        s, e = start + piece.start(), start + piece.end()
        while s < e and text[s].isspace():
            s += 1
        spans.append((s, e))
    return spans


def _clean_approver(who: str | None) -> str | None:
    if not who:
        return None
    who = re.sub(r"\s+", " ", who).strip(" ,")
    who = re.sub(r"^(?:the|a|an|his/her|his or her|their)\s+", "", who, flags=re.IGNORECASE)
    who = re.split(r",|\s+(?:and|who|which|that|provided|for|may|shall|will)\b", who)[0].strip()
    if not who or len(who.split()) > 10:
        return None
    return who


def read_force(text: str, lead_in: str = "") -> ProvisionForce:
    """The force of a provision's text; `lead_in` is the sentence introducing its list."""
    found: ProvisionForce | None = None
    for start, end in sentences(text):
        sentence = text[start:end].strip()
        approval = _APPROVAL.search(sentence) or _APPROVED_BY.search(sentence)
        if approval:
            who = next((value for value in approval.groupdict().values() if value), None)
            return ProvisionForce("requires_approval", _clean_approver(who), sentence)
        if found is None and _NOTHING_PROHIBITS.search(sentence):
            found = ProvisionForce("permits", None, sentence)
        elif found is None and _PROHIBITS.search(sentence):
            found = ProvisionForce("prohibits", None, sentence)
        elif found is None and _PERMITS.search(sentence):
            found = ProvisionForce("permits", None, sentence)
    if found is not None:
        if found.force == "permits" and lead_in:
            inherited = read_force(lead_in)
            if inherited.force in ("prohibits", "requires_approval"):
                return ProvisionForce(inherited.force, inherited.approver, found.sentence)
        return found
    if lead_in:
        inherited = read_force(lead_in)
        if inherited.force != "informs":
            first = sentences(text)
            sentence = text[first[0][0] : first[0][1]].strip() if first else text.strip()
            return ProvisionForce(inherited.force, inherited.approver, sentence)
    return ProvisionForce("informs")
