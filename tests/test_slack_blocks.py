"""Slack layer, pure parts: Block Kit builders and limits, text helpers, command parsing,
the pending-check map, the log filter, and the manifest."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest
from fake_slack import find_actions, validate_blocks, validate_view

from bot.config import REPO_ROOT, Settings
from bot.core.engine import Engine
from bot.core.models import CheckRequest, Citation, Decision, Finding, PolicySection
from bot.slack import blocks, ids
from bot.slack.blocks import AnswerContext, answer_message, outcome_message
from bot.slack.listeners.commands import parse
from bot.slack.listeners.views import read_form
from bot.slack.logsetup import RedactFilter, configure_logging, library_logger, redact_payload
from bot.slack.outcome import CheckOutcome, EscalationNotice
from bot.slack.pending import PendingChecks, ReplyTarget
from bot.slack.server import gunicorn_options
from bot.slack.text import chunks, clip, clip_escaped, escape, slack_to_plain

DRAFT = "The victim, Jane Doe, was assaulted at 12 Elm Street last night."


def dump(message: blocks.Message) -> str:
    return json.dumps({"text": message.text, "blocks": message.blocks}, ensure_ascii=False)


def check(engine: Engine, text: str = DRAFT, **kwargs: object) -> Decision:
    return engine.check(CheckRequest(text=text, **kwargs))  # type: ignore[arg-type]


def huge_decision() -> Decision:
    findings = tuple(
        Finding(
            code=f"rule_{i}",
            severity="revise" if i else "do_not_post",
            message="M" * 2500,
            fix="F" * 2500,
            span=(0, 5),
        )
        for i in range(70)
    )
    citations = tuple(
        Citation(source="p" * 300 + ".md", section=f"9.{i}" * 30, title="T" * 400, quote="Q" * 6000)
        for i in range(30)
    )
    return Decision(
        verdict="do_not_post",
        summary="S" * 9000,
        findings=findings,
        citations=citations,
        escalate=False,
        confidence=0.9,
        policy_version="v" * 64,
        engine="gpt-test",
        notes=tuple("N" * 900 for _ in range(20)),
        rewrite="R" * 9000,
    )


# ------------------------------------------------------------------------------ answers


@pytest.mark.parametrize(
    ("verdict", "title"),
    [
        ("ok", "✅ OK to post"),
        ("revise", "✏️ Revise before posting"),
        ("do_not_post", "⛔ Do not post"),
        ("needs_review", "🧑‍⚖️ A reviewer should decide"),
    ],
)
def test_verdict_header(verdict: str, title: str) -> None:
    decision = Decision(verdict, "x", (), (), False, 0.5, "v1")  # type: ignore[arg-type]
    message = answer_message(decision, AnswerContext())
    assert message.blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": title, "emoji": True},
    }


def test_private_answer_has_findings_fixes_citations_and_flagged_words(
    slack_engine: Engine,
) -> None:
    decision = check(slack_engine)
    message = answer_message(decision, AnswerContext(draft=DRAFT, ref="c7", check_id=7))
    text = dump(message)
    assert "⛔ Do not post" in text
    assert "Change:" in text
    assert "Jane Doe" in text  # the flagged words, shown only to the officer
    for citation in decision.citations:
        assert f"§ {citation.section}" in text  # one short quote per finding
    assert not validate_blocks(message.blocks, max_blocks=50)
    values = [element.get("value", "") for element in find_actions(message.blocks)]
    assert "c7" in values
    feedback = next(e for e in find_actions(message.blocks) if e["type"] == "feedback_buttons")
    assert feedback["positive_button"]["value"] == "up:7"
    assert all("Jane" not in json.dumps(value) for value in values)


COMPACT_DRAFTS = {
    "ok": "Join us for Coffee with a Cop this Saturday, 9-11am, at the public library!",
    "revise": "Great turnout at the bike rodeo today, thanks to everyone at 12 Elm Street!",
    "do_not_post": DRAFT,
    "needs_review": "Shots fired downtown, stay away from Main and 3rd.",
}


def visible_text(message: blocks.Message) -> str:
    out = []
    for block in message.blocks:
        if block.get("text"):
            out.append(block["text"]["text"])
        out.extend(
            e.get("text", "") for e in block.get("elements", []) if block["type"] == "context"
        )
    return "\n".join(out)


@pytest.mark.parametrize("verdict", list(COMPACT_DRAFTS))
def test_answer_is_compact_for_a_phone(slack_engine: Engine, verdict: str) -> None:
    decision = check(slack_engine, COMPACT_DRAFTS[verdict])
    assert decision.verdict == verdict
    ctx = AnswerContext(draft=COMPACT_DRAFTS[verdict], ref="c1", check_id=1)
    message = answer_message(decision, ctx)
    text = visible_text(message)
    assert len(message.blocks) <= 6 and len(text) < 1000, text
    assert text.count(blocks.VERDICT_LABELS[verdict][1]) == 1  # the header, not repeated
    assert blocks.AI_DISCLAIMER in text
    for word in ("Policy version", "engine", "confidence"):
        assert word not in text  # the technical footer is for App Home and admins
    actions = {e["action_id"] for e in find_actions(message.blocks)}
    assert ids.ACTION_SHOW_POLICY in actions and ids.ACTION_PICK_SECTION not in actions
    for index, finding in enumerate(decision.findings):
        cited = decision.citation_for(index)
        assert finding.message.rstrip(".") in text
        assert cited is None or f"§ {cited.section}" in text


def test_model_notes_and_footer_only_for_admins() -> None:
    citation = Citation("manual.pdf", "1026.4(g)", "Victims", "Do not name a victim. " * 20, 12)
    finding = Finding("victim_identity", "do_not_post", "Names a victim.", "Take it out.", (0, 4))
    decision = Decision(
        "do_not_post", "Do not post: names a victim.", (finding,), (citation,), False, 0.9,
        "abcdef1234567890", engine="gpt-x", finding_citations=(0,),
        notes=("The model answered 'ok'; the rules require do_not_post.",),
    )  # fmt: skip
    officer = visible_text(answer_message(decision, AnswerContext(draft="Jane was hurt")))
    admin = visible_text(answer_message(decision, AnswerContext(draft="x", technical=True)))
    assert "The model answered" not in officer and "gpt-x" not in officer
    assert "The model answered" in admin and "engine: gpt-x" in admin
    assert "Policy version `abcdef123456`" in admin and "confidence 90%" in admin
    assert "§ 1026.4(g), p. 12" in officer  # the page of the quote
    assert "“Do not name a victim. Do not name" in officer and len(officer) < 600


def test_channel_answer_never_repeats_the_draft(slack_engine: Engine) -> None:
    decision = check(slack_engine, incident=True)
    ctx = AnswerContext(audience="channel", incident_channel=True, draft=DRAFT, ref="c1")
    text = dump(answer_message(decision, ctx))
    for detail in ("Jane", "Doe", "12 Elm", "Elm Street"):
        assert detail not in text
    assert blocks.PIO_REMINDER in text
    assert "direct message" in text  # identifying details: DM the draft instead
    assert "Incident mode:" not in text  # the engine's note is replaced by the reminder


def test_channel_answer_scrubs_model_written_findings() -> None:
    finding = Finding("victim_identity", "do_not_post", "Names Jane Doe", "Drop Jane Doe", (4, 12))
    decision = Decision(
        "do_not_post", "Jane Doe is named", (finding,), (), False, 0.9, "v", engine="gpt-x"
    )
    ctx = AnswerContext(audience="channel", draft="The Jane Doe case")
    text = dump(answer_message(decision, ctx))
    assert "Jane" not in text


def test_long_answer_stays_within_slack_limits() -> None:
    for audience in ("private", "channel"):
        message = answer_message(
            huge_decision(),
            AnswerContext(audience=audience, draft="x" * 10, ref="c1", check_id=1),  # type: ignore[arg-type]
        )
        assert not validate_blocks(message.blocks, max_blocks=50)
        assert len(message.blocks) <= 50
        assert [b["type"] for b in message.blocks[-2:]] == ["actions", "context_actions"]
        assert "not shown" in dump(message)
        assert len(message.text) <= blocks.MAX_FALLBACK_TEXT


def test_review_card_holds_a_long_draft_within_limits(slack_engine: Engine) -> None:
    draft = ("Jane Doe " * 500 + "\n\n") * 10
    card = blocks.review_card(
        escalation_id=12,
        draft=draft,
        decision=check(slack_engine),
        requester_id="U1",
        surface="slash",
        reason="asked by the officer",
        note="please hurry",
    )
    assert not validate_blocks(card.blocks, max_blocks=50)
    assert "Jane Doe" in dump(card) and "please hurry" in dump(card)
    assert "Jane" not in card.text  # notification text carries no draft
    assert f"Draft shortened: it is {len(draft):,} characters" in dump(card)
    assert blocks.blocks_text_size(card.blocks) <= blocks.CARD_TEXT_BUDGET


def test_outcome_messages_for_errors() -> None:
    request = CheckRequest(text="x", user_id="U1")
    failed = outcome_message(CheckOutcome(request, ref="tabc", failed=True))
    assert "Sorry" in failed.text
    assert [e["value"] for e in find_actions(failed.blocks)] == ["tabc"]
    problem = outcome_message(CheckOutcome(request, input_error="the draft is empty"))
    assert "the draft is empty" in problem.text and not list(find_actions(problem.blocks))
    notice = EscalationNotice("sent", 3, reply_by_dm=True)
    sent = outcome_message(CheckOutcome(request, ref="t1", escalation=notice, failed=True))
    assert "request #3" in dump(sent) and not list(find_actions(sent.blocks))


def test_escalation_texts() -> None:
    sent = blocks.escalation_text(EscalationNotice("sent", 5))
    assert sent == (
        "📨 Sent to the PIO (request #5). You'll hear back here; "
        "target response 2 hours in business hours."
    )
    assert "direct message" in blocks.escalation_text(EscalationNotice("sent", 5, True))
    assert "run the check again" in blocks.escalation_text(EscalationNotice("expired"))
    assert "#5" in blocks.escalation_text(EscalationNotice("already", 5))


# ------------------------------------------------------------------------------ views


def test_views_are_valid(slack_engine: Engine) -> None:
    long_section = PolicySection("a.md", "1.1", "Title " * 60, "word " * 50_000)
    for view in (
        blocks.check_modal(channel_id="C1", incident=True),
        blocks.submitted_modal(),
        blocks.section_modal(long_section),
        blocks.section_modal(None),
        blocks.section_modal(slack_engine.sections[5]),
        blocks.home_view(user_id="U1", policy_version="abc", retention_days=30),
    ):
        assert not validate_view(view), view.get("type")
    modal = blocks.check_modal(channel_id="C1", incident=True)
    incident = next(b for b in modal["blocks"] if b.get("block_id") == ids.INPUT_INCIDENT)
    assert incident["element"]["initial_option"]["value"] == "yes"


def test_section_modal_text_is_verbatim(slack_engine: Engine) -> None:
    section = slack_engine.sections[10]
    view = blocks.section_modal(section)
    texts = "\n".join(b["text"]["text"] for b in view["blocks"] if b["type"] == "section")
    assert " ".join(texts.split()) == " ".join(section.text.split())


def test_home_view_can_be_extended() -> None:
    extra = [blocks.section("*Review queue*")]
    view = blocks.home_view(user_id="U1", extra_blocks=extra)
    assert view["blocks"][-1] == extra[0]


def test_form_is_read_from_view_state() -> None:
    view = {
        "private_metadata": json.dumps({"channel": "C9"}),
        "state": {
            "values": {
                ids.INPUT_DRAFT: {"value": {"type": "plain_text_input", "value": "Hello"}},
                ids.INPUT_ACCOUNT: {"value": {"selected_option": {"value": "official"}}},
                ids.INPUT_INCIDENT: {"value": {"selected_option": {"value": "yes"}}},
                ids.INPUT_NOTE: {"value": {"value": None}},
            }
        },
    }
    form = read_form(view)
    assert (form.draft, form.account, form.incident, form.note, form.channel_id) == (
        "Hello",
        "official",
        True,
        None,
        "C9",
    )


# ------------------------------------------------------------------------------ values & text


def test_section_refs_fit_option_values(slack_engine: Engine) -> None:
    short = blocks.encode_section_ref("social-media-policy.md", "1058.10(a)")
    assert blocks.decode_section_ref(short) == ("social-media-policy.md", "1058.10(a)")
    long = blocks.encode_section_ref("d/" * 100 + "x.md", "1.1")
    assert len(long) <= 150 and long.startswith("h:")
    assert blocks.decode_section_ref("not json") is None


def test_slack_text_to_plain() -> None:
    raw = (
        "<@U0BOT> can I post <https://x.org/a|this> &amp; tag <@U123|sam> in <#C1|general> <!here>?"
    )
    assert slack_to_plain(raw, bot_user_id="U0BOT") == (
        "can I post this (https://x.org/a) & tag @sam in #general @here?"
    )
    # a label that is the address itself is not repeated
    assert slack_to_plain("see <https://www.x.org/a/|x.org/a> and <mailto:a@b.org|a@b.org>") == (
        "see x.org/a and a@b.org"
    )
    assert escape("<!channel> & co") == "&lt;!channel&gt; &amp; co"
    assert clip("a" * 10, 5) == "aaaa…"
    assert not clip_escaped("&" * 50, 20).endswith("&am…")
    pieces = chunks("para one.\n\n" + "x" * 50, 20)
    assert all(len(p) <= 20 for p in pieces) and pieces[0] == "para one."


@pytest.mark.parametrize(
    ("text", "action", "rest"),
    [
        ("", "form", ""),
        ("  help ", "help", ""),
        ("incident on", "incident", "on"),
        ("incident OFF", "incident", "off"),
        ("incident", "incident", "status"),
        ("incident at the school: can I post?", "check", "incident at the school: can I post?"),
        ("review My draft", "review", "My draft"),
        ("Review of the new cruiser", "check", "Review of the new cruiser"),
        ("Vote for Smith", "check", "Vote for Smith"),
    ],
)
def test_command_parsing(text: str, action: str, rest: str) -> None:
    parsed = parse(text)
    assert (parsed.action, parsed.text) == (action, rest)


# ------------------------------------------------------------------------------ pending


def test_pending_checks_expire_and_stay_bounded() -> None:
    now = [0.0]
    pending = PendingChecks(ttl_seconds=60, max_entries=3, max_chars=100, clock=lambda: now[0])
    decision = Decision("ok", "s", (), (), False, 1.0, "v")
    keys = [
        pending.add(CheckRequest(text=f"draft {i}"), decision, ReplyTarget("C1"), i)
        for i in range(5)
    ]
    assert keys[0] == "c0" and len(pending) == 3 and pending.get("c0") is None
    pending.add(CheckRequest(text="y" * 96), decision, ReplyTarget(), None)
    assert len(pending) == 1  # the character budget evicted the older entries
    now[0] = 61
    assert len(pending) == 0


def test_pending_claim_happens_once() -> None:
    pending = PendingChecks()
    decision = Decision("ok", "s", (), (), False, 1.0, "v")
    key = pending.add(CheckRequest(text="d"), decision, ReplyTarget(), 1)
    assert pending.claim(key)[0] == "claimed"
    assert pending.claim(key)[0] == "busy"
    pending.finish(key, None)
    assert pending.claim(key)[0] == "claimed"
    pending.finish(key, 42)
    status, entry = pending.claim(key)
    assert status == "already" and entry is not None and entry.escalation_id == 42
    assert pending.claim("c999")[0] == "missing"


# ------------------------------------------------------------------------------ logging


def test_library_logs_lose_payloads_and_debug() -> None:
    stream = io.StringIO()
    configure_logging("DEBUG", stream=stream)
    secret = "Jane Doe lives at 12 Elm Street"
    logger = logging.getLogger("slack_bolt.App")
    logger.debug("request body: %s", {"text": secret})
    logging.getLogger("slack_sdk.web.base_client").warning(
        "Received the following: {'text': '%s'}", secret
    )
    try:
        raise ValueError(secret)
    except ValueError:
        library_logger("slack_bolt").exception(
            "Failed to run listener function (error: %s)", secret
        )
    logging.getLogger("bot.slack.test").info("check 1: verdict=ok")
    output = stream.getvalue()
    assert "Jane" not in output
    assert "withheld" in output and "check 1: verdict=ok" in output
    assert (
        redact_payload("Unhandled request ({'type': 'x'})")
        == "Unhandled request ( {…payload withheld…}"
    )
    assert RedactFilter().filter(logging.LogRecord("bot.x", 10, "", 0, "m", None, None))


# ------------------------------------------------------------------------------ manifest


def test_manifest_matches_the_app() -> None:
    manifest = json.loads((REPO_ROOT / "manifest.json").read_text(encoding="utf-8"))
    features, settings = manifest["features"], manifest["settings"]
    assert [c["command"] for c in features["slash_commands"]] == [ids.COMMAND]
    assert [(s["callback_id"], s["type"]) for s in features["shortcuts"]] == [
        (ids.SHORTCUT_CHECK, "message")
    ]
    prompts = features["agent_view"]["suggested_prompts"]
    assert [(p["title"], p["message"]) for p in prompts] == list(ids.SUGGESTED_PROMPTS)
    assert len(features["agent_view"]["agent_description"]) <= 300
    # Exactly the scopes the code uses (users:read and im:read were never called for).
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "app_mentions:read",  # app_mention events
        "assistant:write",  # assistant.threads.setSuggestedPrompts / setTitle
        "chat:write",  # chat.postMessage, postEphemeral, update, getPermalink, setStatus
        "commands",  # /canipost and the message shortcut
        "files:read",  # downloading an attached photo from its url_private
        "files:write",  # the photo in the review card's thread (files.uploadV2)
        "im:history",  # message.im events; conversations.history/replies in DMs
        "channels:history",  # conversations.history/replies: was an unconfirmed post kept?
        "groups:history",  # the same in private channels
        "mpim:history",  # the same in group DMs
        "im:write",  # conversations.open for answers by DM
        "usergroups:read",  # usergroups.users.list for REVIEWER_GROUP_ID
    }
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_mention",
        "message.im",
        "app_home_opened",  # tab "home": App Home; tab "messages": the agent's greeting
    }
    # agent_view: the Messages tab replaces the legacy assistant panel and its events.
    assert "assistant_view" not in features
    urls = {
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        features["slash_commands"][0]["url"],
    }
    assert urls == {"https://example.org/slack/events"}
    assert settings["socket_mode_enabled"] is False and settings["interactivity"]["is_enabled"]
    info = manifest["display_information"]
    assert len(info["name"]) <= 35 and len(info["description"]) <= 140
    assert 175 <= len(info["long_description"]) <= 4000
    assert all(len(s["name"]) <= 24 and len(s["description"]) <= 150 for s in features["shortcuts"])


def test_procfile_and_gunicorn_defaults() -> None:
    lines = Path(REPO_ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "web: SLACK_APP_TOKEN= canipost serve"
    assert lines[1].startswith("worker: ") and lines[1].endswith("exec canipost serve")
    options = gunicorn_options(Settings.from_env({"PORT": "8123"}, dotenv=False))
    assert options["bind"] == "0.0.0.0:8123" and options["worker_class"] == "gthread"
    assert options["workers"] == 1
