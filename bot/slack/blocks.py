"""Block Kit builders: pure functions from decisions and ids to Slack messages and views.

Nothing here talks to Slack or the store. Every builder stays inside Slack's limits
(50 blocks per message, 100 per view, 3000 characters per section text, 150 per header,
75 per button label, 150 per option value) and truncates with a visible note instead of
producing a payload Slack would reject.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from bot.core.conversation import DETAIL_LABELS, Reading
from bot.core.models import Citation, Decision, Finding, PolicySection, Verdict
from bot.core.photo import PhotoReading
from bot.slack import ids
from bot.slack.outcome import CheckOutcome, EscalationNotice, PolicyAnswer
from bot.slack.text import chunks, clip, clip_escaped, escape, quote

Block = dict[str, Any]
Audience = Literal["private", "channel"]

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_OPTIONS = 100
MAX_CONTEXT_ELEMENTS = 10
MAX_MODAL_TITLE = 24
MAX_FALLBACK_TEXT = 300
MAX_FINDINGS_SHOWN = 12
MAX_CITATIONS_SHOWN = 8
MAX_DRAFT_BLOCKS = 12
MAX_INPUT_CHARS = 3000
SECTION_CHUNK = 2900

VERDICT_LABELS: dict[Verdict, tuple[str, str]] = {
    "ok": ("✅", "OK to post"),
    "revise": ("✏️", "Revise before posting"),
    "do_not_post": ("⛔", "Do not post"),
    "needs_review": ("🧑‍⚖️", "A reviewer should decide"),
}
SEVERITY_ICONS = {"do_not_post": "⛔", "needs_review": "🧑‍⚖️", "revise": "✏️", "info": "ℹ️"}

# Findings that mean the draft itself carries details identifying a person: in a channel
# the asker is told to delete the message and DM drafts instead.
IDENTIFYING_CODES = frozenset(
    {
        "victim_identity",
        "witness_identity",
        "juvenile_identity",
        "informant_identity",
        "suspect_identity",
        "official_suspect",
        "undercover_identity",
        "colleague_privacy",
        "cjis_data",
        "street_address",
        "phone_number",
        "license_plate",
        "case_number",
        "badge_number",
        "date_of_birth",
        "email_address",
    }
)
RESPONSE_TARGET = "target response 2 hours in business hours"
PIO_REMINDER = "🚨 Incident channel: statements about the incident go through the PIO."
INCIDENT_NOTE_PREFIX = "Incident mode:"


@dataclass(frozen=True)
class Message:
    """A chat message: notification/fallback `text` plus `blocks`."""

    text: str
    blocks: list[Block]

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


@dataclass(frozen=True)
class AnswerContext:
    """Where and how an answer is shown.

    `draft` is used to show the flagged words in private answers and, in channels, only to
    make sure none of them slipped into the reply. `ref` is the server-side key the
    "Ask a reviewer" button carries; `check_id` the stored check the feedback buttons carry.
    """

    audience: Audience = "private"
    incident_channel: bool = False
    draft: str | None = None
    ref: str | None = None
    check_id: int | None = None
    escalation: EscalationNotice | None = None
    revision: Reading | None = None
    technical: bool = False  # admins see policy hash, engine, confidence and engine notes
    photo: PhotoReading | None = None  # what the attached photo revealed


# ----------------------------------------------------------------------------- primitives


def plain(text: str, limit: int, *, emoji: bool = True) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit) or " ", "emoji": emoji}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip(text, MAX_SECTION_TEXT) or " "}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, MAX_HEADER_TEXT)}


def section(text: str) -> Block:
    """A mrkdwn section; `text` must already be escaped where it holds outside text."""
    return {"type": "section", "text": mrkdwn(text)}


def plain_section(text: str) -> Block:
    return {"type": "section", "text": plain(text, MAX_SECTION_TEXT, emoji=False)}


def context(*texts: str) -> Block:
    elements = [mrkdwn(text) for text in texts if text][:MAX_CONTEXT_ELEMENTS]
    return {"type": "context", "elements": elements or [mrkdwn(" ")]}


def divider() -> Block:
    return {"type": "divider"}


def button(
    text: str,
    action_id: str,
    value: str,
    *,
    style: str | None = None,
    confirm: dict[str, Any] | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(text, MAX_BUTTON_TEXT),
        "action_id": action_id,
        "value": value[:2000],
    }
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def confirm_dialog(
    title: str, text: str, *, yes: str, no: str = "Cancel", style: str | None = None
) -> dict[str, Any]:
    """A Block Kit confirmation dialog for a button (title 100, text 300, buttons 30)."""
    dialog: dict[str, Any] = {
        "title": plain(title, 100),
        "text": {"type": "mrkdwn", "text": clip(text, 300)},
        "confirm": plain(yes, 30),
        "deny": plain(no, 30),
    }
    if style:
        dialog["style"] = style
    return dialog


def fit(
    body: list[Block], tail: Sequence[Block] = (), *, limit: int = MAX_MESSAGE_BLOCKS
) -> list[Block]:
    """`body + tail` within `limit` blocks; when the body is too long it is cut and a note
    says how much was left out. The tail (usually the action buttons) always stays."""
    room = limit - len(tail)
    if len(body) <= room:
        return [*body, *tail]
    kept = body[: max(room - 1, 0)]
    left_out = len(body) - len(kept)
    note = context(
        f"_{left_out} more block{'s' if left_out != 1 else ''} not shown (Slack limit)._"
    )
    return [*kept, note, *tail]


# ----------------------------------------------------------------------------- values


def encode_section_ref(source: str, section_id: str) -> str:
    """An option/button value naming one policy section; never longer than 150 chars."""
    readable = json.dumps([source, section_id], ensure_ascii=False, separators=(",", ":"))
    if len(readable) <= MAX_OPTION_VALUE:
        return readable
    return "h:" + section_hash(source, section_id)


def section_hash(source: str, section_id: str) -> str:
    return hashlib.sha256(f"{source}\x00{section_id}".encode()).hexdigest()[:32]


def decode_section_ref(value: str) -> tuple[str, str] | str | None:
    """(source, section) for readable refs, the hash string for hashed ones, else None."""
    if value.startswith("h:"):
        return value[2:] or None
    try:
        source, section_id = json.loads(value)
    except (ValueError, TypeError):
        return None
    if not isinstance(source, str) or not isinstance(section_id, str):
        return None
    return source, section_id


# ----------------------------------------------------------------------------- answers


def verdict_title(verdict: Verdict) -> str:
    emoji, words = VERDICT_LABELS[verdict]
    return f"{emoji} {words}"


def is_identifying(code: str) -> bool:
    return code in IDENTIFYING_CODES or code.endswith("_identity")


def span_text(draft: str | None, finding: Finding) -> str | None:
    if not draft or not finding.span:
        return None
    start, end = finding.span
    text = draft[max(start, 0) : max(end, 0)].strip()
    return text or None


def flagged_phrases(draft: str | None, findings: Iterable[Finding]) -> list[str]:
    """The draft's flagged words (longest first), for keeping them out of a channel."""
    found = {text for f in findings if (text := span_text(draft, f)) and len(text) >= 3}
    return sorted(found, key=len, reverse=True)


