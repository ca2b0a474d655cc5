"""The reviewers' buttons and note form, and the officer's Withdraw button."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.core.models import CheckRequest
from bot.slack import ids
from bot.slack.blocks import outcome_message, submitted_modal, text_message
from bot.slack.delivery import Direct, Ephemeral, open_view, publish_home, send
from bot.slack.deps import Deps
from bot.slack.listeners.actions import reply_to_clicker
from bot.slack.logsetup import describe_exception
from bot.slack.pending import ReplyTarget
from bot.slack.review import (
    DAMAGED,
    NOT_A_REVIEWER,
    REVISION_REASON,
    ReviewReply,
    parse_escalation_id,
)
from bot.slack.review_blocks import (
    DECISION_ACTIONS,
    note_modal,
    note_recording_modal,
    note_result_modal,
    revision_modal,
    revision_problem_modal,
)
from bot.store.records import MAX_NOTE_CHARS, OUTCOMES, Escalation, Outcome

log = logging.getLogger(__name__)

NOTE_FAILED = (
    "Something went wrong and your decision was not recorded. Nothing changed; try again "
    "from the card in a moment."
)
FORM_NOT_OPENED = "Slack did not open the form; press the button again."
WITH_NOTE = re.compile(f"^({ids.ACTION_REVIEW_CHANGES}|{ids.ACTION_REVIEW_REJECT})$")


def _clicker(body: dict[str, Any]) -> Ephemeral:
    channel_id = (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get(
        "id"
    )
    return Ephemeral(body["user"]["id"], channel_id, body.get("response_url"))


def approve(deps: Deps, client: WebClient, *, body: dict[str, Any], value: str) -> None:
    reply = deps.review.decide(
        client,
        escalation_id=parse_escalation_id(value),
        reviewer_id=body["user"]["id"],
        outcome="approved",
    )
    send(client, _clicker(body), text_message(reply.text))


def withdraw(deps: Deps, client: WebClient, *, body: dict[str, Any], value: str) -> None:
    user_id = body["user"]["id"]
    reply = deps.review.withdraw(
        client, escalation_id=parse_escalation_id(value), requester_id=user_id
    )
    if (body.get("container") or {}).get("type") == "view":  # clicked in App Home
        view = deps.review.home(
            client, user_id=user_id, policy_version=deps.service.engine.policy_version
        )
        publish_home(client, user_id, view)
    send(client, reply_to_clicker(body), text_message(reply.text))


def send_revision(
    deps: Deps, client: WebClient, *, user_id: str, original: Escalation, draft: str
) -> None:
    """Check the revised draft and send it to the reviewers as a new request; the answer
    comes by DM, like the `/canipost` form's."""
    request = CheckRequest(
        text=draft,
        account=original.decision.account,
        incident=original.decision.incident,
        surface="revision",
        user_id=user_id,
        channel_id=original.asked_in,
    )
    outcome = deps.service.run_check(
        client,
        request,
        reply=ReplyTarget(None),
        escalate_reason=REVISION_REASON.format(id=original.id),
    )
    send(client, Direct(user_id), outcome_message(outcome))


def _show_in_form(
    client: WebClient, view_id: str | None, view: dict[str, Any], fallback: Any, text: str
) -> None:
    """Replace the open form with `view`; when that fails (the form was closed), say `text`
    to the user at `fallback` instead, so an answer always reaches them."""
    if view_id:
        try:
            client.views_update(view_id=view_id, view=view)
            return
        except (SlackApiError, SlackClientError, OSError) as exc:
            log.info("slack: views.update failed (%s); telling the user by message", exc)
    send(client, fallback, text_message(text))


def _open_form(client: WebClient, trigger_id: str, view: dict[str, Any]) -> str | None:
    """views.open; the opened view's id, or None (logged) when Slack did not open it."""
    try:
        response = client.views_open(trigger_id=trigger_id, view=view)
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.warning("slack: views.open failed: %s", exc)
        return None
    return str((response.get("view") or {}).get("id") or "") or None


def precheck_form(
    deps: Deps, client: WebClient, *, view_id: str, user_id: str, escalation_id: int
) -> None:
    """After the note form opened: when the case cannot be decided (already decided, the
    reviewer's own request, gone, database down), the form says so instead of asking for
    a note that would be refused."""
    refused = deps.review.precheck(client, escalation_id=escalation_id, user_id=user_id)
    if refused is not None:
        view = note_result_modal(escalation_id, refused.text, applied=False)
        _show_in_form(client, view_id, view, Direct(user_id), refused.text)


def record_note(
    deps: Deps,
    client: WebClient,
    *,
    view_id: str | None,
    reviewer_id: str,
    channel_id: str | None,
    escalation_id: int,
    outcome: Outcome,
    note: str,
) -> None:
    """After the note form was acknowledged: record the decision, show the reviewer how
    it went in the same form, then update the card and tell the officer."""
    fallback = Ephemeral(reviewer_id, channel_id, None) if channel_id else Direct(reviewer_id)
    try:
        reply = deps.review.decide(
            client,
            escalation_id=escalation_id,
            reviewer_id=reviewer_id,
            outcome=outcome,
            note=note,
            publish=False,
        )
    except Exception as exc:  # never leave the reviewer looking at "Recording..."
        log.error("review %s: decide failed: %s", escalation_id, describe_exception(exc))
        reply = ReviewReply(False, NOTE_FAILED, reason="error")
    applied = reply.applied and reply.escalation is not None
    view = note_result_modal(escalation_id, reply.text, applied=applied, note=note)
    _show_in_form(client, view_id, view, fallback, reply.text)
    if applied and reply.escalation is not None:
        deps.review.publish_outcome(client, reply.escalation)


