"""A conversation an officer can trust, over signed HTTP against the fake Web API: a
question about the policy is answered from its passages (never "OK to post"), a thread
follow-up revises the thread's draft and the result is checked, and `/canipost` reads
Slack's escaping like every other surface."""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

import pytest
from conftest import REVIEW_CHANNEL, SlackHarness
from fake_slack import BOT_USER_ID, Call, dm_event

from bot.core.conversation import PreviousDraft, read_message, remove_spans
from bot.core.models import Finding

ARREST = "We arrested John Smith, 34, at 412 Oak St last night for burglary."
ARREST_NO_ADDRESS = "We arrested John Smith, 34, last night for burglary."
QUESTION = "What can I say about my job on my personal account?"
HARMLESS = "Join us for Coffee with a Cop this Saturday, 9-11am, at the public library!"

_ts = itertools.count(1)
_ids = itertools.count(1)


def new_ts() -> str:
    return f"{1_850_000_000 + next(_ts)}.000300"


@pytest.fixture
def slack(slack_server: SlackHarness) -> SlackHarness:
    return slack_server


def officer() -> str:
    """Ids unique in the session: the fake Slack server is shared by every test module."""
    return f"UCONV{next(_ids):05d}"


def channel() -> str:
    return f"CCONV{next(_ids):05d}"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def in_thread(channel: str, thread_ts: str) -> Any:
    return lambda c: c.body.get("channel") == channel and c.body.get("thread_ts") == thread_ts


def dm(slack: SlackHarness, user: str, text: str, *, thread_ts: str | None = None) -> Call:
    """Send a DM (in `thread_ts` when given) and return the bot's reply to it."""
    ts = new_ts()
    where = in_thread("D" + user, thread_ts or ts)
    before = len(slack.fake.calls("chat.postMessage", where))
    slack.sender.event(dm_event(user, text, ts=ts, thread_ts=thread_ts))
    return slack.fake.wait_for("chat.postMessage", where, count=before + 1)[-1]


def dm_thread(slack: SlackHarness, user: str, texts: list[str]) -> list[Call]:
    """A first DM and follow-ups in its thread; the bot's replies, in order."""
    first_ts = new_ts()
    slack.sender.event(dm_event(user, texts[0], ts=first_ts))
    replies = [slack.fake.wait_for("chat.postMessage", in_thread("D" + user, first_ts))[0]]
    for count, text in enumerate(texts[1:], start=2):
        slack.sender.event(dm_event(user, text, ts=new_ts(), thread_ts=first_ts))
        replies.append(
            slack.fake.wait_for("chat.postMessage", in_thread("D" + user, first_ts), count=count)[
                -1
            ]
        )
    return replies


def review_cards_from(slack: SlackHarness, user: str) -> list[Call]:
    return slack.fake.calls(
        "chat.postMessage",
        lambda c: c.body.get("channel") == REVIEW_CHANNEL and f"<@{user}>" in c.text_dump,
    )


# ------------------------------------------------------------------------------ questions


def test_a_policy_question_is_answered_from_the_policy_never_ok(slack: SlackHarness) -> None:
    user = officer()
    reply = dm(slack, user, QUESTION)
    assert reply.header() == "📘 What the policy says"
    assert "OK to post" not in reply.header() and "✅" not in reply.text_dump
    # The passages that answer it, quoted with their section numbers.
    assert "1058.6(a)" in reply.text_dump and "may mention their job" in reply.text_dump
    assert "haven't judged anything as OK to post" in reply.text_dump
    # Not a check: nothing recorded, nothing sent to the PIO.
    assert slack.store.recent_checks(user) == []
    assert review_cards_from(slack, user) == []


def test_a_question_that_names_a_victim_is_judged_like_a_draft(slack: SlackHarness) -> None:
    user = officer()
    reply = dm(slack, user, "Can I share that Maria Gonzalez, the victim, is at the hospital?")
    assert reply.header() == "⛔ Do not post"
    assert slack.store.recent_checks(user)[0].verdict == "do_not_post"


def test_small_talk_and_a_wrapped_draft(slack: SlackHarness) -> None:
    user = officer()
    thanks = dm(slack, user, "thanks!")
    assert thanks.header() is None and "paste a draft" in thanks.text_dump
    assert slack.store.recent_checks(user) == []
    wrapped = dm(slack, user, f"Can I post this: {HARMLESS}")
    assert wrapped.header() == "✅ OK to post"
    # The draft checked is the post, not the question around it.
    assert slack.store.recent_checks(user)[0].draft_sha256 == sha(HARMLESS)


