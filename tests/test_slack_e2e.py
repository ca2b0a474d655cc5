"""End to end, over real HTTP: the app as `serve()` runs it (gunicorn, gthread) in a
subprocess, signed requests for every surface, and the fake Slack Web API recording what
Slack would receive."""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from typing import Any

import pytest
from conftest import INCIDENT_CHANNEL, REVIEW_CHANNEL, REVIEWER, SlackHarness
from fake_slack import BOT_ID, BOT_USER_ID, Call, dm_event, feedback_value, find_actions
from sqlalchemy import select

from bot.slack import ids
from bot.store.schema import feedback

HARMLESS = "Join us for Coffee with a Cop this Saturday, 9-11am, at the public library!"
VICTIM = "The victim, Maria Gonzalez, was assaulted at 41 Oak Avenue last night."
REVISE = "Great turnout at the bike rodeo today, thanks to everyone at 12 Elm Street!"
CRITICAL = "Shots fired downtown, stay away from Main and 3rd."

_ts = itertools.count(1)


def new_ts() -> str:
    return f"{1_800_000_000 + next(_ts)}.000200"


@pytest.fixture
def slack(slack_server: SlackHarness) -> SlackHarness:
    return slack_server


def mention(user: str, channel: str, text: str, ts: str) -> dict[str, Any]:
    return {
        "type": "app_mention",
        "user": user,
        "channel": channel,
        "text": f"<@{BOT_USER_ID}> {text}",
        "ts": ts,
        "event_ts": ts,
    }


def block_action(
    slack: SlackHarness,
    user: str,
    channel: str,
    element: dict[str, Any],
    *,
    key: str,
    selected: dict[str, Any] | None = None,
    ephemeral: bool = True,
    message_ts: str | None = None,
) -> dict[str, Any]:
    action = {
        "action_id": element["action_id"],
        "block_id": "answer_actions",
        "type": element["type"],
        "action_ts": "1.2",
    }
    if "value" in element:
        action["value"] = element["value"]
    if selected:
        action["selected_option"] = selected
    return {
        "type": "block_actions",
        "user": {"id": user, "username": "officer"},
        "container": {
            "type": "message",
            "message_ts": message_ts or new_ts(),
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        },
        "trigger_id": slack.sender.next_id("trig."),
        "channel": {"id": channel, "name": "general"},
        "response_url": slack.fake.response_url(key),
        "actions": [action],
    }


def to_channel(channel: str) -> Any:
    return lambda call: call.body.get("channel") == channel


def at_url(key: str) -> Any:
    return lambda call: call.path.endswith("/" + key)


def element(call: Call, action_id: str) -> dict[str, Any]:
    return next(e for e in find_actions(call.blocks) if e["action_id"] == action_id)


def slash(slack: SlackHarness, text: str, user: str, channel: str) -> Call:
    key = slack.new_id("slash")
    reply = slack.sender.command(
        text, user_id=user, channel_id=channel, response_url=slack.fake.response_url(key)
    )
    assert reply.status == 200 and reply.body == b""
    return slack.fake.wait_for("response_url", at_url(key))[0]


# ------------------------------------------------------------------------------ transport


def test_forged_and_stale_requests_get_401(slack: SlackHarness) -> None:
    body = json.dumps({"type": "event_callback", "event": {"type": "app_mention"}}).encode()
    forged = slack.sender.post(body, "application/json", signature="v0=" + "0" * 64)
    stale = slack.sender.post(body, "application/json", timestamp=int(time.time()) - 301)
    assert (forged.status, stale.status) == (401, 401)


def test_url_verification_and_ssl_check(slack: SlackHarness) -> None:
    challenge = slack.sender.post_json(
        {"type": "url_verification", "token": "t", "challenge": "c-123"}
    )
    assert challenge.status == 200 and challenge.json()["challenge"] == "c-123"
    ssl = slack.sender.post_form({"ssl_check": "1", "token": "t"}, signature="v0=unsigned")
    assert ssl.status == 200


