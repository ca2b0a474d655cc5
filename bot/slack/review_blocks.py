"""Block Kit for the review loop: decision buttons, decided cards, the note form,
reminders, the officer's notice and the App Home queue. Pure functions, like blocks.py."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.slack import ids
from bot.slack.blocks import (
    CARD_TEXT_BUDGET,
    MAX_FALLBACK_TEXT,
    MAX_MODAL_TITLE,
    Block,
    Message,
    blocks_text_size,
    button,
    confirm_dialog,
    context,
    divider,
    fit,
    header,
    plain,
    review_card,
    section,
    verdict_title,
    withdraw_button,
)
from bot.slack.text import clip, clip_escaped, escape, quote
from bot.store.records import MAX_NOTE_CHARS, CheckRecord, Escalation, Outcome

HOME_ITEMS = 10
QUEUE_ITEMS = 25

OUTCOME_WORDS: dict[str, tuple[str, str]] = {
    "approved": ("✅", "Approved"),
    "changes_requested": ("✏️", "Needs changes"),
    "rejected": ("⛔", "Do not post"),
    "withdrawn": ("↩️", "Withdrawn"),
}
DECISION_ACTIONS: dict[str, Outcome] = {
    ids.ACTION_REVIEW_APPROVE: "approved",
    ids.ACTION_REVIEW_CHANGES: "changes_requested",
    ids.ACTION_REVIEW_REJECT: "rejected",
}


def outcome_label(status: str) -> str:
    emoji, words = OUTCOME_WORDS.get(status, ("⏳", "Pending"))
    return f"{emoji} {words}"


def slack_time(at: datetime) -> str:
    """A time every reader sees in their own time zone (Slack's date formatting), with
    UTC as the fallback for clients that cannot render it."""
    epoch = int(at.timestamp())
    fallback = f"{at:%Y-%m-%d %H:%M} UTC"
    return f"<!date^{epoch}^{{date_short_pretty}} at {{time}}|{fallback}>"


def ago_text(since: datetime, now: datetime) -> str:
    """ "3 min ago", "2 d 4 h ago", "just now" (never "just now ago")."""
    age = age_text(since, now)
    return age if age == "just now" else f"{age} ago"


def age_text(since: datetime, now: datetime) -> str:
    """ "3 h 12 min", "2 d 4 h", "just now"."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 1:
        return "just now"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins} min"
    return f"{mins} min"


def decision_buttons(escalation_id: int) -> list[dict[str, Any]]:
    value = str(escalation_id)
    return [
        button(
            "✅ Approve",
            ids.ACTION_REVIEW_APPROVE,
            value,
            style="primary",
            confirm=confirm_dialog(
                f"Approve request #{escalation_id}?",
                "The officer will be told they may post the draft *as written*. This cannot "
                "be undone.",
                yes="Approve",
            ),
        ),
        button("✏️ Needs changes", ids.ACTION_REVIEW_CHANGES, value),
        button("⛔ Do not post", ids.ACTION_REVIEW_REJECT, value, style="danger"),
    ]


def card_for(escalation: Escalation, *, compact: bool = False, photo: bool = False) -> Message:
    """The review card as it should look now: buttons while pending, the outcome after.
    `compact`: the smaller card, for when Slack refuses the full one. `photo`: the
    officer's photo follows in the card's thread."""
    draft = escalation.draft_text or (
        "(draft deleted under the retention policy)" if escalation.is_purged else ""
    )
    pending = escalation.is_pending
    card = review_card(
        escalation_id=escalation.id,
        draft=draft,
        decision=escalation.decision,
        requester_id=escalation.requester_id,
        surface=escalation.surface,
        reason=escalation.reason,
        note=escalation.requester_note,
        extra_actions=decision_buttons(escalation.id) if pending else (),
        asked_in=escalation.asked_in,
        compact=compact,
        photo=photo,
    )
    if pending:
        return card
    outcome = outcome_block(escalation)
    blocks = fit([card.blocks[0], outcome, *card.blocks[1:-1]], card.blocks[-1:])
    if not compact and blocks_text_size(blocks) > CARD_TEXT_BUDGET:
        return card_for(escalation, compact=True, photo=photo)
    text = clip(
        f"Review request #{escalation.id}: {outcome_label(escalation.status)}", MAX_FALLBACK_TEXT
    )
    return Message(text=text, blocks=blocks)


def outcome_block(escalation: Escalation) -> Block:
    who = escalation.reviewer_id or escalation.requester_id
    verb = "by" if escalation.status != "withdrawn" else "by the requester,"
    line = f"*{outcome_label(escalation.status)}* {verb} <@{escape(who)}>"
    if escalation.decided_at:
        line += f" · {slack_time(escalation.decided_at)}"
    if escalation.note:
        line += "\n" + quote(clip_escaped(escalation.note, MAX_NOTE_CHARS))
    return section(line)


