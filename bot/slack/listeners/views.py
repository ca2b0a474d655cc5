"""The `/canipost` form: validate on submit, answer by DM."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.core.models import Account, CheckRequest
from bot.slack import ids
from bot.slack.blocks import submitted_modal
from bot.slack.conversation import reply_to_message
from bot.slack.delivery import Direct
from bot.slack.deps import Deps
from bot.slack.outbox import deliver_answer
from bot.slack.pending import ReplyTarget


@dataclass(frozen=True)
class Form:
    draft: str
    account: Account
    incident: bool
    note: str | None
    channel_id: str | None


def read_form(view: dict[str, Any]) -> Form:
    values: dict[str, Any] = (view.get("state") or {}).get("values") or {}

    def field(block_id: str) -> dict[str, Any]:
        return (values.get(block_id) or {}).get("value") or {}

    def choice(block_id: str) -> str | None:
        return (field(block_id).get("selected_option") or {}).get("value")

    account = choice(ids.INPUT_ACCOUNT)
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        metadata = {}
    note = (field(ids.INPUT_NOTE).get("value") or "").strip()
    return Form(
        draft=field(ids.INPUT_DRAFT).get("value") or "",
        account="official" if account == "official" else "personal",
        incident=choice(ids.INPUT_INCIDENT) == "yes",
        note=note or None,
        channel_id=metadata.get("channel") if isinstance(metadata, dict) else None,
    )


def check_form(deps: Deps, client: WebClient, *, user_id: str, form: Form) -> None:
    request = CheckRequest(
        text=form.draft,
        account=form.account,
        incident=form.incident,
        surface="modal",
        user_id=user_id,
        channel_id=form.channel_id,
        note=form.note,
    )
    reply = reply_to_message(
        deps.service, deps.threads, client, request=request, reply=ReplyTarget(None)
    )
    deliver_answer(client, deps.service.store, Direct(user_id), reply, user_id=user_id)


def register(app: App, deps: Deps) -> None:
    @app.view(ids.MODAL_CHECK)
    def on_form_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        form = read_form(view)
        if not form.draft.strip():
            ack(response_action="errors", errors={ids.INPUT_DRAFT: "Paste the draft to check."})
            return
        ack(response_action="update", view=submitted_modal())
        deps.jobs.submit("form", check_form, deps, client, user_id=body["user"]["id"], form=form)