# ------------------------------------------------------------------------------ messages


def test_dm_is_answered_in_its_thread_with_citations(slack: SlackHarness) -> None:
    user, ts = slack.user(), new_ts()
    reply = slack.sender.event(dm_event(user, HARMLESS, ts=ts))
    assert reply.status == 200
    call = slack.fake.wait_for("chat.postMessage", to_channel("D" + user))[0]
    assert call.body["thread_ts"] == ts
    assert call.header() == "✅ OK to post"
    assert "§ 1058.3(a)" in call.text_dump and "Employees may share community" in call.text_dump
    assert {e["action_id"] for e in find_actions(call.blocks)} >= {
        ids.ACTION_ASK_REVIEWER,
        ids.ACTION_SHOW_POLICY,
        ids.ACTION_FEEDBACK,
    }
    feedback = next(b for b in call.blocks if b["type"] == "context_actions")
    assert feedback["elements"][0]["type"] == "feedback_buttons"
    assert "Machine-generated" in call.text_dump
    record = slack.store.recent_checks(user)[0]
    assert record.surface == "dm" and record.verdict == "ok"
    assert record.draft_sha256 == hashlib.sha256(HARMLESS.encode()).hexdigest()


def test_dm_shows_the_flagged_words_privately(slack: SlackHarness) -> None:
    user = slack.user()
    slack.sender.event(dm_event(user, VICTIM, ts=new_ts()))
    call = slack.fake.wait_for("chat.postMessage", to_channel("D" + user))[0]
    assert call.header() == "⛔ Do not post"
    assert "Maria Gonzalez" in call.text_dump and "Change:" in call.text_dump


def test_messages_tab_greets_with_prompts_once(slack: SlackHarness) -> None:
    user = slack.user()
    channel = "D" + user
    opened = {"type": "app_home_opened", "user": user, "channel": channel, "tab": "messages"}
    assert slack.sender.event(opened).status == 200
    prompts = slack.fake.wait_for(
        "assistant.threads.setSuggestedPrompts", lambda c: c.body["channel_id"] == channel
    )[0]
    assert prompts.error is None and "thread_ts" not in prompts.body  # set for the tab
    assert [p["title"] for p in prompts.body["prompts"]] == [t for t, _ in ids.SUGGESTED_PROMPTS]
    welcome = slack.fake.wait_for("chat.postMessage", to_channel(channel))[0]
    assert "thread_ts" not in welcome.body and "Paste the post" in welcome.text_dump
    assert "Machine-generated" in welcome.text_dump
    # Opened again: the prompts again, the greeting not.
    slack.sender.event(opened)
    slack.fake.wait_for(
        "assistant.threads.setSuggestedPrompts", lambda c: c.body["channel_id"] == channel, count=2
    )
    slack.sender.event(dm_event(user, HARMLESS, ts=(sentinel := new_ts())))
    slack.fake.wait_for("chat.postMessage", lambda c: c.body.get("thread_ts") == sentinel)
    assert len(slack.fake.calls("chat.postMessage", lambda c: "Paste the post" in c.text_dump
                                and to_channel(channel)(c))) == 1  # fmt: skip


