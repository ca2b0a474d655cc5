"""The review loop after a case is queued: decisions, withdrawals, reminders, App Home.

`ReviewService` is what the Slack buttons, the note form, the scheduler and the
`canipost review decide` command share, so the rules are applied in one place: only
reviewers decide, never on their own request, and the store's conditional update makes
the first decision the only one. Every Slack call is best effort after the store has
spoken: a card that cannot be updated is logged, never a lost decision.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.config import Settings
from bot.slack.blocks import Block, Message, home_view
from bot.slack.delivery import Direct, InThread, post_message, send, update_message
from bot.slack.incidents import Reviewers
from bot.slack.logsetup import describe_exception
from bot.slack.review_blocks import (
    card_for,
    home_sections,
    officer_notice,
    outcome_label,
    reminder_message,
)
from bot.store import Store, StoreError
from bot.store.records import MAX_NOTE_CHARS, Escalation, Outcome

log = logging.getLogger(__name__)

NOT_A_REVIEWER = "Only reviewers (the PIO and their deputies) can decide on review requests."
DAMAGED = "That button is damaged (it carries no request number); nothing changed."
STORE_DOWN = (
    "⚠️ Your decision could not be recorded (the database did not answer). Nothing changed; "
    "please try again in a minute."
)


@dataclass(frozen=True)
class ReviewReply:
    """What the person who clicked (or ran the command) is told, and whether it applied."""

    applied: bool
    text: str
    escalation: Escalation | None = None


def parse_escalation_id(value: object) -> int | None:
    """A button value or CLI argument as an escalation id; None when it is not one."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


class ReviewService:
    def __init__(self, *, settings: Settings, store: Store, reviewers: Reviewers) -> None:
        self.settings = settings
        self.store = store
        self.reviewers = reviewers

    # ---------------------------------------------------------------- who may act

    def precheck(
        self, client: WebClient | None, *, escalation_id: int | None, user_id: str
    ) -> ReviewReply | None:
        """Why `user_id` cannot decide this case now (None when they can): used before the
        note form opens, so nobody writes a note for a click that would be refused."""
        if escalation_id is None:
            return ReviewReply(False, DAMAGED)
        if not self.reviewers.is_reviewer(user_id, client):
            return ReviewReply(False, NOT_A_REVIEWER)
        try:
            escalation = self.store.get_escalation(escalation_id)
        except StoreError as exc:
            log.error("review: get_escalation failed: %s", describe_exception(exc))
            return ReviewReply(False, STORE_DOWN)
        if escalation is None:
            return ReviewReply(False, f"There is no review request #{escalation_id}.")
        if escalation.requester_id == user_id:
            return ReviewReply(False, "You can't decide your own request; another reviewer will.")
        if not escalation.is_pending:
            return ReviewReply(False, _closed_text(escalation), escalation)
        return None

    # ---------------------------------------------------------------- decisions

    def decide(
        self,
        client: WebClient | None,
        *,
        escalation_id: int | None,
        reviewer_id: str,
        outcome: Outcome,
        note: str | None = None,
        publish: bool = True,
    ) -> ReviewReply:
        """Record a decision once, then (with `publish`) update the card and tell the
        officer. `client` also resolves REVIEWER_GROUP_ID; None means REVIEWER_IDS only."""
        note = (note or "").strip() or None
        if note and len(note) > MAX_NOTE_CHARS:
            return ReviewReply(
                False, f"The note is {len(note):,} characters; keep it under {MAX_NOTE_CHARS:,}."
            )
        refused = self.precheck(client, escalation_id=escalation_id, user_id=reviewer_id)
        if refused:
            return refused
        assert escalation_id is not None
        try:
            result = self.store.decide(
                escalation_id, reviewer_id=reviewer_id, outcome=outcome, note=note
            )
        except (StoreError, ValueError) as exc:
            log.error("review %s: decide failed: %s", escalation_id, describe_exception(exc))
            return ReviewReply(False, STORE_DOWN)
        escalation = result.escalation
        if not result.applied:
            if result.reason == "self_review":
                text = "You can't decide your own request; another reviewer will."
            elif result.reason == "not_found" or escalation is None:
                text = f"There is no review request #{escalation_id}."
            else:
                text = _closed_text(escalation)
            return ReviewReply(False, text, escalation)
        assert escalation is not None
        log.info("review %s: %s by %s", escalation.id, escalation.status, reviewer_id)
        if client is not None and publish:
            self.publish_outcome(client, escalation)
        return ReviewReply(
            True, f"Recorded: request #{escalation.id} {outcome_label(outcome)}.", escalation
        )

    def withdraw(
        self, client: WebClient | None, *, escalation_id: int | None, requester_id: str
    ) -> ReviewReply:
        if escalation_id is None:
            return ReviewReply(False, DAMAGED)
        try:
            result = self.store.withdraw(escalation_id, requester_id=requester_id)
        except StoreError as exc:
            log.error("review %s: withdraw failed: %s", escalation_id, describe_exception(exc))
            return ReviewReply(False, STORE_DOWN)
        escalation = result.escalation
        if not result.applied:
            if result.reason == "not_found" or escalation is None:
                return ReviewReply(False, f"There is no review request #{escalation_id}.")
            if result.reason == "not_requester":
                return ReviewReply(False, "Only the officer who asked can withdraw a request.")
            return ReviewReply(False, _closed_text(escalation), escalation)
        log.info("review %s: withdrawn by the requester", escalation.id)
        if client is not None:
            self._update_card(client, escalation)
        return ReviewReply(
            True, f"↩️ Request #{escalation.id} withdrawn; the reviewers can see that.", escalation
        )

    def publish_outcome(self, client: WebClient, escalation: Escalation) -> bool:
        """Show a decided case on its card and tell the officer where they asked. In a
        channel thread only the outcome is posted; the reviewer's note goes by DM, since a
        note may repeat details of the draft. True when the officer was told."""
        self._update_card(client, escalation)
        notice = officer_notice(escalation)
        channel = escalation.reply_channel
        in_channel = bool(channel) and not str(channel).startswith("D")
        if channel and in_channel:
            short = officer_notice(escalation, note_elsewhere=True)
            send(client, InThread(channel, escalation.reply_thread_ts), short)
        delivered = None
        if channel and not in_channel:
            delivered = send(client, InThread(channel, escalation.reply_thread_ts), notice)
        if delivered is None:
            delivered = send(client, Direct(escalation.requester_id), notice)
        if delivered is None:
            log.error("review %s: the officer could not be notified", escalation.id)
        return delivered is not None

    def _update_card(self, client: WebClient, escalation: Escalation) -> None:
        if not (escalation.card_channel and escalation.card_ts):
            return
        card = card_for(escalation)
        if not update_message(client, escalation.card_channel, escalation.card_ts, card):
            # The card stays stale, so say the outcome under it instead.
            post_message(
                client,
                escalation.card_channel,
                Message(text=card.text, blocks=[card.blocks[1]]),
                thread_ts=escalation.card_ts,
            )

    # ---------------------------------------------------------------- reminders

    def send_reminders(self, client: WebClient, *, now: datetime | None = None) -> int:
        """Re-announce cases pending longer than REVIEW_REMINDER_MINUTES. The store claims
        each due case for exactly one caller, so several instances never repeat a reminder."""
        older_than = timedelta(minutes=self.settings.review_reminder_minutes)
        due = self.store.claim_due_reminders(older_than=older_than, now=now)
        at = now or self.store.now()
        for escalation in due:
            if escalation.card_channel and escalation.card_ts:
                post_message(
                    client,
                    escalation.card_channel,
                    reminder_message(escalation, at),
                    thread_ts=escalation.card_ts,
                    broadcast=True,
                )
            elif self.settings.review_channel_id:  # the first card never made it: post it now
                announce(client, self.store, self.settings.review_channel_id, escalation)
        if due:
            log.info("review: %d reminder(s) sent", len(due))
        return len(due)

    # ---------------------------------------------------------------- App Home

    def home(self, client: WebClient, *, user_id: str, policy_version: str) -> dict[str, object]:
        extra: list[Block] = []
        try:
            now = self.store.now()
            checks = self.store.recent_checks(user_id, limit=10)
            mine = self.store.list_escalations(status="pending", requester_id=user_id, limit=10)
            queue = None
            if self.reviewers.is_reviewer(user_id, client):
                queue = self.store.list_escalations(status="pending", limit=26, oldest_first=True)
            extra = home_sections(checks=checks, open_requests=mine, queue=queue, now=now)
        except StoreError as exc:
            log.error("app home: store unavailable: %s", describe_exception(exc))
        return home_view(
            user_id=user_id,
            policy_version=policy_version,
            retention_days=self.settings.retention_days,
            extra_blocks=extra,
        )