# ------------------------------------------------------------------------------ follow-ups


def test_removing_the_address_from_an_arrest_post_is_still_not_cleared(
    slack: SlackHarness,
) -> None:
    user = officer()
    first, follow_up = dm_thread(slack, user, [ARREST, "What if I take out the address?"])
    assert first.header() == "⛔ Do not post"
    assert follow_up.header() == "⛔ Do not post"
    assert "I took out the address (“412 Oak St”)" in follow_up.text_dump
    assert f"> {ARREST_NO_ADDRESS}" in follow_up.text_dump
    assert "Tyler" not in follow_up.text_dump and "John Smith" in follow_up.text_dump
    checks = slack.store.recent_checks(user)
    assert [c.draft_sha256 for c in checks] == [sha(ARREST_NO_ADDRESS), sha(ARREST)]
    assert [c.verdict for c in checks] == ["do_not_post", "do_not_post"]


def test_follow_ups_chain_and_a_pasted_version_replaces_the_draft(slack: SlackHarness) -> None:
    user = officer()
    replies = dm_thread(
        slack,
        user,
        [ARREST, "take out the address", "and without the name?", HARMLESS, "remove the plate"],
    )
    assert [r.header() for r in replies[:2]] == ["⛔ Do not post", "⛔ Do not post"]
    assert "I took out the name (“John Smith”)" in replies[2].text_dump
    assert "412 Oak St" not in replies[2].text_dump.split("checked this version")[1]
    assert replies[2].header() != "✅ OK to post"
    assert replies[3].header() == "✅ OK to post"  # a pasted new version is a new draft
    # The pasted draft is now the thread's draft: it has no plate to take out.
    assert replies[4].header() is None
    assert "can't find the plate in your last draft" in replies[4].text_dump
    assert "Paste the new version" in replies[4].text_dump
    assert len(slack.store.recent_checks(user)) == 4


def test_a_follow_up_below_the_answer_in_a_dm_still_finds_the_draft(slack: SlackHarness) -> None:
    user = officer()
    dm(slack, user, ARREST)
    reply = dm(slack, user, "what if I remove the address?")  # top level, not in the thread
    assert reply.header() == "⛔ Do not post" and "I took out the address" in reply.text_dump


def test_a_follow_up_without_a_draft_asks_for_it(slack: SlackHarness) -> None:
    user = officer()
    reply = dm(slack, user, "What if I take out the address?")
    assert reply.header() is None
    assert "I don't have an earlier draft here to take the address out of" in reply.text_dump
    assert "Paste the new version" in reply.text_dump and "OK to post" not in reply.text_dump
    assert slack.store.recent_checks(user) == []
    rewrite = dm_thread(slack, user, [ARREST, "what if I reword it to sound friendlier?"])[1]
    assert rewrite.header() is None and "Paste the new version" in rewrite.text_dump


def test_a_mention_thread_follow_up_keeps_details_out_of_the_channel(
    slack: SlackHarness,
) -> None:
    user, where, ts = officer(), channel(), new_ts()

    def mention(text: str, event_ts: str, thread_ts: str | None = None) -> None:
        event = {"type": "app_mention", "user": user, "channel": where, "ts": event_ts,
                 "text": f"<@{BOT_USER_ID}> {text}", "event_ts": event_ts}  # fmt: skip
        if thread_ts:
            event["thread_ts"] = thread_ts
        slack.sender.event(event)

    mention(ARREST, ts)
    slack.fake.wait_for("chat.postMessage", in_thread(where, ts))
    mention("what if I take out the address?", new_ts(), thread_ts=ts)
    reply = slack.fake.wait_for("chat.postMessage", in_thread(where, ts), count=2)[1]
    assert reply.header() == "⛔ Do not post"
    assert "I took out the address from your last draft" in reply.text_dump
    for detail in ("John Smith", "412 Oak", "Smith"):
        assert detail not in reply.text_dump


# ------------------------------------------------------------------------------ /canipost