def scrub(text: str, phrases: Sequence[str]) -> str:
    for phrase in phrases:
        text = text.replace(phrase, "[…]")
    return text


def finding_block(finding: Finding, *, draft: str | None = None, hide: Sequence[str] = ()) -> Block:
    """One finding and its fix; with `draft`, the flagged words too (private answers only).
    `hide` lists phrases to keep out of model-written text shown in a channel."""
    icon = SEVERITY_ICONS.get(finding.severity, "•")
    lines = [f"{icon} *{clip_escaped(scrub(finding.message, hide), 1200)}*"]
    if finding.fix:
        lines.append(f"*Fix:* {clip_escaped(scrub(finding.fix, hide), 1200)}")
    flagged = span_text(draft, finding)
    if flagged:
        lines.append(f"_Flagged:_ “{clip_escaped(flagged.replace(chr(10), ' '), 300)}”")
    return section("\n".join(lines))


def citation_block(citation: Citation) -> Block:
    label = " ".join(part for part in (f"§ {citation.section}", citation.title.strip()) if part)
    head = f"*{escape(label)}*"
    page = f" · p. {citation.page}" if citation.page else ""
    source = f"_{escape(citation.source)}{page}_"
    budget = MAX_SECTION_TEXT - len(head) - len(source) - 8
    body = quote(clip_escaped(citation.quote, max(budget - 200, 200)))
    return section(f"{head}\n{body}\n{source}")


def section_picker(citations: Sequence[Citation]) -> list[dict[str, Any]]:
    """ "Show full section": one button for one citation, a select menu for several."""
    unique: list[Citation] = []
    seen: set[tuple[str, str]] = set()
    for citation in citations:
        key = (citation.source, citation.section)
        if key not in seen:
            seen.add(key)
            unique.append(citation)
    if not unique:
        return []
    if len(unique) == 1:
        only = unique[0]
        return [
            button(
                "📖 Show full section",
                ids.ACTION_SHOW_SECTION,
                encode_section_ref(only.source, only.section),
            )
        ]
    options = [
        {
            "text": plain(f"§ {c.section} {c.title}".strip(), MAX_OPTION_TEXT),
            "value": encode_section_ref(c.source, c.section),
        }
        for c in unique[:MAX_OPTIONS]
    ]
    return [
        {
            "type": "static_select",
            "action_id": ids.ACTION_PICK_SECTION,
            "placeholder": plain("📖 Show full section…", MAX_OPTION_TEXT),
            "options": options,
        }
    ]


