"""Verify, then parse: what a hostile or broken request gets from the running app.

Against the app as `serve()` runs it (gunicorn in a subprocess): oversized bodies get 413
without being read, malformed ones 400 with one line naming the problem, never a 500 or a
traceback in the log; a signed slash command sent twice queues one review, also when the
copy reaches another instance sharing the database.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import socket
import time
import urllib.parse
from collections.abc import Callable

import pytest
from conftest import REVIEW_CHANNEL, SLACK_SECRET, SlackHarness
from fake_slack import Reply

from bot.slack.guard import MAX_BODY_BYTES

HARMLESS = "Join us for Coffee with a Cop this Saturday, 9-11am, at the public library!"
_ids = itertools.count(1)


def unique_user() -> str:
    """A user id no other test module uses: the fake Slack is shared by the session."""
    return f"UGUARD{next(_ids):05d}X"


def sign(raw: bytes, timestamp: str) -> str:
    base = b"v0:" + timestamp.encode() + b":" + raw
    return "v0=" + hmac.new(SLACK_SECRET.encode(), base, hashlib.sha256).hexdigest()


def post_raw(slack: SlackHarness, raw: bytes, content_type: str, *, stamp: str = "") -> Reply:
    stamp = stamp or str(int(time.time()))
    return slack.sender.post(raw, content_type, timestamp=stamp, signature=sign(raw, stamp))  # type: ignore[arg-type]


def http_exchange(url: str, head: str, body_chunks: list[bytes], timeout: float = 5.0) -> bytes:
    """Send a hand-made request on a raw socket; the answer once it is complete."""
    parts = urllib.parse.urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(head.encode())
        try:
            for chunk in body_chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may refuse and close before the body is all sent
        data = b""
        try:
            while got := sock.recv(65536):
                data += got
                head_end = data.find(b"\r\n\r\n")
                if head_end >= 0:
                    match = re.search(rb"(?i)content-length: *(\d+)", data[:head_end])
                    if match and len(data) >= head_end + 4 + int(match.group(1)):
                        break
        except (TimeoutError, ConnectionResetError):
            pass
        return data


@pytest.fixture
def slack(slack_server: SlackHarness) -> SlackHarness:
    return slack_server


def no_traceback(slack: SlackHarness) -> None:
    log = (slack.settings.data_dir / "app.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log and " 500 " not in log


# ------------------------------------------------------------------------------ size


def test_a_declared_10_mb_body_is_refused_before_it_is_sent(slack: SlackHarness) -> None:
    path = urllib.parse.urlsplit(slack.url).path
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {10 * 1024 * 1024}\r\n\r\n"
    )
    started = time.monotonic()
    answer = http_exchange(slack.url, head, [])  # no body at all: the app must not wait for it
    seconds = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"request body too large (limit 1048576 bytes)" in answer
    assert seconds < 3.0


def test_a_chunked_body_over_the_cap_is_refused(slack: SlackHarness) -> None:
    path = urllib.parse.urlsplit(slack.url).path
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    piece = b"a" * 65536
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    count = MAX_BODY_BYTES // len(piece) + 2
    answer = http_exchange(slack.url, head, [chunk] * count + [b"0\r\n\r\n"])
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_a_body_at_the_cap_is_read_and_checked(slack: SlackHarness) -> None:
    # Just under the cap is not refused for its size: it reaches the signature check.
    raw = b"{" + b" " * (MAX_BODY_BYTES - 2) + b"}"
    reply = slack.sender.post(raw, "application/json", signature="v0=" + "0" * 64)
    assert reply.status == 401 and "invalid Slack signature" in reply.text


# ------------------------------------------------------------------------------ shape


@pytest.mark.parametrize(
    ("raw", "content_type", "expected"),
    [
        (b'{"type": "event_callback", "event": ', "application/json", "not a JSON object"),
        (b"[1, 2, 3]", "application/json", "not a JSON object"),
        (b"payload=%7Bnot+json", "application/x-www-form-urlencoded", "payload field"),
        (b"payload=%5B1%5D", "application/x-www-form-urlencoded", "payload field"),
        (b"command=%2Fcanipost&text=caf\xe9", "application/x-www-form-urlencoded", "not UTF-8"),
        (b'{"type": "event_callback", "x": "\xff\xfe"}', "application/json", "not UTF-8"),
    ],
    ids=["bad-json", "json-array", "payload-not-json", "payload-array", "latin1-form", "bad-utf8"],
)
def test_malformed_signed_bodies_get_400_and_one_line(
    slack: SlackHarness, raw: bytes, content_type: str, expected: str
) -> None:
    reply = post_raw(slack, raw, content_type)
    assert reply.status == 400, reply.text
    assert expected in reply.text and reply.text.count("\n") == 1
    no_traceback(slack)


def test_a_timestamp_that_is_not_a_number_gets_400(slack: SlackHarness) -> None:
    raw = json.dumps({"type": "event_callback", "event": {"type": "app_mention"}}).encode()
    reply = post_raw(slack, raw, "application/json", stamp="soon")
    assert reply.status == 400 and "X-Slack-Request-Timestamp is not a number" in reply.text
    no_traceback(slack)


def test_unsigned_malformed_bodies_are_refused_as_unsigned(slack: SlackHarness) -> None:
    # Nothing is parsed before the signature holds: garbage without one is a 401.
    reply = slack.sender.post(b"\xff{", "application/json", signature="v0=" + "0" * 64)
    assert reply.status == 401
    missing = slack.sender.post(b"{}", "application/json", signature=" ")
    assert missing.status == 401


# ------------------------------------------------------------------------------ replay


def review_command(slack: SlackHarness, user: str, channel: str) -> bytes:
    fields = {
        "team_id": "T0FAKE",
        "channel_id": channel,
        "user_id": user,
        "command": "/canipost",
        "text": f"review {HARMLESS} #{user}",
        "response_url": slack.fake.response_url(slack.new_id("slash")),
        "trigger_id": slack.sender.next_id("trig."),
    }
    return urllib.parse.urlencode(fields).encode()


def cards_for(slack: SlackHarness, user: str) -> Callable[[], int]:
    def count() -> int:
        calls = slack.fake.calls(
            "chat.postMessage",
            lambda c: c.body.get("channel") == REVIEW_CHANNEL and user in c.text_dump,
        )
        return len(calls)

    return count


def test_a_replayed_signed_review_command_queues_one_review(slack: SlackHarness) -> None:
    user, channel = unique_user(), slack.channel()
    raw, stamp = review_command(slack, user, channel), str(int(time.time()))
    first = post_raw(slack, raw, "application/x-www-form-urlencoded", stamp=stamp)
    again = post_raw(slack, raw, "application/x-www-form-urlencoded", stamp=stamp)
    assert first.status == 200 and first.body == b""
    assert again.status == 409 and "replayed request" in again.text
    slack.fake.wait_for(
        "chat.postMessage",
        lambda c: c.body.get("channel") == REVIEW_CHANNEL and user in c.text_dump,
        timeout=10,
    )
    time.sleep(0.3)  # a second card, if one were coming, comes in this time
    assert cards_for(slack, user)() == 1
    assert len(slack.store.list_escalations(requester_id=user)) == 1
    # The same command signed afresh (a new timestamp) is a new request and is accepted.
    fresh = post_raw(slack, raw, "application/x-www-form-urlencoded", stamp=str(int(stamp) + 1))
    assert fresh.status == 200


def test_a_replay_to_another_instance_does_its_work_once(
    make_slack_app: Callable[..., SlackHarness],
) -> None:
    # The other instance acks (it writes nothing before an ack), but the review is queued
    # once: the replay's job finds its claim taken in the shared store.
    first, second = make_slack_app(), make_slack_app()  # one database, two instances
    user, channel = unique_user(), first.channel()
    raw, stamp = review_command(first, user, channel), str(int(time.time()))
    assert post_raw(first, raw, "application/x-www-form-urlencoded", stamp=stamp).status == 200
    replay = post_raw(second, raw, "application/x-www-form-urlencoded", stamp=stamp)
    assert replay.status == 200
    assert first.wait_idle() and second.wait_idle()
    time.sleep(0.3)  # a second card, if one were coming, comes in this time
    assert len(first.store.list_escalations(requester_id=user)) == 1
    assert cards_for(first, user)() == 1
    # A replay to the instance that already took it is refused outright.
    assert post_raw(second, raw, "application/x-www-form-urlencoded", stamp=stamp).status == 409


def test_replayed_interactions_are_refused_too(slack: SlackHarness) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": "T0FAKE"},
        "user": {"id": unique_user()},
        "actions": [{"action_id": "no_such_button", "block_id": "b", "type": "button"}],
    }
    raw = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    stamp = str(int(time.time()))
    first = post_raw(slack, raw, "application/x-www-form-urlencoded", stamp=stamp)
    assert first.status == 404  # Bolt's answer: no listener for that button
    again = post_raw(slack, raw, "application/x-www-form-urlencoded", stamp=stamp)
    assert again.status == 409