def announce(client: WebClient, store: Store, channel: str, escalation: Escalation) -> bool:
    """Post the card for a case to the review channel and remember where."""
    ts = post_message(client, channel, card_for(escalation))
    if not ts:
        return False
    try:
        store.set_card(escalation.id, channel, ts)
    except StoreError as exc:
        log.error("review %s: set_card failed: %s", escalation.id, describe_exception(exc))
    return True


def _closed_text(escalation: Escalation) -> str:
    if escalation.status == "withdrawn":
        return f"Request #{escalation.id} was withdrawn by the officer; nothing to decide."
    who = f"<@{escalation.reviewer_id}>" if escalation.reviewer_id else "someone"
    label = outcome_label(escalation.status)
    return f"Request #{escalation.id} was already decided by {who}: {label}."


def notify_from_cli(settings: Settings, store: Store, escalation: Escalation) -> str:
    """After `canipost review decide`: update the card and tell the officer, if Slack is
    configured. Returns one line for the terminal."""
    if not settings.slack_bot_token:
        return "SLACK_BOT_TOKEN is not set: the card and the officer were not updated in Slack."
    from bot.slack.app import make_web_client

    client = make_web_client(settings)
    service = ReviewService(
        settings=settings,
        store=store,
        reviewers=Reviewers(settings.reviewer_ids, settings.reviewer_group_id),
    )
    try:
        told = service.publish_outcome(client, escalation)
    except (SlackApiError, SlackClientError, OSError) as exc:
        told = False
        log.warning("review %s: Slack update failed: %s", escalation.id, type(exc).__name__)
    if not told:
        return "Slack could not be reached to notify the officer; tell them directly."
    return "The card was updated and the officer notified in Slack."