def test_dm_thread_gets_status_answer_and_title(slack: SlackHarness) -> None:
    user, ts = slack.user(), new_ts()
    channel = "D" + user
    slack.sender.event(dm_event(user, CRITICAL, ts=ts))
    answer = slack.fake.wait_for("chat.postMessage", to_channel(channel))[0]
    status = slack.fake.wait_for(
        "assistant.threads.setStatus", lambda c: c.body["channel_id"] == channel
    )[0]
    assert status.error is None and status.at < answer.at and status.body["thread_ts"] == ts
    assert status.body["loading_messages"]
    assert answer.body["thread_ts"] == ts
    assert answer.header() == "🧑‍⚖️ A reviewer should decide"
    # needs_review is escalated automatically, and the answer says so.
    assert "sent it to the PIO (request #" in answer.text_dump
    assert ids.ACTION_ASK_REVIEWER not in {e["action_id"] for e in find_actions(answer.blocks)}
    title = slack.fake.wait_for(
        "assistant.threads.setTitle", lambda c: c.body["channel_id"] == channel
    )[0]
    assert title.error is None and title.body["thread_ts"] == ts
    assert title.body["title"] == "🧑‍⚖️ A reviewer should decide · draft check"
    card = slack.fake.wait_for(
        "chat.postMessage",
        lambda c: to_channel(REVIEW_CHANNEL)(c) and CRITICAL in c.text_dump and user in c.text_dump,
    )[0]
    escalation = slack.store.list_escalations(requester_id=user)[0]
    assert (escalation.reply_channel, escalation.reply_thread_ts) == (channel, ts)
    assert (escalation.card_channel, escalation.card_ts) == (REVIEW_CHANNEL, card.response["ts"])
    assert escalation.draft_text == CRITICAL and escalation.surface == "dm"


def test_app_home_is_published(slack: SlackHarness) -> None:
    user = slack.user()
    slack.sender.event({"type": "app_home_opened", "user": user, "tab": "home", "channel": "D1"})
    view = slack.fake.wait_for("views.publish", lambda c: c.body["user_id"] == user)[0]
    assert view.body["view"]["type"] == "home" and "/canipost" in view.text_dump


def test_mention_in_a_channel_answers_in_thread_without_the_details(slack: SlackHarness) -> None:
    user, channel, ts = slack.user(), slack.channel(), new_ts()
    slack.sender.event(mention(user, channel, VICTIM, ts))
    call = slack.fake.wait_for("chat.postMessage", to_channel(channel))[0]
    assert call.body["thread_ts"] == ts and call.header() == "⛔ Do not post"
    status = slack.fake.calls(
        "assistant.threads.setStatus", lambda c: c.body["channel_id"] == channel
    )
    assert status and status[0].body["thread_ts"] == ts and status[0].at < call.at
    for detail in ("Maria", "Gonzalez", "41 Oak"):
        assert detail not in call.text_dump
    assert "direct message" in call.text_dump and "1058.10(a)" in call.text_dump


def test_mention_in_an_incident_channel(slack: SlackHarness) -> None:
    user, ts = slack.user(), new_ts()
    text = "Can I share that Maria Gonzalez, the victim, is at the hospital?"
    slack.sender.event(mention(user, INCIDENT_CHANNEL, text, ts))
    call = slack.fake.wait_for("chat.postMessage", lambda c: c.body.get("thread_ts") == ts)[0]
    assert call.body["channel"] == INCIDENT_CHANNEL
    assert "Maria" not in call.text_dump and "Gonzalez" not in call.text_dump
    assert "statements about the incident go through the PIO" in call.text_dump
    assert slack.store.recent_checks(user)[0].surface == "mention"


def test_retried_event_is_answered_once(slack: SlackHarness) -> None:
    user, ts = slack.user(), new_ts()
    event = dm_event(user, HARMLESS, ts=ts)
    assert slack.sender.event(event, event_id="EvRETRY1").status == 200
    slack.fake.wait_for("chat.postMessage", lambda c: c.body.get("thread_ts") == ts)
    retry = slack.sender.event(event, event_id="EvRETRY1", retry_num=1)
    assert retry.status == 200
    sentinel = new_ts()
    slack.sender.event(dm_event(user, HARMLESS, ts=sentinel))
    slack.fake.wait_for("chat.postMessage", lambda c: c.body.get("thread_ts") == sentinel)
    assert len(slack.fake.calls("chat.postMessage", lambda c: c.body.get("thread_ts") == ts)) == 1