def test_slash_text_is_decoded_like_a_dm(slack: SlackHarness) -> None:
    draft = "Q&A with the chief tonight at 412 Oak St & the library. Bring <your> questions!"
    escaped = draft.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    dm_user, slash_user = officer(), officer()
    by_dm = dm(slack, dm_user, escaped)  # Slack escapes message text the same way
    key = slack.new_id("slashdec")
    slack.sender.command(escaped, user_id=slash_user, channel_id=channel(),
                         response_url=slack.fake.response_url(key))  # fmt: skip
    by_slash = slack.fake.wait_for("response_url", lambda c: c.path.endswith("/" + key))[0]
    assert by_slash.header() == by_dm.header() == "⛔ Do not post"
    dm_check, slash_check = (
        slack.store.recent_checks(dm_user)[0],
        slack.store.recent_checks(slash_user)[0],
    )
    assert dm_check.draft_sha256 == slash_check.draft_sha256 == sha(draft)
    assert "&amp;amp;" not in by_slash.text_dump and "&amp;lt;" not in by_slash.text_dump
    assert "412 Oak St" in by_slash.text_dump


def test_slash_question_gets_the_policy_not_a_verdict(slack: SlackHarness) -> None:
    user, key = officer(), slack.new_id("slashq")
    slack.sender.command(QUESTION, user_id=user, channel_id=channel(),
                         response_url=slack.fake.response_url(key))  # fmt: skip
    reply = slack.fake.wait_for("response_url", lambda c: c.path.endswith("/" + key))[0]
    assert reply.header() == "📘 What the policy says" and "1058.6(a)" in reply.text_dump


# ------------------------------------------------------------------------------ the reading


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (QUESTION, "question"),
        ("Am I allowed to post photos in uniform?", "question"),
        ("Is it ok to mention where I work?", "question"),
        ("Great turnout at the bike rodeo today!", "draft"),
        ("Who's coming to the bike rodeo Saturday?", "draft"),
        (f"Is this ok to post? {HARMLESS}", "draft"),
        (f"{HARMLESS} Is this ok to post?", "draft"),
        ("ok", "chatter"),
        ("thank you 🙏", "chatter"),
        ("take out the address", "needs_new_version"),
    ],
)
def test_what_a_message_is(text: str, kind: str) -> None:
    reading = read_message(text)
    assert reading.kind == kind
    if kind == "draft":
        assert reading.draft == HARMLESS or reading.draft == text


def test_revisions_take_out_the_named_detail() -> None:
    suspect = Finding("suspect_identity", "do_not_post", "m", "f", span=(3, 22))
    address = Finding("street_address", "revise", "m", "f", span=(31, 41))
    previous = PreviousDraft(ARREST, (suspect, address))
    cases = {
        "What if I take out the address?": "We arrested John Smith, 34, last night for burglary.",
        "what if I remove the name?": "We arrested, 34, at 412 Oak St last night for burglary.",
        "remove 'last night'": "We arrested John Smith, 34, at 412 Oak St for burglary.",
        "without the address and the name": "We arrested, 34, last night for burglary.",
        "no address": ARREST_NO_ADDRESS,
    }
    for text, revised in cases.items():
        reading = read_message(text, previous)
        assert (reading.kind, reading.draft) == ("revision", revised), text
    missing = read_message("take out the phone number", previous)
    assert (missing.kind, missing.problem, missing.detail) == (
        "needs_new_version",
        "not_found",
        "phone number",
    )
    assert read_message("what if I reword it?", previous).kind == "needs_new_version"
    assert remove_spans("Call us at 555-1234 today.", [(11, 19)]) == "Call us today."


def test_thread_drafts_expire_and_stay_bounded() -> None:
    from bot.slack.conversation import ThreadDrafts, ThreadKey

    now = [0.0]
    threads = ThreadDrafts(ttl_seconds=60, max_chars=30, clock=lambda: now[0])
    key = ThreadKey("C1", "1.0", "U1")
    threads.put(key, PreviousDraft("x" * 20))
    assert threads.get(key) == PreviousDraft("x" * 20)
    assert threads.get(ThreadKey("C1", "1.0", "U2")) is None  # someone else's thread draft
    now[0] = 61.0
    assert threads.get(key) is None
    threads.put(ThreadKey("D1", "2.0", "U1"), PreviousDraft("y" * 10))
    assert threads.get(ThreadKey("D1", "3.0", "U1")) == PreviousDraft("y" * 10)  # DM: latest
    threads.put(ThreadKey("C1", "4.0", "U1"), PreviousDraft("z" * 25))  # over max_chars
    assert len(threads) == 1
