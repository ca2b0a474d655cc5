"""The review loop after a case is queued: decisions, withdrawals, reminders, App Home.

`ReviewService` is what the Slack buttons, the note form, the scheduler and the
`canipost review decide` command share, so the rules are applied in one place: only
reviewers decide, never on their own request, and the store's conditional update makes
the first decision the only one. Every Slack call is best effort after the store has
spoken: a card that cannot be updated is logged, never a lost decision.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.config import Settings
from bot.slack.blocks import (
    SECTION_CHUNK,
    Block,
    Message,
    card_draft_is_shortened,
    context,
    home_view,
    plain_section,
    text_message,
)
from bot.slack.client import make_web_client
from bot.slack.delivery import (
    Direct,
    InThread,
    find_posted,
    post_message,
    send,
    update_message,
)
from bot.slack.files import Photo
from bot.slack.incidents import Reviewers
from bot.slack.logsetup import describe_exception
from bot.slack.review_blocks import (
    QUEUE_ITEMS,
    card_for,
    home_sections,
    officer_notice,
    outcome_label,
    reminder_message,
)
from bot.slack.text import chunks
from bot.store import Store, StoreError
from bot.store.records import MAX_NOTE_CHARS, Escalation, Outcome

log = logging.getLogger(__name__)

MAX_PERMALINKS = 1_000  # card permalinks remembered for App Home
MAX_DRAFT_PARTS = 15  # a 40,000-character draft in the card's thread

NOT_A_REVIEWER = "Only reviewers (the PIO and their deputies) can decide on review requests."
DAMAGED = "That button is damaged (it carries no request number); nothing changed."
STORE_DOWN = (
    "⚠️ Your decision could not be recorded (the database did not answer). Nothing changed; "
    "please try again in a minute."
)
STORE_DOWN_WITHDRAW = (
    "⚠️ Your request could not be withdrawn (the database did not answer). Please try again "
    "in a minute, or tell the PIO directly."
)
OWN_REQUEST = "You can't decide your own request; another reviewer will."
STORE_DOWN_REVISION = (
    "⚠️ I couldn't open your request (the database did not answer). Please try again in a "
    "minute, or paste the revised draft to me by direct message."
)
REVISION_REASON = "revised draft after request #{id} (needs changes)"


# Why a decision or withdrawal did not apply, beyond the store's own DecideReason:
#   damaged        the button or argument carries no usable request number
#   not_reviewer   the person is neither in REVIEWER_IDS nor in REVIEWER_GROUP_ID
#   note_too_long  the note is over MAX_NOTE_CHARS
#   note_required  "Needs changes" and "Do not post" need a note for the officer
#   store_down     the database did not answer (after the store's own retries)
#   closed         already decided or withdrawn (see escalation)


@dataclass(frozen=True)
class ReviewReply:
    """What the person who clicked (or ran the command) is told, and whether it applied.
    `reason` says why it did not apply (None when it did); `notified` whether the officer
    was told in Slack (None when no Slack update was attempted)."""

    applied: bool
    text: str
    escalation: Escalation | None = None
    reason: str | None = None
    notified: bool | None = None


@dataclass(frozen=True)
class PurgeReport:
    """What a purge did: drafts blanked, and the review cards that now say so. `unchanged`
    lists the cases whose card could not be updated (or, without a Slack client, was not
    tried) and so may still show the draft in the reviewers' channel."""

    purged: int
    cards_updated: int = 0
    unchanged: tuple[int, ...] = ()


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
        self._permalinks: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- who may act

    def precheck(
        self, client: WebClient | None, *, escalation_id: int | None, user_id: str
    ) -> ReviewReply | None:
        """Why `user_id` cannot decide this case now (None when they can): used before the
        note form opens, so nobody writes a note for a click that would be refused."""
        if escalation_id is None:
            return ReviewReply(False, DAMAGED, reason="damaged")
        if not self.reviewers.is_reviewer(user_id, client):
            return ReviewReply(False, NOT_A_REVIEWER, reason="not_reviewer")
        try:
            escalation = self.store.get_escalation(escalation_id)
        except StoreError as exc:
            log.error("review: get_escalation failed: %s", describe_exception(exc))
            return ReviewReply(False, STORE_DOWN, reason="store_down")
        if escalation is None:
            return ReviewReply(False, _missing(escalation_id), reason="not_found")
        if escalation.requester_id == user_id:
            return ReviewReply(False, OWN_REQUEST, escalation, reason="self_review")
        if not escalation.is_pending:
            return ReviewReply(False, _closed_text(escalation), escalation, reason="closed")
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
        officer. The Slack buttons, the note form and `canipost review decide` all come
        here. `client` also resolves REVIEWER_GROUP_ID; None means REVIEWER_IDS only."""
        note = (note or "").strip() or None
        if note and len(note) > MAX_NOTE_CHARS:
            text = f"The note is {len(note):,} characters; keep it under {MAX_NOTE_CHARS:,}."
            return ReviewReply(False, text, reason="note_too_long")
        if outcome != "approved" and not note:
            return ReviewReply(False, "Write a note for the officer.", reason="note_required")
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
            return ReviewReply(False, STORE_DOWN, reason="store_down")
        escalation = result.escalation
        if not result.applied:
            if result.reason == "self_review":
                return ReviewReply(False, OWN_REQUEST, escalation, reason="self_review")
            if result.reason == "not_found" or escalation is None:
                return ReviewReply(False, _missing(escalation_id), reason="not_found")
            return ReviewReply(False, _closed_text(escalation), escalation, reason="closed")
        assert escalation is not None
        log.info("review %s: %s by %s", escalation.id, escalation.status, reviewer_id)
        notified = None
        if client is not None and publish:
            notified = self.publish_outcome(client, escalation)
        text = f"Recorded: request #{escalation.id} {outcome_label(outcome)}."
        return ReviewReply(True, text, escalation, notified=notified)

    def withdraw(
        self, client: WebClient | None, *, escalation_id: int | None, requester_id: str
    ) -> ReviewReply:
        if escalation_id is None:
            return ReviewReply(False, DAMAGED, reason="damaged")
        try:
            result = self.store.withdraw(escalation_id, requester_id=requester_id)
        except StoreError as exc:
            log.error("review %s: withdraw failed: %s", escalation_id, describe_exception(exc))
            return ReviewReply(False, STORE_DOWN_WITHDRAW, reason="store_down")
        escalation = result.escalation
        if not result.applied:
            if result.reason == "not_found" or escalation is None:
                return ReviewReply(False, _missing(escalation_id), reason="not_found")
            if result.reason == "not_requester":
                text = "Only the officer who asked can withdraw a request."
                return ReviewReply(False, text, escalation, reason="not_requester")
            return ReviewReply(False, _closed_text(escalation), escalation, reason="closed")
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
        shorter = card_for(escalation, compact=True)
        if not update_message(
            client, escalation.card_channel, escalation.card_ts, card, shorter=shorter
        ):
            # The card stays stale, so say the outcome under it instead.
            post_message(
                client,
                escalation.card_channel,
                Message(text=card.text, blocks=[card.blocks[1]]),
                thread_ts=escalation.card_ts,
            )

    def revisable(self, *, escalation_id: int | None, user_id: str) -> Escalation | ReviewReply:
        """The case whose "Send a revised draft" button `user_id` pressed, or why not."""
        if escalation_id is None:
            return ReviewReply(False, DAMAGED, reason="damaged")
        try:
            escalation = self.store.get_escalation(escalation_id)
        except StoreError as exc:
            log.error("review: get_escalation failed: %s", describe_exception(exc))
            return ReviewReply(False, STORE_DOWN_REVISION, reason="store_down")
        if escalation is None:
            return ReviewReply(False, _missing(escalation_id), reason="not_found")
        if escalation.requester_id != user_id:
            text = "Only the officer who asked can send a revised draft for this request."
            return ReviewReply(False, text, escalation, reason="not_requester")
        return escalation

    # ---------------------------------------------------------------- retention

    def purge(self, client: WebClient | None, *, older_than_days: int) -> PurgeReport:
        """Blank the drafts past the cut-off (0: all of them) and replace each posted card
        with one that says the draft was deleted. Raises StoreError if the store fails."""
        cases = self.store.purge_cases(older_than_days=older_than_days)
        updated, unchanged = 0, []
        for case in cases:
            if not (case.card_channel and case.card_ts):
                continue
            if client is not None and update_message(
                client, case.card_channel, case.card_ts, card_for(case)
            ):
                updated += 1
            else:
                unchanged.append(case.id)
        if unchanged:
            log.warning(
                "purge: %d review card(s) not updated, they may still show the draft: %s",
                len(unchanged),
                ", ".join(f"#{case_id}" for case_id in unchanged),
            )
        return PurgeReport(len(cases), updated, tuple(unchanged))

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
                channel = self.settings.review_channel_id
                announce(client, self.store, channel, escalation, look_first=True)
        if due:
            log.info("review: %d reminder(s) sent", len(due))
        return len(due)

    # ---------------------------------------------------------------- App Home

    def _card_links(self, client: WebClient, cases: list[Escalation]) -> dict[int, str]:
        """Permalinks to the cards (chat.getPermalink, remembered: a permalink never
        changes). One failure stops the lookups for this view; the channel is shown then."""
        links: dict[int, str] = {}
        for case in cases:
            if not (case.card_channel and case.card_ts):
                continue
            key = (case.card_channel, case.card_ts)
            link = self._permalinks.get(key)
            if link is None:
                try:
                    response = client.chat_getPermalink(channel=key[0], message_ts=key[1])
                    link = str(response.get("permalink") or "")
                except (SlackApiError, SlackClientError, OSError) as exc:
                    log.info("app home: no permalink for a card (%s)", type(exc).__name__)
                    break
                if not link:
                    continue
                with self._lock:
                    if len(self._permalinks) >= MAX_PERMALINKS:
                        self._permalinks.pop(next(iter(self._permalinks)))
                    self._permalinks[key] = link
            links[case.id] = link
        return links

    def home(self, client: WebClient, *, user_id: str, policy_version: str) -> dict[str, object]:
        extra: list[Block] = []
        try:
            now = self.store.now()
            checks = self.store.recent_checks(user_id, limit=10)
            mine = self.store.list_escalations(status="pending", requester_id=user_id, limit=10)
            queue = None
            waiting = 0
            links: dict[int, str] = {}
            if self.reviewers.is_reviewer(user_id, client):
                queue = self.store.list_escalations(
                    status="pending", limit=QUEUE_ITEMS, oldest_first=True
                )
                waiting = len(queue)
                if waiting == QUEUE_ITEMS:
                    waiting = self.store.count_escalations(status="pending")
                links = self._card_links(client, queue)
            extra = home_sections(
                checks=checks, open_requests=mine, queue=queue, now=now, card_links=links,
                queue_total=waiting if queue is not None else None,
            )  # fmt: skip
        except StoreError as exc:
            log.error("app home: store unavailable: %s", describe_exception(exc))
        return home_view(
            user_id=user_id,
            policy_version=policy_version,
            retention_days=self.settings.retention_days,
            extra_blocks=extra,
        )


def card_key(escalation: Escalation) -> str:
    """The delivery key of a case's review card: one card per case, however often posted.
    The creation time keeps it apart from a case of the same number in another database
    (a reset, a test install) posting to the same channel."""
    return f"card:{escalation.id}:{escalation.created_at.timestamp():.6f}"


def announce(
    client: WebClient,
    store: Store,
    channel: str,
    escalation: Escalation,
    *,
    look_first: bool = False,
    photo: Photo | None = None,
) -> bool:
    """Post the card for a case to the review channel and remember where. `look_first`:
    a card may already be there (its post was not confirmed): find it instead. Slack
    refusing the full card (`msg_blocks_too_long`) gets the compact one; a draft too long
    for the card follows in the card's thread, whole, and so does the officer's photo."""
    key = card_key(escalation)
    ts = find_posted(client, channel, key) if look_first else None
    shorter = card_for(escalation, compact=True, photo=photo is not None)
    full = card_for(escalation, photo=photo is not None)
    ts = ts or post_message(client, channel, full, key=key, shorter=shorter)
    if not ts:
        return False
    if photo is not None:
        upload_photo(client, channel, ts, photo, escalation.id)
    if card_draft_is_shortened(escalation.draft_text):
        pieces = chunks(escalation.draft_text, SECTION_CHUNK)
        for number, piece in enumerate(pieces[:MAX_DRAFT_PARTS], start=1):
            label = f"Full draft of request #{escalation.id}, part {number} of {len(pieces)}"
            post_message(
                client,
                channel,
                Message(text=label, blocks=[context(label), plain_section(piece)]),
                thread_ts=ts,
            )
    try:
        store.set_card(escalation.id, channel, ts)
    except StoreError as exc:
        log.error("review %s: set_card failed: %s", escalation.id, describe_exception(exc))
    return True


def upload_photo(
    client: WebClient, channel: str, thread_ts: str, photo: Photo, escalation_id: int
) -> bool:
    """The officer's photo in the card's thread, for the PIO (needs `files:write`). The
    bytes go from memory to Slack; nothing is written to this server's disk."""
    try:
        client.files_upload_v2(
            channel=channel,
            thread_ts=thread_ts,
            content=photo.data,
            filename=photo.name or "photo",
            title=f"Photo of review request #{escalation_id}",
        )
        return True
    except (SlackApiError, SlackClientError, OSError) as exc:
        code = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
        log.warning("review %s: photo upload failed: %s", escalation_id, code)
        post_message(
            client,
            channel,
            text_message(
                f"⚠️ The photo of request #{escalation_id} could not be attached here; ask "
                "the officer to send it to you directly."
            ),
            thread_ts=thread_ts,
        )
        return False