NOTICE_DRAFT_CHARS = 140


def officer_notice(escalation: Escalation, *, note_elsewhere: bool = False) -> Message:
    """What the officer reads when their request is decided: which post it is about (the
    start of the draft and the bot's original verdict; the original answer may be gone),
    the decision and the note, and after "Needs changes" a way to send the revised draft.
    `note_elsewhere`: a version for a channel thread, which leaves the draft and the note
    out and points to the DM."""
    status = escalation.status
    lead = {
        "approved": "✅ The PIO approved your draft: you may post it as written.",
        "changes_requested": "✏️ The PIO asks for changes before you post.",
        "rejected": "⛔ The PIO decided this must not be posted.",
    }.get(status, f"Your request is now {outcome_label(status)}.")
    lines = [
        f"{lead} (request #{escalation.id}, decided by <@{escape(escalation.reviewer_id or '')}>)"
    ]
    original = verdict_title(escalation.decision.verdict)
    if note_elsewhere:
        lines.append(f"My original answer was *{original}*.")
        if escalation.note:
            lines.append("The reviewer's note is in your direct messages with me.")
    else:
        if escalation.draft_text:
            start = clip_escaped(" ".join(escalation.draft_text.split()), NOTICE_DRAFT_CHARS)
            lines.append(f"*Your draft:* “{start}”")
        lines.append(f"*My original answer:* {original}")
        if escalation.note:
            lines.append(
                "*Reviewer's note:*\n" + quote(clip_escaped(escalation.note, MAX_NOTE_CHARS))
            )
    text = "\n".join(lines)
    blocks: list[Block] = [section(text)]
    if status == "changes_requested" and not note_elsewhere:
        blocks.append(
            {
                "type": "actions",
                "block_id": "notice_actions",
                "elements": [
                    button(
                        "✏️ Send a revised draft",
                        ids.ACTION_SEND_REVISION,
                        str(escalation.id),
                        style="primary",
                    )
                ],
            }
        )
    return Message(text=clip(lead, MAX_FALLBACK_TEXT), blocks=blocks)


def revision_modal(escalation: Escalation) -> dict[str, Any]:
    """The form for the revised draft after "Needs changes", started from the old one."""
    return {
        "type": "modal",
        "callback_id": ids.MODAL_REVISION,
        "private_metadata": json.dumps({"id": escalation.id}),
        "title": plain("Revised draft", MAX_MODAL_TITLE),
        "submit": plain("Send to the PIO", MAX_MODAL_TITLE),
        "close": plain("Cancel", MAX_MODAL_TITLE),
        "blocks": [
            section(
                f"Edit your draft for request #{escalation.id}. I check the new version and "
                "send it to the PIO, who sees it as a new request."
            ),
            *(
                [section("*The reviewer asked:*\n" + quote(clip_escaped(escalation.note, 2000)))]
                if escalation.note
                else []
            ),
            {
                "type": "input",
                "block_id": ids.INPUT_DRAFT,
                "label": plain("Your revised draft", 2000),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": 3000,
                    "initial_value": escalation.draft_text[:3000],
                },
            },
        ],
    }


def note_modal(escalation_id: int, outcome: Outcome, *, channel_id: str | None) -> dict[str, Any]:
    """The form a reviewer fills in for "Needs changes" and "Do not post"."""
    label = "What should change?" if outcome == "changes_requested" else "Why not?"
    metadata = json.dumps({"id": escalation_id, "outcome": outcome, "channel": channel_id})
    return {
        "type": "modal",
        "callback_id": ids.MODAL_REVIEW_NOTE,
        "private_metadata": metadata,
        "title": plain(f"Request #{escalation_id}", MAX_MODAL_TITLE),
        "submit": plain(outcome_label(outcome).split(" ", 1)[1], MAX_MODAL_TITLE),
        "close": plain("Cancel", MAX_MODAL_TITLE),
        "blocks": [
            section(
                f"Your decision: *{outcome_label(outcome)}*. The officer sees your note in "
                "the thread or DM where they asked."
            ),
            {
                "type": "input",
                "block_id": ids.INPUT_REVIEW_NOTE,
                "label": plain(label, 2000),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": MAX_NOTE_CHARS,
                },
            },
        ],
    }