def test_bot_messages_are_ignored(slack: SlackHarness) -> None:
    user = slack.user()
    own, other, edited, sentinel = new_ts(), new_ts(), new_ts(), new_ts()
    mine = {**dm_event(BOT_USER_ID, VICTIM, ts=own), "channel": "D" + user, "bot_id": BOT_ID}
    bot = {**dm_event("UOTHERBOT", VICTIM, ts=other), "bot_id": "BOTHER", "subtype": "bot_message"}
    changed = {**dm_event(user, VICTIM, ts=edited), "subtype": "message_changed"}
    for event in (mine, bot, changed):
        assert slack.sender.event(event).status == 200
    bot_mention = {**mention("UOTHERBOT", slack.channel(), VICTIM, new_ts()), "bot_id": "BOTHER"}
    assert slack.sender.event(bot_mention).status == 200
    slack.sender.event(dm_event(user, HARMLESS, ts=sentinel))
    slack.fake.wait_for("chat.postMessage", lambda c: c.body.get("thread_ts") == sentinel)
    answered = {c.body.get("thread_ts") for c in slack.fake.calls("chat.postMessage")}
    assert not answered & {own, other, edited, bot_mention["ts"]}


def test_empty_mention_gets_the_input_problem(slack: SlackHarness) -> None:
    user, channel, ts = slack.user(), slack.channel(), new_ts()
    slack.sender.event({**mention(user, channel, "", ts), "text": f"<@{BOT_USER_ID}>"})
    call = slack.fake.wait_for("chat.postMessage", to_channel(channel))[0]
    assert "the draft is empty" in call.body["text"]


# ------------------------------------------------------------------------------ /canipost


def test_slash_command_answers_ephemerally(slack: SlackHarness) -> None:
    user, channel = slack.user(), slack.channel()
    call = slash(slack, REVISE, user, channel)
    assert call.body["response_type"] == "ephemeral"
    assert call.header() == "✏️ Revise before posting"
    assert "1058.13(b)" in call.text_dump
    assert not slack.fake.calls("chat.postMessage", to_channel(channel))


def test_technical_footer_only_for_admins_and_in_app_home(slack: SlackHarness) -> None:
    officer, channel = slack.user(), slack.channel()
    plain_answer = slash(slack, REVISE, officer, channel)
    admin_answer = slash(slack, REVISE, REVIEWER, channel)
    assert "Policy version" not in plain_answer.text_dump
    assert "engine: local" not in plain_answer.text_dump
    assert "Policy version" in admin_answer.text_dump and "confidence" in admin_answer.text_dump
    slack.sender.event({"type": "app_home_opened", "user": officer, "tab": "home"})
    home = slack.fake.wait_for("views.publish", lambda c: c.body["user_id"] == officer)[0]
    check = slack.store.recent_checks(officer)[0]
    assert f"check #{check.id}, policy `{check.policy_version[:12]}`, engine local" in (
        home.text_dump
    )


def test_slash_help_is_the_ack_itself(slack: SlackHarness) -> None:
    reply = slack.sender.command(
        "help", user_id=slack.user(), channel_id="C1", response_url=slack.fake.response_url("h")
    )
    assert reply.status == 200 and "How to use CanIPost" in reply.text