def escalation_text(notice: EscalationNotice) -> str:
    number = f"request #{notice.escalation_id}"
    where = "in a direct message from me" if notice.reply_by_dm else "here"
    if notice.status == "sent":
        lead = (
            f"📨 A reviewer should decide this one, so I sent it to the PIO ({number})."
            if notice.automatic
            else f"📨 Sent to the PIO ({number})."
        )
        return f"{lead} You'll hear back {where}; {RESPONSE_TARGET}."
    if notice.status == "unannounced":
        return (
            f"📨 Saved as {number}, but I could not post it to the reviewers' channel. "
            "Please also contact the PIO directly."
        )
    if notice.status in ("already", "in_progress"):
        suffix = f" as {number}" if notice.escalation_id else ""
        return f"📨 Already sent to the PIO{suffix}. You'll hear back {where}."
    if notice.status == "expired":
        return (
            "⌛ I no longer have this draft (I keep drafts in memory for an hour, and not "
            "across restarts). Please run the check again, then press *Ask a reviewer*."
        )
    if notice.status == "not_requester":
        return "Only the person who asked can send this draft to a reviewer."
    return (
        "⚠️ Your request could not be queued for a reviewer (the database did not answer). "
        "Please try again in a minute, or contact the PIO directly."
    )


def withdraw_button(escalation_id: int) -> dict[str, Any]:
    return button("↩️ Withdraw request", ids.ACTION_REVIEW_WITHDRAW, str(escalation_id))


def _withdrawable(notice: EscalationNotice | None) -> int | None:
    """The request id an officer may still withdraw from this notice, if any."""
    if notice and notice.status in ("sent", "unannounced") and notice.escalation_id:
        return notice.escalation_id
    return None


def _fallback(verdict: Verdict, summary: str) -> str:
    emoji, words = VERDICT_LABELS[verdict]
    text = f"{emoji} {summary}" if summary.startswith(words) else f"{emoji} {words}: {summary}"
    return clip(text, MAX_FALLBACK_TEXT)


AI_DISCLAIMER = "🤖 Machine-generated answer: when in doubt, a reviewer (the PIO) decides."
SHORT_QUOTE_CHARS = 160


def short_quote(citation: Citation, limit: int = SHORT_QUOTE_CHARS) -> str:
    """One line of the policy for a phone: the start of the quote, then where it is from."""
    where = f"§ {citation.section}" + (f", p. {citation.page}" if citation.page else "")
    text = " ".join(citation.quote.split())
    return f"> “{clip_escaped(text, limit)}” _({escape(where)})_"


def _lead_free(summary: str, verdict: Verdict) -> str:
    """The summary without the verdict words the header already shows."""
    _, words = VERDICT_LABELS[verdict]
    rest = summary.removeprefix(words).lstrip(":.—- ").strip()
    return rest[:1].upper() + rest[1:] if rest else ""


def compact_finding_block(
    finding: Finding,
    citation: Citation | None,
    *,
    draft: str | None = None,
    hide: Sequence[str] = (),
) -> Block:
    """One finding for a phone: what is wrong (with the flagged words in private), what to
    change, and one short quote of the provision it rests on."""
    icon = SEVERITY_ICONS.get(finding.severity, "•")
    head = f"{icon} *{clip_escaped(scrub(finding.message, hide), 600)}*"
    flagged = span_text(draft, finding)
    if flagged:
        head += f" “{clip_escaped(flagged.replace(chr(10), ' '), 120)}”"
    lines = [head]
    if finding.fix:
        lines.append(f"*Change:* {clip_escaped(scrub(finding.fix, hide), 800)}")
    if citation is not None:
        lines.append(short_quote(citation))
    return section("\n".join(lines))


def photo_block(reading: PhotoReading, *, private: bool) -> Block:
    """What the photo check read: location data, capture time, faces, text. In a channel
    the position and the text are not repeated."""
    parts = [f"📷 Photo checked ({reading.megapixels:.1f} MP)"]
    if reading.gps is not None:
        where = f" ({reading.gps})" if private else ""
        parts.append(f"location data: *yes*{where}")
    else:
        parts.append("location data: none")
    if reading.taken_at:
        parts.append(f"taken {escape(reading.taken_at)}")
    if reading.faces_checked:
        parts.append(
            f"{reading.faces} face{'s' if reading.faces != 1 else ''}"
            if reading.faces
            else "no faces"
        )
    if reading.text:
        if private:
            shown = ", ".join(f"“{clip_escaped(line, 60)}”" for line in reading.text[:4])
            more = f" and {len(reading.text) - 4} more lines" if len(reading.text) > 4 else ""
            parts.append(f"text read: {shown}{more}")
        else:
            parts.append("text found (not repeated here)")
    else:
        parts.append("no readable text")
    return context(" · ".join(parts))


def technical_footer(decision: Decision, check_id: int | None) -> Block:
    """Policy hash, engine and confidence: for App Home and admins, not for officers."""
    parts = [
        f"Policy version `{escape(decision.policy_version[:12])}`",
        f"engine: {escape(decision.engine)}",
        f"confidence {round(decision.confidence * 100)}%",
    ]
    if check_id is not None:
        parts.append(f"check #{check_id}")
    return context(" · ".join(parts))


def policy_refs_value(citations: Sequence[Citation]) -> str:
    """The "Show the policy" button's value: the cited sections, at most 2000 characters."""
    refs: list[str] = []
    for citation in citations:
        ref = encode_section_ref(citation.source, citation.section)
        if ref in refs:
            continue
        if len(json.dumps([*refs, ref], ensure_ascii=False)) > 2000:
            break
        refs.append(ref)
    return json.dumps(refs, ensure_ascii=False)


