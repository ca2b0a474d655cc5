"""Answers that Slack did not take are kept in the store and sent again later.

`deliver_answer` is how a listener's job sends the answer to a check: `send` (which
already retries within seconds and never doubles a post), and when every route failed,
the answer goes to the `outbox` table with its delivery key. `retry_outbox` (run by the
housekeeping loop, in whichever instance claims the row) sends it again with the same key,
so a post Slack kept after all is found and not repeated; a restart loses nothing, since
the row is in the database. After OUTBOX_DELAYS are used up the officer is told plainly,
by DM, that the answer could not be delivered, and the row is deleted. Undelivered answers
may quote the draft: the retention purge deletes them with the drafts.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient

from bot.slack.blocks import Message, text_message
from bot.slack.delivery import (
    Delivered,
    Destination,
    Direct,
    Ephemeral,
    InThread,
    find_posted,
    open_dm,
    send,
    send_dm,
)
from bot.slack.logsetup import describe_exception
from bot.store import Store, StoreError

log = logging.getLogger(__name__)

# Waits before the 2nd, 3rd ... attempt from the outbox (the first is the answer itself).
OUTBOX_DELAYS = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
)
GAVE_UP = (
    "⚠️ I checked your draft{where}, but Slack would not take my answer, though I tried "
    "{attempts} times over {minutes} minutes. Nothing was posted for you. Please send the "
    "draft again, or ask the PIO directly if it is urgent."
)


def encode_destination(destination: Destination) -> dict[str, Any]:
    kind = {InThread: "thread", Ephemeral: "ephemeral", Direct: "direct"}[type(destination)]
    return {"kind": kind, **asdict(destination)}


def decode_destination(data: dict[str, Any]) -> Destination:
    fields = {k: v for k, v in data.items() if k != "kind"}
    cls = {"thread": InThread, "ephemeral": Ephemeral, "direct": Direct}[data["kind"]]
    return cls(**fields)  # type: ignore[no-any-return]


def deliver_answer(
    client: WebClient,
    store: Store,
    destination: Destination,
    message: Message,
    *,
    user_id: str | None,
) -> Delivered | None:
    """Send the answer; if Slack takes it by no route, keep it in the outbox."""
    key = uuid.uuid4().hex
    delivered = send(client, destination, message, key=key)
    if delivered is not None:
        return delivered
    try:
        item_id = store.add_to_outbox(
            destination=encode_destination(destination),
            message={"text": message.text, "blocks": message.blocks},
            delivery_key=key,
            user_id=user_id,
            retry_at=store.now() + OUTBOX_DELAYS[0],
        )
    except StoreError as exc:
        log.error("answer lost: not delivered and not kept (%s)", describe_exception(exc))
        return None
    log.warning(
        "answer not delivered: kept in the outbox as %s, retry in %ss",
        item_id,
        int(OUTBOX_DELAYS[0].total_seconds()),
    )
    return None


def retry_outbox(client: WebClient, store: Store, *, now: datetime | None = None) -> int:
    """One pass over the due answers; returns how many were delivered."""
    delivered = 0
    for item in store.claim_outbox(now=now):
        destination = decode_destination(item.destination)
        message = Message(text=item.message["text"], blocks=item.message["blocks"])
        if already_posted(client, destination, item.delivery_key):
            store.remove_from_outbox(item.id)
            delivered += 1
            log.info("outbox %s: Slack had kept it after all; not sent again", item.id)
            continue
        if send(client, destination, message, key=item.delivery_key) is not None:
            store.remove_from_outbox(item.id)
            delivered += 1
            log.info("outbox %s: delivered on attempt %d", item.id, item.attempts + 1)
            continue
        attempts = item.attempts + 1
        if attempts <= len(OUTBOX_DELAYS):
            at = (now or store.now()) + OUTBOX_DELAYS[attempts - 1]
            store.outbox_retry_later(item.id, attempts=attempts, retry_at=at)
            log.warning("outbox %s: attempt %d failed, next at %s", item.id, attempts, at)
            continue
        told = tell_officer(client, item.user_id, destination, attempts)
        store.remove_from_outbox(item.id)
        log.error(
            "outbox %s: given up after %d attempts; officer %s",
            item.id,
            attempts,
            "told" if told else "could not be told either",
        )
    return delivered


def already_posted(client: WebClient, destination: Destination, key: str) -> bool:
    """Did Slack keep an earlier attempt (one that failed without saying)? Ephemeral
    answers leave no trace to look for."""
    if isinstance(destination, InThread):
        found = find_posted(client, destination.channel_id, key, thread_ts=destination.thread_ts)
        return found is not None
    if isinstance(destination, Direct):
        channel = open_dm(client, destination.user_id)
        return channel is not None and find_posted(client, channel, key) is not None
    return False


def tell_officer(
    client: WebClient, user_id: str | None, destination: Destination, attempts: int
) -> bool:
    if not user_id:
        return False
    channel = getattr(destination, "channel_id", None)
    where = f" in <#{channel}>" if channel and not channel.startswith("D") else ""
    minutes = int(sum(d.total_seconds() for d in OUTBOX_DELAYS) // 60)
    notice = text_message(GAVE_UP.format(where=where, attempts=attempts, minutes=minutes))
    return send_dm(client, user_id, notice) is not None