def check_revision(
    deps: Deps,
    client: WebClient,
    *,
    view_id: str | None,
    user_id: str,
    escalation_id: int | None,
    draft: str,
) -> None:
    """After the revised-draft form was acknowledged: find the case, then check and send."""
    found = deps.review.revisable(escalation_id=escalation_id, user_id=user_id)
    if isinstance(found, ReviewReply):
        _show_in_form(client, view_id, revision_problem_modal(found.text), Direct(user_id),
                      found.text)  # fmt: skip
        return
    send_revision(deps, client, user_id=user_id, original=found, draft=draft)


def read_note_form(view: dict[str, Any]) -> tuple[int | None, Outcome | None, str]:
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        metadata = {}
    if not isinstance(metadata, dict):
        metadata = {}
    outcome = metadata.get("outcome")
    values = (view.get("state") or {}).get("values") or {}
    note = ((values.get(ids.INPUT_REVIEW_NOTE) or {}).get("value") or {}).get("value") or ""
    return (
        parse_escalation_id(metadata.get("id")),
        outcome if outcome in OUTCOMES else None,
        note.strip(),
    )


def _note_channel(view: dict[str, Any]) -> str | None:
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return None
    channel = metadata.get("channel") if isinstance(metadata, dict) else None
    return channel if isinstance(channel, str) and channel else None


def register(app: App, deps: Deps) -> None:
    @app.action(ids.ACTION_REVIEW_APPROVE)
    def on_approve(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        deps.jobs.submit(
            "review_approve", approve, deps, client, body=body, value=action.get("value") or ""
        )

    @app.action(WITH_NOTE)
    def on_decide_with_note(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        # The trigger lasts 3 s, so the form opens before the store is read: only the
        # checks that need no database (a damaged button, not a reviewer) keep it closed.
        user_id = body["user"]["id"]
        escalation_id = parse_escalation_id(action.get("value"))
        if escalation_id is None or not deps.reviewers.is_reviewer(user_id, client):
            text = DAMAGED if escalation_id is None else NOT_A_REVIEWER
            send(client, _clicker(body), text_message(text))
            return
        outcome = DECISION_ACTIONS[action["action_id"]]
        channel_id = _clicker(body).channel_id
        view_id = _open_form(
            client, body["trigger_id"], note_modal(escalation_id, outcome, channel_id=channel_id)
        )
        if view_id is None:
            send(client, _clicker(body), text_message(FORM_NOT_OPENED))
            return
        deps.jobs.submit(
            "review_precheck", precheck_form, deps, client, view_id=view_id, user_id=user_id,
            escalation_id=escalation_id,
        )  # fmt: skip

    @app.view(ids.MODAL_REVIEW_NOTE)
    def on_note_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        escalation_id, outcome, note = read_note_form(view)
        if escalation_id is None or outcome is None:
            ack(response_action="errors", errors={ids.INPUT_REVIEW_NOTE: "This form is damaged; "
                "close it and press the button on the card again."})  # fmt: skip
            return
        if not note:
            ack(
                response_action="errors",
                errors={ids.INPUT_REVIEW_NOTE: "Write a note for the officer."},
            )
            return
        if len(note) > MAX_NOTE_CHARS:
            ack(
                response_action="errors",
                errors={
                    ids.INPUT_REVIEW_NOTE: f"Keep the note under {MAX_NOTE_CHARS:,} characters."
                },
            )
            return
        # Ack first: the store (which may be slow) decides in the background, and the form
        # then shows what happened (recorded, refused, already decided, database down).
        ack(response_action="update", view=note_recording_modal(escalation_id, outcome))
        deps.jobs.submit(
            "review_note", record_note, deps, client, view_id=view.get("id"),
            reviewer_id=body["user"]["id"], channel_id=_note_channel(view),
            escalation_id=escalation_id, outcome=outcome, note=note,
        )  # fmt: skip

    @app.action(ids.ACTION_SEND_REVISION)
    def on_send_revision(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        # One store read, then views.open at once: the trigger lasts 3 s.
        found = deps.review.revisable(
            escalation_id=parse_escalation_id(action.get("value")), user_id=body["user"]["id"]
        )
        if isinstance(found, ReviewReply):
            send(client, reply_to_clicker(body), text_message(found.text))
            return
        open_view(client, body["trigger_id"], revision_modal(found))

    @app.view(ids.MODAL_REVISION)
    def on_revision_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        values = (view.get("state") or {}).get("values") or {}
        draft = ((values.get(ids.INPUT_DRAFT) or {}).get("value") or {}).get("value") or ""
        try:
            metadata = json.loads(view.get("private_metadata") or "{}")
        except ValueError:
            metadata = {}
        escalation_id = parse_escalation_id(
            metadata.get("id") if isinstance(metadata, dict) else None
        )
        if not draft.strip():
            ack(response_action="errors", errors={ids.INPUT_DRAFT: "Paste the revised draft."})
            return
        # Ack first; the case is read (and the draft checked) in the background.
        ack(response_action="update", view=submitted_modal())
        deps.jobs.submit(
            "revision", check_revision, deps, client, view_id=view.get("id"),
            user_id=body["user"]["id"], escalation_id=escalation_id, draft=draft,
        )  # fmt: skip

    @app.action(ids.ACTION_REVIEW_WITHDRAW)
    def on_withdraw(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        deps.jobs.submit(
            "review_withdraw", withdraw, deps, client, body=body, value=action.get("value") or ""
        )