def decode_policy_refs(value: str) -> list[str]:
    try:
        refs = json.loads(value)
    except (ValueError, TypeError):
        return []
    return (
        [ref for ref in refs if isinstance(ref, str)][:MAX_CITATIONS_SHOWN]
        if isinstance(refs, list)
        else []
    )


def feedback_block(check_id: int) -> Block:
    """👍 / 👎 in a context_actions block (Slack's feedback buttons for AI answers)."""
    value = str(check_id)
    return {
        "type": "context_actions",
        "block_id": "answer_feedback",
        "elements": [
            {
                "type": "feedback_buttons",
                "action_id": ids.ACTION_FEEDBACK,
                "positive_button": {
                    "text": plain("👍", MAX_BUTTON_TEXT),
                    "value": f"up:{value}",
                    "accessibility_label": "This answer was helpful",
                },
                "negative_button": {
                    "text": plain("👎", MAX_BUTTON_TEXT),
                    "value": f"down:{value}",
                    "accessibility_label": "This answer looks wrong",
                },
            }
        ],
    }


def answer_message(decision: Decision, ctx: AnswerContext) -> Message:
    """The answer to one check, for a private surface (DM, ephemeral) or a channel thread.

    Compact, for a phone: the verdict, each finding with what to change and one short
    quote of its provision, the reviewer notice, one disclaimer line, and the buttons; the
    policy in full is behind "Show the policy". The technical footer (policy hash, engine,
    confidence) and the engine's internal notes only go to admins (`ctx.technical`)."""
    private = ctx.audience == "private"
    _, words = VERDICT_LABELS[decision.verdict]
    # A model-written summary might echo the draft: channels only get the rule-based one.
    summary = decision.summary if private or decision.engine == "local" else f"{words}."
    findings = list(decision.findings)
    citations = list(decision.citations)
    body: list[Block] = [header(verdict_title(decision.verdict))]
    if ctx.revision is not None:
        body.append(revision_block(ctx.revision, private=private))
    if ctx.photo is not None:
        body.append(photo_block(ctx.photo, private=private))

    actionable = [i for i, f in enumerate(findings) if f.severity != "info"]
    if not actionable:
        rest = _lead_free(summary, decision.verdict)
        lines = [clip_escaped(rest, 1500)] if rest else []
        if citations:
            lines.append(short_quote(citations[0]))
        if lines:
            body.append(section("\n".join(lines)))
    # Rule messages never quote the draft; a model's might, so in channels they are scrubbed.
    hide = [] if private or decision.engine == "local" else flagged_phrases(ctx.draft, findings)
    quoted: list[Citation] = []
    shown = actionable[:MAX_FINDINGS_SHOWN]
    for index in shown:
        citation = decision.citation_for(index)
        if citation is not None and citation in quoted:
            citation = None  # one quote per provision: the first finding resting on it
        if citation is not None:
            quoted.append(citation)
        body.append(
            compact_finding_block(
                findings[index], citation, draft=ctx.draft if private else None, hide=hide
            )
        )
    if len(actionable) > len(shown):
        body.append(context(f"_{len(actionable) - len(shown)} more findings not shown._"))
    if shown and not quoted and citations:
        body.append(section(short_quote(citations[0])))  # findings without a known provision

    if private and decision.rewrite:
        body.append(section("*Suggested rewrite*\n" + quote(clip_escaped(decision.rewrite, 2800))))
    if ctx.escalation:
        body.append(section(escalation_text(ctx.escalation)))

    if not private:
        if any(is_identifying(f.code) for f in findings):
            body.append(
                section(
                    "⚠️ Your message includes details that could identify someone. Please "
                    "delete it from this channel and send drafts to me by direct message "
                    "(or use `/canipost`, which only you can see)."
                )
            )
        channel_notes: list[str] = []
        if ctx.incident_channel:
            channel_notes.append(PIO_REMINDER)
        if ctx.incident_channel or decision.verdict != "ok":
            channel_notes.append("🔒 I don't repeat draft details in channels.")
        if channel_notes:
            body.append(context(*channel_notes))

    if ctx.technical:
        notes = [n for n in decision.notes if private or decision.engine == "local"]
        if notes:
            body.append(context(*(f"_{clip_escaped(note, 500)}_" for note in notes)))
        body.append(technical_footer(decision, ctx.check_id))
    body.append(context(AI_DISCLAIMER))

    elements: list[dict[str, Any]] = []
    if ctx.ref and not (ctx.escalation and ctx.escalation.escalated):
        elements.append(button("🧑‍⚖️ Ask a reviewer", ids.ACTION_ASK_REVIEWER, ctx.ref))
    withdrawable = _withdrawable(ctx.escalation)
    if withdrawable and private:
        elements.append(withdraw_button(withdrawable))
    if citations:
        elements.append(
            button("📖 Show the policy", ids.ACTION_SHOW_POLICY, policy_refs_value(citations))
        )
    tail: list[Block] = []
    if elements:
        tail.append({"type": "actions", "block_id": "answer_actions", "elements": elements})
    if ctx.check_id is not None:
        tail.append(feedback_block(ctx.check_id))
    return Message(text=_fallback(decision.verdict, summary), blocks=fit(body, tail))