def test_slash_without_text_opens_the_form_and_answers_by_dm(slack: SlackHarness) -> None:
    user = slack.user()
    trigger = slack.sender.next_id("trig.form.")
    reply = slack.sender.command(
        "",
        user_id=user,
        channel_id=INCIDENT_CHANNEL,
        response_url=slack.fake.response_url("f"),
        trigger_id=trigger,
    )
    assert reply.status == 200
    opened = slack.fake.wait_for("views.open", lambda c: c.body["trigger_id"] == trigger)[0]
    view = opened.body["view"]
    assert view["callback_id"] == ids.MODAL_CHECK
    incident = next(b for b in view["blocks"] if b.get("block_id") == ids.INPUT_INCIDENT)
    assert incident["element"]["initial_option"]["value"] == "yes"

    def state(draft: str) -> dict[str, Any]:
        return {
            "values": {
                ids.INPUT_DRAFT: {"value": {"type": "plain_text_input", "value": draft}},
                ids.INPUT_ACCOUNT: {"value": {"selected_option": {"value": "official"}}},
                ids.INPUT_INCIDENT: {"value": {"selected_option": {"value": "no"}}},
                ids.INPUT_NOTE: {"value": {"value": "for the weekend post"}},
            }
        }

    def submit(draft: str) -> Any:
        payload = {
            "type": "view_submission",
            "user": {"id": user},
            "trigger_id": slack.sender.next_id("trig."),
            "view": {**view, "id": "V1", "state": state(draft)},
        }
        return slack.sender.interaction(payload)

    empty = submit("   ")
    assert empty.json() == {
        "response_action": "errors",
        "errors": {ids.INPUT_DRAFT: "Paste the draft to check."},
    }
    done = submit(HARMLESS)
    assert done.json()["response_action"] == "update"
    answer = slack.fake.wait_for("chat.postMessage", to_channel("D" + user.lstrip("U")))[0]
    assert answer.header() == "✅ OK to post" and "thread_ts" not in answer.body
    assert slack.fake.calls("conversations.open", lambda c: c.body["users"] == user)
    assert slack.store.recent_checks(user)[0].surface == "modal"


def test_slash_review_escalates_directly(slack: SlackHarness) -> None:
    user, channel = slack.user(), slack.channel()
    call = slash(slack, f"review {HARMLESS} #{user}", user, channel)
    assert "Sent to the PIO (request #" in call.text_dump
    assert "in a direct message from me" in call.text_dump
    escalation = slack.store.list_escalations(requester_id=user)[0]
    assert escalation.reason == "/canipost review" and escalation.reply_channel == "D" + user[1:]
    slack.fake.wait_for(
        "chat.postMessage", lambda c: to_channel(REVIEW_CHANNEL)(c) and user in c.text_dump
    )


def test_incident_mode_needs_a_reviewer(slack: SlackHarness) -> None:
    channel = slack.channel()
    refused = slash(slack, "incident on", slack.user(), channel)
    assert "Only reviewers" in refused.text_dump
    announced = slash(slack, "incident on", REVIEWER, channel)
    assert announced.body["response_type"] == "in_channel"
    assert "Incident mode is *on*" in announced.text_dump
    user, ts = slack.user(), new_ts()
    slack.sender.event(mention(user, channel, HARMLESS, ts))
    reply = slack.fake.wait_for("chat.postMessage", lambda c: c.body.get("thread_ts") == ts)[0]
    assert "statements about the incident go through the PIO" in reply.text_dump
    off = slash(slack, "incident off", REVIEWER, channel)
    assert "*off*" in off.text_dump
    assert "*off*" in slash(slack, "incident", slack.user(), channel).text_dump


# ------------------------------------------------------------------------------ shortcut


def shortcut_payload(slack: SlackHarness, user: str, channel: str, text: str, key: str) -> Any:
    return {
        "type": "message_action",
        "callback_id": ids.SHORTCUT_CHECK,
        "trigger_id": slack.sender.next_id("trig."),
        "user": {"id": user, "name": "officer"},
        "channel": {"id": channel, "name": "general"},
        "message": {"type": "message", "user": "USOMEONE", "ts": new_ts(), "text": text},
        "message_ts": new_ts(),
        "response_url": slack.fake.response_url(key),
    }


def test_message_shortcut_answers_privately(slack: SlackHarness) -> None:
    user, channel, key = slack.user(), slack.channel(), slack.new_id("sc")
    reply = slack.sender.interaction(shortcut_payload(slack, user, channel, VICTIM, key))
    assert reply.status == 200
    call = slack.fake.wait_for("response_url", at_url(key))[0]
    assert call.body["response_type"] == "ephemeral" and call.header() == "⛔ Do not post"
    assert slack.store.recent_checks(user)[0].surface == "shortcut"


