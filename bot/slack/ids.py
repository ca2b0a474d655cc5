"""Names shared by the manifest, the listeners and the block builders."""

from __future__ import annotations

from typing import Literal

COMMAND = "/canipost"
SHORTCUT_CHECK = "check_this_post"
MODAL_CHECK = "canipost_check"
MODAL_SECTION = "canipost_section"

ACTION_ASK_REVIEWER = "ask_reviewer"
ACTION_SHOW_SECTION = "show_section"
ACTION_PICK_SECTION = "show_section_pick"
ACTION_SHOW_POLICY = "show_policy"
ACTION_FEEDBACK = "feedback"  # feedback_buttons in a context_actions block: "up:<id>"
ACTION_FEEDBACK_UP = "feedback_up"  # older answers' plain buttons, value "<id>"
ACTION_FEEDBACK_DOWN = "feedback_down"

# The review loop: buttons on the reviewers' card and on the officer's notice / App Home.
ACTION_REVIEW_APPROVE = "review_approve"
ACTION_REVIEW_CHANGES = "review_changes"
ACTION_REVIEW_REJECT = "review_reject"
ACTION_REVIEW_WITHDRAW = "review_withdraw"
ACTION_SEND_REVISION = "send_revision"
MODAL_REVISION = "canipost_revision"
MODAL_REVIEW_NOTE = "canipost_review_note"
MODAL_REVIEW_NOTE_DONE = "canipost_review_note_done"  # the form after it was sent
INPUT_REVIEW_NOTE = "review_note"

# Block ids of the check modal's inputs (each input's action_id is "value").
INPUT_DRAFT = "draft"
INPUT_ACCOUNT = "account"
INPUT_INCIDENT = "incident"
INPUT_NOTE = "note"

# What CheckRequest.surface (and the store's `surface` column) says for each entry point.
Surface = Literal["assistant", "dm", "mention", "slash", "modal", "shortcut", "revision"]

SUGGESTED_PROMPTS: tuple[tuple[str, str], ...] = (
    (
        "Can I post this photo?",
        "Can I post this photo? (Describe it: who and what is in it, where and when it was "
        "taken, and the caption you want to use.)",
    ),
    (
        "Can I comment on a case in the news?",
        "Can I comment on a case in the news? Here is what I want to write:",
    ),
    (
        "What can I say on my personal account?",
        "What can I say about my job on my personal account?",
    ),
)

# A suggested prompt sent as is carries no draft yet: these ask for it instead of checking
# the prompt's own words. Prompts not listed here are checked like any question.
PROMPT_FOLLOW_UPS: dict[str, str] = {
    SUGGESTED_PROMPTS[0][1]: (
        "📷 Tell me about the photo: who and what is in it (faces, uniforms, vehicles, "
        "plates, screens, documents), where and when it was taken, and paste the caption you "
        "want to use. I'll check it all against the policy."
    ),
    SUGGESTED_PROMPTS[1][1]: (
        "📰 Paste what you'd like to write about the case, exactly as you'd post it, and say "
        "which account you'd use. I'll check it against the policy."
    ),
}