def policy_modal(sections: Sequence[PolicySection], *, missing: int = 0) -> dict[str, Any]:
    """ "Show the policy": the full text of every section an answer cited."""
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": ids.MODAL_SECTION,
        "title": plain("The policy", MAX_MODAL_TITLE),
        "close": plain("Close", MAX_MODAL_TITLE),
    }
    body: list[Block] = []
    for found in sections:
        where = escape(found.source) + (f" · p. {found.page}" if found.page else "")
        body.append(header(f"§ {found.section} {found.title}".strip()))
        body.append(context(f"_{where}_"))
        body.extend(plain_section(piece) for piece in chunks(found.text, SECTION_CHUNK))
        body.append(divider())
    if missing or not sections:
        body.append(
            section(
                "I can't find some of these sections in the current policy (it may have "
                "changed). Run the check again to get up-to-date citations."
            )
        )
    view["blocks"] = fit(body, limit=MAX_VIEW_BLOCKS)
    return view


FEEDBACK_ACTIONS = frozenset(
    {ids.ACTION_FEEDBACK, ids.ACTION_FEEDBACK_UP, ids.ACTION_FEEDBACK_DOWN}
)


def without_buttons(
    blocks: Sequence[Block], action_ids: Iterable[str], *, note: Sequence[Block] = ()
) -> list[Block]:
    """`blocks` with the buttons named by `action_ids` taken out (an actions block left
    empty goes too) and `note` added where they were, or at the end: how a message looks
    once a one-time button was used."""
    gone = set(action_ids)
    out: list[Block] = []
    placed = False
    for block in blocks:
        if block.get("type") not in ("actions", "context_actions"):
            out.append(block)
            continue
        elements = [e for e in block.get("elements", []) if e.get("action_id") not in gone]
        if len(elements) != len(block.get("elements", [])) and not placed:
            out.extend(note)
            placed = True
        if elements:
            # A new block_id: Slack asks for one per iteration of a message.
            block_id = str(block.get("block_id") or "actions")
            out.append({**block, "block_id": f"{block_id[:200]}_used", "elements": elements})
    if not placed:
        out.extend(note)
    return fit(out)


def feedback_note(kind: Literal["up", "down"], *, changed: bool = False) -> Block:
    if kind == "up":
        text = "You rated this answer 👍. Thanks for the feedback."
    else:
        text = (
            "You rated this answer 👎. Thanks, noted. If it looks wrong, press *Ask a "
            "reviewer* and the PIO will take a look."
        )
    if changed:
        text += " (This replaces your earlier rating.)"
    return context(text)


def error_message(ref: str | None) -> Message:
    """An apology for a check that failed, with the way to a human."""
    blocks: list[Block] = [
        section(
            "😕 Sorry, something went wrong while checking your draft, so I can't answer "
            "this time. Nothing was posted anywhere. You can ask a reviewer to look at it."
        )
    ]
    if ref:
        blocks.append(
            {
                "type": "actions",
                "block_id": "error_actions",
                "elements": [button("🧑‍⚖️ Ask a reviewer", ids.ACTION_ASK_REVIEWER, ref)],
            }
        )
    return Message(text="Sorry, something went wrong while checking your draft.", blocks=blocks)


def input_error_message(problem: str) -> Message:
    line = f"⚠️ I can't check that: {problem}."
    line = line.replace("..", ".")
    return Message(
        text=clip(line, MAX_FALLBACK_TEXT),
        blocks=[
            section(clip_escaped(line, MAX_SECTION_TEXT)),
            context("Send the text of the post, for example `/canipost Join us Saturday at 10…`"),
        ],
    )


def outcome_message(
    outcome: CheckOutcome,
    *,
    audience: Audience = "private",
    incident_channel: bool = False,
    revision: Reading | None = None,
) -> Message:
    """The reply for any outcome: the answer, the policy's answer to a question, the input
    problem, or the apology. `revision`: the follow-up that produced the checked draft."""
    if outcome.input_error is not None:
        return input_error_message(outcome.input_error)
    if outcome.answer is not None:
        return policy_answer_message(outcome.answer)
    if outcome.decision is None:
        escalated = outcome.escalation is not None and outcome.escalation.escalated
        message = error_message(None if escalated else outcome.ref)
        if outcome.escalation:
            notice = section(escalation_text(outcome.escalation))
            message = Message(message.text, [*message.blocks, notice])
        return message
    ctx = AnswerContext(
        audience=audience,
        incident_channel=incident_channel,
        draft=outcome.request.text,
        ref=outcome.ref,
        check_id=outcome.check_id,
        escalation=outcome.escalation,
        revision=revision,
        technical=outcome.technical,
        photo=outcome.photo,
    )
    return answer_message(outcome.decision, ctx)


# ----------------------------------------------------------------------------- conversation


def thread_title(outcome: CheckOutcome) -> str | None:
    """The title of an agent thread after this outcome: the verdict, never the draft."""
    if outcome.answer is not None:
        return "📘 Policy question"
    if outcome.decision is not None:
        return f"{verdict_title(outcome.decision.verdict)} · draft check"
    return None