def reminder_message(escalation: Escalation, now: datetime) -> Message:
    age = age_text(escalation.created_at, now)
    text = (
        f"⏰ Request #{escalation.id} from <@{escape(escalation.requester_id)}> is still "
        f"waiting for a reviewer ({age})."
    )
    return Message(text=clip(text, MAX_FALLBACK_TEXT), blocks=[section(text)])


def home_sections(
    *,
    checks: Sequence[CheckRecord],
    open_requests: Sequence[Escalation],
    queue: Sequence[Escalation] | None,
    now: datetime,
    card_links: Mapping[int, str] | None = None,
    queue_total: int | None = None,
) -> list[Block]:
    """App Home blocks: the user's recent checks and open requests; the queue for reviewers.
    `card_links`: escalation id -> the card's permalink, where Slack gave one.
    `queue_total`: how many cases are pending in all (the queue shows the oldest few)."""
    blocks: list[Block] = [divider(), header("Your recent checks")]
    if checks:
        # The technical footer answers leave out lives here: check id, policy, engine.
        lines = [
            f"• {verdict_title(c.verdict)} · via {escape(c.surface)} · "  # type: ignore[arg-type]
            f"{ago_text(c.created_at, now)} · _check #{c.id}, policy "
            f"`{escape(c.policy_version[:12])}`, engine {escape(c.engine)}_"
            for c in checks[:HOME_ITEMS]
        ]
        blocks.append(section("\n".join(lines)))
        blocks.append(context("Only the verdict is kept, never the text you checked."))
    else:
        blocks.append(context("No checks yet."))
    blocks.append(header("Your open review requests"))
    if not open_requests:
        blocks.append(context("None waiting."))
    for escalation in open_requests[:HOME_ITEMS]:
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*#{escalation.id}* · {verdict_title(escalation.decision.verdict)}"
                    f" · waiting {age_text(escalation.created_at, now)}",
                },
                "accessory": withdraw_button(escalation.id),
            }
        )
    if queue is not None:
        blocks.append(header("Review queue (oldest first)"))
        if not queue:
            blocks.append(context("Nothing is waiting for a reviewer. 🎉"))
        for escalation in queue[:QUEUE_ITEMS]:
            link = (card_links or {}).get(escalation.id)
            if link:
                where = f" · <{escape(link)}|open the card>"
            elif escalation.card_channel:
                where = f" · card in <#{escape(escalation.card_channel)}>"
            else:
                where = ""
            blocks.append(
                section(
                    f"*#{escalation.id}* from <@{escape(escalation.requester_id)}> · "
                    f"{verdict_title(escalation.decision.verdict)} · waiting "
                    f"*{age_text(escalation.created_at, now)}*{where}"
                )
            )
        total = max(len(queue), queue_total or 0)
        shown = min(len(queue), QUEUE_ITEMS)
        if total > shown:
            blocks.append(
                context(f"…and {total - shown} more (`canipost review list` shows them all).")
            )
    return blocks


def note_recording_modal(escalation_id: int, outcome: Outcome) -> dict[str, Any]:
    """What the note form turns into the moment it is sent, while the store records it."""
    return {
        "type": "modal",
        "callback_id": ids.MODAL_REVIEW_NOTE_DONE,
        "title": plain(f"Request #{escalation_id}", MAX_MODAL_TITLE),
        "close": plain("Close", MAX_MODAL_TITLE),
        "blocks": [section(f"⏳ Recording *{outcome_label(outcome)}* and telling the officer…")],
    }


def note_result_modal(
    escalation_id: int, text: str, *, applied: bool, note: str | None = None
) -> dict[str, Any]:
    """The note form's outcome: recorded, or why not, with the reviewer's note quoted back
    so nothing typed is lost. `text` is the app's own mrkdwn (it may mention the reviewer
    who decided); the note is the reviewer's, escaped."""
    blocks = [section(("✅ " if applied else "⚠️ ") + text)]
    if note and not applied:
        blocks.append(section("*Your note (copy it if you try again):*\n" + quote(escape(note))))
    return {
        "type": "modal",
        "callback_id": ids.MODAL_REVIEW_NOTE_DONE,
        "title": plain(f"Request #{escalation_id}", MAX_MODAL_TITLE),
        "close": plain("Close", MAX_MODAL_TITLE),
        "blocks": blocks,
    }


def revision_problem_modal(text: str) -> dict[str, Any]:
    """The revised-draft form's answer when the revision cannot be sent."""
    return {
        "type": "modal",
        "callback_id": ids.MODAL_REVIEW_NOTE_DONE,
        "title": plain("Revised draft", MAX_MODAL_TITLE),
        "close": plain("Close", MAX_MODAL_TITLE),
        "blocks": [section("⚠️ " + text)],  # the app's own mrkdwn
    }
