"""The reviewers' buttons and note form, and the officer's Withdraw button."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.core.models import CheckRequest
from bot.slack import ids
from bot.slack.blocks import outcome_message, submitted_modal, text_message
from bot.slack.delivery import Direct, Ephemeral, open_view, publish_home, send
from bot.slack.deps import Deps
from bot.slack.listeners.actions import reply_to_clicker
from bot.slack.pending import ReplyTarget
from bot.slack.review import DAMAGED, REVISION_REASON, ReviewReply, parse_escalation_id
from bot.slack.review_blocks import DECISION_ACTIONS, note_modal, revision_modal
from bot.store.records import MAX_NOTE_CHARS, OUTCOMES, Escalation, Outcome

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
        # Checked before the form opens (the trigger lasts 3 s: a store read, a cached group).
        user_id = body["user"]["id"]
        escalation_id = parse_escalation_id(action.get("value"))
        refused = deps.review.precheck(client, escalation_id=escalation_id, user_id=user_id)
        if refused or escalation_id is None:
            send(client, _clicker(body), text_message(refused.text if refused else DAMAGED))
            return
        outcome = DECISION_ACTIONS[action["action_id"]]
        channel_id = _clicker(body).channel_id
        open_view(
            client, body["trigger_id"], note_modal(escalation_id, outcome, channel_id=channel_id)
        )

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
        # The store decides here, before the form closes, so a refused or late decision is
        # shown in the form itself; the Slack updates follow in the background.
        reply = deps.review.decide(
            client,
            escalation_id=escalation_id,
            reviewer_id=body["user"]["id"],
            outcome=outcome,
            note=note,
            publish=False,
        )
        if not reply.applied or reply.escalation is None:
            ack(response_action="errors", errors={ids.INPUT_REVIEW_NOTE: reply.text[:150]})
            return
        ack()
        deps.jobs.submit("review_publish", deps.review.publish_outcome, client, reply.escalation)

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
        found = deps.review.revisable(escalation_id=escalation_id, user_id=body["user"]["id"])
        if isinstance(found, ReviewReply):
            ack(response_action="errors", errors={ids.INPUT_DRAFT: found.text[:150]})
            return
        ack(response_action="update", view=submitted_modal())
        deps.jobs.submit(
            "revision", send_revision, deps, client, user_id=body["user"]["id"], original=found,
            draft=draft,
        )  # fmt: skip

    @app.action(ids.ACTION_REVIEW_WITHDRAW)
    def on_withdraw(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        deps.jobs.submit(
            "review_withdraw", withdraw, deps, client, body=body, value=action.get("value") or ""
        )