PASTE_NEW_VERSION = "Paste the new version exactly as you'd post it and I'll check it."


def detail_words(detail: str) -> str:
    """ "the address", "the address and name", or a phrase the officer quoted."""
    if detail and all(part in DETAIL_LABELS for part in detail.split(" and ")):
        return f"the {escape(detail)}"
    return f"“{clip_escaped(detail, 200)}”" if detail else "that"


def revision_block(revision: Reading, *, private: bool) -> Block:
    """Says which follow-up produced the checked draft; in private, the draft itself."""
    what = detail_words(revision.detail)
    if not private:  # never repeat draft details in a channel
        return section(f"✂️ I took out {what} from your last draft and checked the result.")
    lead = f"✂️ I took out {what}"
    if what.startswith("the "):
        lead += " (" + ", ".join(f"“{clip_escaped(r, 200)}”" for r in revision.removed[:5]) + ")"
    return section(
        f"{lead} from your last draft and checked this version:\n"
        f"{quote(clip_escaped(revision.draft, 2400))}"
    )


def new_version_message(reading: Reading, *, audience: Audience = "private") -> Message:
    """A follow-up that could not be applied: ask for the new version, judge nothing."""
    what = detail_words(reading.detail)
    if reading.problem == "no_draft":
        lead = (
            f"I don't have an earlier draft here to take {what} out of (I keep a "
            "thread's draft for an hour, and not across restarts)."
        )
    elif reading.problem == "not_found":
        lead = (
            f"I can't find {what} in your last draft, so I can't take it out for you."
            if audience == "private"
            else "I can't find that in your last draft, so I can't take it out for you."
        )
    elif reading.problem == "nothing_left":
        lead = f"Without {what} there is nothing left of the draft to check."
    else:
        lead = "I can't make that change for you."
    text = f"{lead} {PASTE_NEW_VERSION}"
    return Message(
        text=clip(text, MAX_FALLBACK_TEXT),
        blocks=[section(text), context("I haven't judged anything yet: this is not a verdict.")],
    )


def chatter_message() -> Message:
    text = (
        "👍 Whenever you're ready, paste a draft exactly as you'd post it, or ask me what "
        "the policy says about something."
    )
    return Message(text=text, blocks=[section(text)])


def policy_answer_message(answer: PolicyAnswer) -> Message:
    """The answer to a question about the policy: its passages, quoted. Deliberately not a
    verdict: a question is never "OK to post"."""
    body: list[Block] = [
        header("📘 What the policy says"),
        section(
            "That's a question about the policy rather than a post, so I haven't judged "
            "anything as OK to post. These passages answer it:"
        ),
    ]
    body.extend(citation_block(citation) for citation in answer.citations)
    if not answer.citations:
        body.append(section("I couldn't find a passage that answers this; please ask the PIO."))
    body.append(
        context(
            "To check a post, paste it exactly as you'd publish it. For anything the policy "
            "doesn't settle, ask the PIO."
        )
    )
    elements = section_picker(answer.citations)
    tail = (
        [{"type": "actions", "block_id": "answer_actions", "elements": elements}]
        if elements
        else []
    )
    text = "📘 What the policy says about your question (this is not a verdict on a post)"
    return Message(text=text, blocks=fit(body, tail))


def notice_message(notice: EscalationNotice) -> Message:
    text = escalation_text(notice)
    blocks = [section(text)]
    withdrawable = _withdrawable(notice)
    if withdrawable:
        blocks.append({"type": "actions", "elements": [withdraw_button(withdrawable)]})
    return Message(text=clip(text, MAX_FALLBACK_TEXT), blocks=blocks)


def text_message(text: str) -> Message:
    return Message(text=clip(text, MAX_FALLBACK_TEXT), blocks=[section(text)])


# ----------------------------------------------------------------------------- reviewers


CARD_DRAFT_CHARS = 2800
COMPACT_DRAFT_CHARS = 600
CARD_TEXT_BUDGET = 11_000  # Slack refuses a message whose blocks are too long in total
ACCOUNT_WORDS = {
    "personal": "personal account",
    "official": "department account",
    "unknown": "account not given",
}


def blocks_text_size(blocks: Sequence[Block]) -> int:
    """How much text `blocks` hold, the way Slack's total-size limit counts it (roughly)."""
    return len(json.dumps(blocks, ensure_ascii=False))


def card_draft_is_shortened(draft: str) -> bool:
    return len(draft) > CARD_DRAFT_CHARS


def card_context(
    *, requester_id: str, surface: str, reason: str, decision: Decision, asked_in: str | None
) -> Block:
    """Who asked, where, on which account, whether it is about an incident, and why."""
    if not asked_in:
        where = "channel not recorded"
    elif asked_in.startswith("D"):
        where = "in a DM with me"
    else:
        where = f"in <#{escape(asked_in)}>"
    parts = [
        f"From <@{escape(requester_id)}>",
        f"via {escape(surface)}",
        where,
        ACCOUNT_WORDS.get(decision.account, escape(decision.account)),
        "🚨 *active incident*" if decision.incident else "no incident flag",
    ]
    if reason:
        parts.append(escape(reason))
    return context(" · ".join(parts))