def test_message_shortcut_falls_back_to_ephemeral_then_dm(slack: SlackHarness) -> None:
    user, channel, key = slack.user(), slack.channel(), slack.new_id("sc")
    slack.fake.fail("response_url", "expired_url", where=at_url(key))
    slack.fake.fail("chat.postEphemeral", "channel_not_found", where=to_channel(channel))
    slack.sender.interaction(shortcut_payload(slack, user, channel, HARMLESS, key))
    dm = slack.fake.wait_for("chat.postMessage", to_channel("D" + user[1:]))[0]
    assert dm.header() == "✅ OK to post"
    assert slack.fake.calls("chat.postEphemeral", to_channel(channel))


# ------------------------------------------------------------------------------ buttons


def test_ask_a_reviewer_button(slack: SlackHarness) -> None:
    user, channel = slack.user(), slack.channel()
    answer = slash(slack, REVISE, user, channel)
    button = element(answer, ids.ACTION_ASK_REVIEWER)
    assert REVISE not in json.dumps(button)
    key = slack.new_id("ask")
    payload = block_action(slack, user, channel, button, key=key)
    assert slack.sender.interaction(payload).status == 200
    notice = slack.fake.wait_for("response_url", at_url(key))[0]
    assert "📨 Sent to the PIO (request #" in notice.text_dump
    assert "target response 2 hours in business hours" in notice.text_dump
    # The answer itself is redrawn: the button is used up, the verdict stays.
    assert notice.body["replace_original"] is True and notice.header() == "✏️ Revise before posting"
    assert ids.ACTION_ASK_REVIEWER not in {e["action_id"] for e in find_actions(notice.blocks)}
    escalation = slack.store.list_escalations(requester_id=user)[0]
    assert escalation.draft_text == REVISE and escalation.decision.verdict == "revise"
    assert escalation.reason == "asked by the officer" and escalation.surface == "slash"
    card = slack.fake.wait_for(
        "chat.postMessage", lambda c: to_channel(REVIEW_CHANNEL)(c) and REVISE in c.text_dump
    )[0]
    assert card.header() == f"🧑‍⚖️ Review request #{escalation.id}"
    assert "Revise before posting" in card.text_dump and "1058.13(b)" in card.text_dump
    stored = slack.store.get_escalation(escalation.id)
    assert stored is not None and stored.card_ts == card.response["ts"]

    again = slack.new_id("ask")
    slack.sender.interaction(block_action(slack, user, channel, button, key=again))
    assert "Already sent" in slack.fake.wait_for("response_url", at_url(again))[0].text_dump
    other = slack.new_id("ask")
    slack.sender.interaction(block_action(slack, slack.user(), channel, button, key=other))
    assert (
        "Only the person who asked"
        in slack.fake.wait_for("response_url", at_url(other))[0].text_dump
    )
    assert len(slack.store.list_escalations(requester_id=user)) == 1


def test_expired_check_asks_to_run_it_again(slack: SlackHarness) -> None:
    button = {"action_id": ids.ACTION_ASK_REVIEWER, "type": "button", "value": "c999999"}
    key = slack.new_id("old")
    slack.sender.interaction(block_action(slack, slack.user(), "C1", button, key=key))
    assert "run the check again" in slack.fake.wait_for("response_url", at_url(key))[0].text_dump


def test_show_the_policy(slack: SlackHarness) -> None:
    user, channel = slack.user(), slack.channel()
    answer = slash(slack, VICTIM, user, channel)
    button = element(answer, ids.ACTION_SHOW_POLICY)
    payload = block_action(slack, user, channel, button, key="s")
    assert slack.sender.interaction(payload).status == 200
    opened = slack.fake.wait_for(
        "views.open", lambda c: c.body["trigger_id"] == payload["trigger_id"]
    )[0]
    view = opened.body["view"]
    assert view["title"]["text"] == "The policy"
    headers = [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]
    assert [h.split()[1] for h in headers] == ["1058.10(a)", "1058.13(b)"]
    assert "crime victim" in json.dumps(view)


