"""Photos over signed HTTP: the app (as `serve()` runs it) downloads an attached image from
the fake Slack with the bot token, reads it in memory, answers about what it reveals, and
shows it to the PIO in the review card's thread."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from conftest import REVIEW_CHANNEL, SLACK_TOKEN, SlackHarness
from fake_slack import BOT_USER_ID, Call, dm_event
from photo_factory import make_photo

PLATE_CAPTION = "Great work by the traffic team at this morning's stop on Route 9!"

_ts = itertools.count(1)


def new_ts() -> str:
    return f"1810000{next(_ts):03d}.000300"


@pytest.fixture
def slack(slack_server: SlackHarness) -> SlackHarness:
    return slack_server


def photo_user(slack: SlackHarness) -> str:
    """Ids of their own: the fake Slack's record is shared with the other modules."""
    return slack.new_id("UPHOTO")


def with_file(event: dict[str, Any], file: dict[str, Any]) -> dict[str, Any]:
    return {**event, "subtype": "file_share", "files": [file]}


def answer_to(slack: SlackHarness, ts: str, timeout: float = 30.0) -> Call:
    return slack.fake.wait_for(
        "chat.postMessage", lambda c: c.body.get("thread_ts") == ts, timeout=timeout
    )[0]


def test_photo_with_gps_names_the_location_and_reaches_the_pio(slack: SlackHarness) -> None:
    user, ts = photo_user(slack), new_ts()
    data = make_photo(gps=(34.052235, -118.243683), taken_at="2026:11:30 21:14:05")
    file = slack.fake.add_file(data, name="IMG_2044.jpg")
    slack.sender.event(with_file(dm_event(user, "", ts=ts), file))
    answer = answer_to(slack, ts)
    download = slack.fake.calls("file_download", lambda c: c.body["file_id"] == file["id"])
    assert [c.token for c in download] == [SLACK_TOKEN]  # fetched once, with the bot token
    text = answer.text_dump
    assert "reveals exactly where and when it was taken" in text
    assert "Strip the location" in text and "34.05224, -118.24368" in text
    assert "§ 1058.14(d)" in text  # geotags and location-sharing count
    assert "taken 2026-11-30 21:14" in text
    # No caption, no text in it: what it shows is for a reviewer, who gets the photo.
    assert answer.header() == "🧑‍⚖️ A reviewer should decide"
    assert "sent it to the PIO (request #" in text
    card = slack.fake.wait_for(
        "chat.postMessage", lambda c: to_review(c) and user in c.text_dump, timeout=10
    )[0]
    assert "The officer attached a photo" in card.text_dump
    done = slack.fake.wait_for(
        "files.completeUploadExternal", lambda c: c.body.get("thread_ts") == card.response["ts"]
    )[0]
    assert done.error is None and done.body["channel_id"] == REVIEW_CHANNEL
    files = done.body["files"]
    files = json.loads(files) if isinstance(files, str) else files
    assert slack.fake.uploads[files[0]["id"]] == data  # the PIO sees the very photo


def test_a_readable_plate_is_caught_by_ocr_in_a_channel(slack: SlackHarness) -> None:
    user, channel, ts = photo_user(slack), slack.new_id("CPHOTO"), new_ts()
    file = slack.fake.add_file(make_photo(text="7ABC123"), name="stop.jpg")
    mention = {
        "type": "app_mention",
        "user": user,
        "channel": channel,
        "text": f"<@{BOT_USER_ID}> {PLATE_CAPTION}",
        "ts": ts,
        "event_ts": ts,
        "files": [file],
    }
    slack.sender.event(mention)
    answer = answer_to(slack, ts)
    assert answer.header() == "✏️ Revise before posting"
    assert "Shows a licence plate." in answer.text_dump
    assert "7ABC123" not in answer.text_dump  # never repeated into a channel
    assert "text found (not repeated here)" in answer.text_dump


def test_can_i_post_this_with_a_photo_is_about_the_photo(slack: SlackHarness) -> None:
    user, ts = photo_user(slack), new_ts()
    file = slack.fake.add_file(make_photo(seed=3), name="scene.jpg")
    slack.sender.event(with_file(dm_event(user, "Can I post this?", ts=ts), file))
    answer = answer_to(slack, ts)
    assert "the draft is empty" not in answer.text_dump
    assert "“Can”" not in answer.text_dump and "Flagged" not in answer.text_dump
    assert "What the photo shows cannot be checked" in answer.text_dump
    assert "location data: none" in answer.text_dump


def test_photo_elsewhere_or_unreadable_gets_one_line(slack: SlackHarness) -> None:
    user, away, broken = photo_user(slack), new_ts(), new_ts()
    outside = {
        "id": "FOUTSIDE",
        "name": "x.jpg",
        "mimetype": "image/jpeg",
        "url_private": "https://images.example.com/x.jpg",
    }
    slack.sender.event(with_file(dm_event(user, "Nice sunset", ts=away), outside))
    assert "not on Slack's file server" in answer_to(slack, away).text_dump
    junk = slack.fake.add_file(b"this is not a jpeg", name="fake.jpg")
    slack.sender.event(with_file(dm_event(user, "Nice sunset", ts=broken), junk))
    reply = answer_to(slack, broken)
    assert "not a photo I can read" in reply.text_dump and "Traceback" not in reply.text_dump


def to_review(call: Call) -> bool:
    return call.body.get("channel") == REVIEW_CHANNEL


def test_check_this_post_reads_the_photo_of_that_message(slack: SlackHarness) -> None:
    user, channel, key = photo_user(slack), slack.new_id("CPHOTO"), slack.new_id("scph")
    file = slack.fake.add_file(make_photo(gps=(40.7128, -74.006)), name="parade.jpg")
    payload = {
        "type": "message_action",
        "callback_id": "check_this_post",
        "trigger_id": slack.sender.next_id("trig."),
        "user": {"id": user, "name": "officer"},
        "channel": {"id": channel, "name": "general"},
        "message": {
            "type": "message",
            "user": "USOMEONE",
            "ts": new_ts(),
            "text": "Join us for Coffee with a Cop this Saturday, 9-11am, at the public library!",
            "files": [file],
        },
        "response_url": slack.fake.response_url(key),
    }
    assert slack.sender.interaction(payload).status == 200
    answer = slack.fake.wait_for("response_url", lambda c: c.path.endswith("/" + key), timeout=30)
    text = answer[0].text_dump
    assert answer[0].header() == "✏️ Revise before posting"
    assert "reveals exactly where it was taken" in text and "40.71280, -74.00600" in text
    assert slack.fake.calls("file_download", lambda c: c.body["file_id"] == file["id"])