def review_card(
    *,
    escalation_id: int,
    draft: str,
    decision: Decision,
    requester_id: str,
    surface: str,
    reason: str,
    note: str | None = None,
    extra_actions: Sequence[dict[str, Any]] = (),
    asked_in: str | None = None,
    compact: bool = False,
    photo: bool = False,
) -> Message:
    """The card posted to the reviewers' channel for one escalation.

    A long draft is shown shortened (its full text goes in the card's thread); `compact`
    is the smaller card used when Slack refuses the full one (`msg_blocks_too_long`), and
    chosen at once when the full card would be over CARD_TEXT_BUDGET.
    `extra_actions` lets the review workflow add its decision buttons.
    """
    body: list[Block] = [
        header(f"🧑‍⚖️ Review request #{escalation_id}"),
        card_context(
            requester_id=requester_id,
            surface=surface,
            reason=reason,
            decision=decision,
            asked_in=asked_in,
        ),
        section("*Draft*"),
    ]
    limit = COMPACT_DRAFT_CHARS if compact else CARD_DRAFT_CHARS
    body.append(plain_section(clip(draft, limit) if draft else "(empty)"))
    if len(draft) > limit:
        body.append(
            context(
                f"_Draft shortened: it is {len(draft):,} characters; the full text is in "
                "this card's thread._"
            )
        )
    if photo:
        body.append(
            context(
                "📷 *The officer attached a photo*: it is in this card's thread. Text read in "
                "the photo is part of the draft above."
            )
        )
    if note:
        body.append(section(f"*Officer's note:*\n{quote(clip_escaped(note, 2000))}"))
    body.append(divider())
    body.append(
        section(
            f"*Automatic check:* {verdict_title(decision.verdict)}\n"
            + clip_escaped(decision.summary, 600 if compact else 2500)
        )
    )
    if compact:
        lines = [
            f"{SEVERITY_ICONS.get(f.severity, '•')} {clip_escaped(f.message, 200)}"
            for f in decision.findings[:MAX_FINDINGS_SHOWN]
        ]
        if lines:
            body.append(section("\n".join(lines)))
        cited = ", ".join(f"§ {escape(c.section)}" for c in decision.citations[:12])
        if cited:
            body.append(context(f"Policy cited: {cited} (use *Show full section*)"))
    else:
        for finding in decision.findings[:MAX_FINDINGS_SHOWN]:
            body.append(finding_block(finding, draft=draft))
        for citation in decision.citations[:MAX_CITATIONS_SHOWN]:
            body.append(citation_block(citation))
    body.append(
        context(
            f"Policy version `{escape(decision.policy_version[:12])}` · engine: "
            f"{escape(decision.engine)} · confidence {round(decision.confidence * 100)}%"
        )
    )
    elements = [*extra_actions, *section_picker(decision.citations)]
    tail = (
        [{"type": "actions", "block_id": "review_actions", "elements": elements}]
        if elements
        else []
    )
    verdict = verdict_title(decision.verdict)
    text = clip(
        f"Review request #{escalation_id} from <@{requester_id}>: {verdict}", MAX_FALLBACK_TEXT
    )
    blocks = fit(body, tail)
    if not compact and blocks_text_size(blocks) > CARD_TEXT_BUDGET:
        return review_card(
            escalation_id=escalation_id, draft=draft, decision=decision,
            requester_id=requester_id, surface=surface, reason=reason, note=note,
            extra_actions=extra_actions, asked_in=asked_in, compact=True, photo=photo,
        )  # fmt: skip
    return Message(text=text, blocks=blocks)


# ----------------------------------------------------------------------------- help & home

HELP_LINES = (
    "• `/canipost <draft>`: check a draft. Only you see the answer.",
    "• `/canipost`: open a form (account, active incident, a note); the answer comes by DM.",
    "• `/canipost review <draft>`: send a draft straight to the PIO.",
    "• `/canipost incident on|off`: reviewers only; marks this channel as an incident "
    "channel (stricter checks, no draft details repeated there).",
    "• Message me directly, or open me in the AI panel, and paste a draft.",
    "• Message menu ⋮ → *Check this post* on any message.",
    "• `@CanIPost` in a channel: I answer in a thread. Don't paste names of victims, "
    "witnesses or suspects into channels; DM me instead.",
)


def help_message() -> Message:
    blocks = [
        section("*How to use CanIPost*\n" + "\n".join(HELP_LINES)),
        context(
            "I compare drafts with the department's social-media policy and quote the "
            "sections I used. Hard cases go to the PIO."
        ),
    ]
    return Message(text="How to use CanIPost: /canipost <draft>", blocks=blocks)


PROMPTS_TITLE = "Check a post before you share it:"


def welcome_message() -> Message:
    """The greeting in the Messages tab, posted the first time an officer opens it."""
    text = (
        "👋 Paste the post you'd like to publish (or attach the photo with its caption) and "
        "I'll check it against the department's social-media policy. I quote the sections I "
        "rely on, and I hand hard cases to the PIO."
    )
    return Message(text=text, blocks=[section(text), context(AI_DISCLAIMER)])