def _missing(escalation_id: int) -> str:
    return f"There is no review request #{escalation_id}."


def _closed_text(escalation: Escalation) -> str:
    if escalation.status == "withdrawn":
        return f"Request #{escalation.id} was withdrawn by the officer; nothing to decide."
    who = f"<@{escalation.reviewer_id}>" if escalation.reviewer_id else "someone"
    label = outcome_label(escalation.status)
    return f"Request #{escalation.id} was already decided by {who}: {label}."


def purge_from_cli(settings: Settings, store: Store, *, older_than_days: int) -> PurgeReport:
    """`canipost purge`: the same purge as the app's daily one; with SLACK_BOT_TOKEN set
    the review cards are updated too."""
    client: WebClient | None = None
    if settings.slack_bot_token:
        from bot.slack.app import make_web_client

        client = make_web_client(settings)
    service = ReviewService(
        settings=settings,
        store=store,
        reviewers=Reviewers(settings.reviewer_ids, settings.reviewer_group_id),
    )
    return service.purge(client, older_than_days=older_than_days)


def decide_from_cli(
    settings: Settings,
    store: Store,
    *,
    escalation_id: int,
    reviewer_id: str,
    outcome: Outcome,
    note: str | None,
) -> tuple[ReviewReply, str | None]:
    """`canipost review decide`: the same `ReviewService.decide` as the Slack buttons. With
    SLACK_BOT_TOKEN set, the card is updated and the officer told (and members of
    REVIEWER_GROUP_ID count as reviewers); without it only the store changes. Returns the
    reply and, when the decision applied, one line about Slack for the terminal."""
    client: WebClient | None = None
    if settings.slack_bot_token:
        client = make_web_client(settings)
    service = ReviewService(
        settings=settings,
        store=store,
        reviewers=Reviewers(settings.reviewer_ids, settings.reviewer_group_id),
    )
    try:
        reply = service.decide(
            client, escalation_id=escalation_id, reviewer_id=reviewer_id, outcome=outcome,
            note=note,
        )  # fmt: skip
    except (SlackApiError, SlackClientError, OSError) as exc:  # delivery helpers catch these
        log.warning("review %s: Slack update failed: %s", escalation_id, type(exc).__name__)
        escalation = store.get_escalation(escalation_id)
        text = f"Recorded: request #{escalation_id}."
        reply = ReviewReply(True, text, escalation, notified=False)
    if not reply.applied:
        return reply, None
    if client is None:
        line = (
            "SLACK_BOT_TOKEN is not set: the officer was not notified in Slack and the card "
            "was not updated; tell them directly."
        )
    elif reply.notified:
        line = "The card was updated and the officer notified in Slack."
    else:
        line = "Slack could not be reached to notify the officer; tell them directly."
    return reply, line