def test_show_the_policy_for_a_section_that_is_gone(slack: SlackHarness) -> None:
    stale = {
        "action_id": ids.ACTION_SHOW_POLICY,
        "type": "button",
        "value": json.dumps([json.dumps(["social-media-policy.md", "9999.9"])]),
    }
    payload = block_action(slack, slack.user(), "C1", stale, key="gone")
    slack.sender.interaction(payload)
    opened = slack.fake.wait_for(
        "views.open", lambda c: c.body["trigger_id"] == payload["trigger_id"]
    )[0]
    assert "Run the check again" in opened.text_dump


def test_feedback_buttons(slack: SlackHarness) -> None:
    user, channel = slack.user(), slack.channel()
    answer = slash(slack, HARMLESS, user, channel)
    buttons = element(answer, ids.ACTION_FEEDBACK)
    check_id = int(feedback_value(buttons, "up")["value"].split(":")[1])
    voted = {}
    for kind, word in (("up", "👍"), ("down", "👎")):
        key = slack.new_id("fb")
        click = feedback_value(buttons, kind)  # the second click comes from a stale screen
        slack.sender.interaction(block_action(slack, user, channel, click, key=key))
        voted[word] = slack.fake.wait_for("response_url", at_url(key))[0]
    # The answer is redrawn in place: the vote instead of the buttons, the rest kept.
    up = voted["👍"]
    assert up.body["replace_original"] is True and "You rated this answer 👍" in up.text_dump
    remaining = {e["action_id"] for e in find_actions(up.blocks)}
    assert ids.ACTION_FEEDBACK not in remaining and ids.ACTION_ASK_REVIEWER in remaining
    assert up.header() == "✅ OK to post"
    assert "replaces your earlier rating" in voted["👎"].text_dump
    # Someone else cannot vote on this check.
    other_key = slack.new_id("fb")
    click = feedback_value(buttons, "up")
    slack.sender.interaction(block_action(slack, slack.user(), channel, click, key=other_key))
    refused = slack.fake.wait_for("response_url", at_url(other_key))[0]
    assert "Only the person who asked can rate this answer" in refused.text_dump
    with slack.store.engine.connect() as conn:
        rows = conn.execute(select(feedback.c.value).where(feedback.c.check_id == check_id))
        assert [row.value for row in rows] == ["down"]  # one person, one vote


def test_feedback_in_a_dm_thread_updates_the_message(slack: SlackHarness) -> None:
    user, ts = slack.user(), new_ts()
    slack.sender.event(dm_event(user, HARMLESS, ts=ts))
    answer = slack.fake.wait_for("chat.postMessage", lambda c: c.body.get("thread_ts") == ts)[0]
    button = feedback_value(element(answer, ids.ACTION_FEEDBACK), "down")
    payload = block_action(slack, user, "D" + user, button, key=slack.new_id("fb"),
                           ephemeral=False, message_ts=answer.response["ts"])  # fmt: skip
    payload["message"] = {"ts": answer.response["ts"], "thread_ts": ts, "blocks": answer.blocks}
    slack.sender.interaction(payload)
    update = slack.fake.wait_for(
        "chat.update", lambda c: c.body.get("ts") == answer.response["ts"]
    )[0]
    assert "You rated this answer 👎" in update.text_dump
    assert ids.ACTION_FEEDBACK not in {e["action_id"] for e in find_actions(update.blocks)}


def test_suggested_prompt_asks_for_the_draft(slack: SlackHarness) -> None:
    user, thread_ts = slack.user(), new_ts()
    photo_prompt = ids.SUGGESTED_PROMPTS[0][1]
    slack.sender.event(dm_event(user, photo_prompt, ts=new_ts(), thread_ts=thread_ts))
    reply = slack.fake.wait_for("chat.postMessage", lambda c: c.body.get("thread_ts") == thread_ts)
    assert "Tell me about the photo" in reply[0].body["text"]
    assert slack.store.recent_checks(user) == []