def home_view(
    *,
    user_id: str,
    policy_version: str = "",
    retention_days: int | None = None,
    extra_blocks: Sequence[Block] = (),
) -> dict[str, Any]:
    """The App Home tab. `extra_blocks` (e.g. a reviewer's queue) are appended."""
    kept = (
        f"Drafts you send to a reviewer are kept for {retention_days} days."
        if retention_days
        else "Drafts you send to a reviewer are kept only as long as the policy allows."
    )
    blocks: list[Block] = [
        header("CanIPost"),
        section(
            f"Hi <@{escape(user_id)}>! Before you post on social media, send me the draft: "
            "I tell you whether it fits the department's policy, quote the sections I relied "
            "on, and hand hard cases to the PIO."
        ),
        divider(),
        section("*How to ask*\n" + "\n".join(HELP_LINES)),
        section(
            "*Privacy*\n• Answers in DMs and to `/canipost` are visible only to you.\n"
            "• I keep a fingerprint of each check, not the draft itself. " + kept
        ),
    ]
    if policy_version:
        blocks.append(context(f"Policy version `{escape(policy_version[:12])}`"))
    return {"type": "home", "blocks": fit([*blocks, *extra_blocks], limit=MAX_VIEW_BLOCKS)}


def incident_mode_message(*, channel_id: str, on: bool, user_id: str) -> Message:
    if on:
        text = (
            f"🚨 Incident mode is *on* for <#{channel_id}> (set by <@{user_id}>). Statements "
            "about the incident go through the PIO, and I won't repeat draft details here. "
            "Send drafts to me by direct message."
        )
    else:
        text = f"Incident mode is *off* for <#{channel_id}> (set by <@{user_id}>)."
    return Message(text=clip(text.replace("*", ""), MAX_FALLBACK_TEXT), blocks=[section(text)])


# ----------------------------------------------------------------------------- modals


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text, MAX_OPTION_TEXT), "value": value}


def check_modal(*, channel_id: str | None, incident: bool) -> dict[str, Any]:
    """The `/canipost` form: draft, account, incident flag, optional note."""
    no, yes = _option("No", "no"), _option("Yes", "yes")
    personal = _option("My personal account", "personal")
    official = _option("A department account", "official")
    metadata = json.dumps({"channel": channel_id}) if channel_id else ""
    return {
        "type": "modal",
        "callback_id": ids.MODAL_CHECK,
        "title": plain("Check a draft", MAX_MODAL_TITLE),
        "submit": plain("Check", MAX_MODAL_TITLE),
        "close": plain("Cancel", MAX_MODAL_TITLE),
        "private_metadata": metadata,
        "blocks": [
            {
                "type": "input",
                "block_id": ids.INPUT_DRAFT,
                "label": plain("Your draft", 2000),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": MAX_INPUT_CHARS,
                    "placeholder": plain("Paste the post, or describe the photo", 150),
                },
            },
            {
                "type": "input",
                "block_id": ids.INPUT_ACCOUNT,
                "label": plain("Where will you post it?", 2000),
                "element": {
                    "type": "radio_buttons",
                    "action_id": "value",
                    "options": [personal, official],
                    "initial_option": personal,
                },
            },
            {
                "type": "input",
                "block_id": ids.INPUT_INCIDENT,
                "label": plain("Is this about an active incident?", 2000),
                "element": {
                    "type": "radio_buttons",
                    "action_id": "value",
                    "options": [no, yes],
                    "initial_option": yes if incident else no,
                },
            },
            {
                "type": "input",
                "block_id": ids.INPUT_NOTE,
                "optional": True,
                "label": plain("Note for a reviewer (optional)", 2000),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": 500,
                },
            },
            context("The answer arrives as a direct message from CanIPost. Only you see it."),
        ],
    }


def submitted_modal() -> dict[str, Any]:
    return {
        "type": "modal",
        "title": plain("Check a draft", MAX_MODAL_TITLE),
        "close": plain("Done", MAX_MODAL_TITLE),
        "blocks": [section("✅ Checking your draft. The answer arrives in a DM from CanIPost.")],
    }


def section_modal(found: PolicySection | None) -> dict[str, Any]:
    """The full text of one policy section (verbatim, as plain text)."""
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": ids.MODAL_SECTION,
        "title": plain("Policy section", MAX_MODAL_TITLE),
        "close": plain("Close", MAX_MODAL_TITLE),
    }
    if found is None:
        view["blocks"] = [
            section(
                "I can't find that section in the current policy (it may have changed). "
                "Run the check again to get up-to-date citations."
            )
        ]
        return view
    where = escape(found.source) + (f" · page {found.page}" if found.page else "")
    body: list[Block] = [
        header(f"§ {found.section} {found.title}".strip()),
        context(f"_{where}_"),
    ]
    body.extend(plain_section(piece) for piece in chunks(found.text, SECTION_CHUNK))
    view["blocks"] = fit(body, limit=MAX_VIEW_BLOCKS)
    return view
