"""Over loopback: drafts that hide what they say from the checks (a labelled link's URL,
look-alike letters, invisible characters) get the answer their real text deserves."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from conftest import SlackHarness
from fake_slack import dm_event
from review_harness import uid

_ts = itertools.count(1)

MUGSHOT_LINK = (
    "Sharing this on my page tonight "
    "<https://instagram.com/p/mugshot-tyler-reed-booking|my weekend>"
)


def new_ts() -> str:
    return f"{1_830_000_000 + next(_ts)}.000731"  # unique across modules: the fake is shared


@pytest.fixture
def slack(make_slack_app: Callable[..., SlackHarness]) -> SlackHarness:
    return make_slack_app()


def answer_to(slack: SlackHarness, text: str) -> str:
    user = uid("UEVADE")  # the fake Slack is shared by every module: ids of our own
    reply = slack.sender.event(dm_event(user, text, ts=new_ts()))
    assert reply.status == 200
    call = slack.fake.wait_for("chat.postMessage", lambda c: c.body.get("channel") == "D" + user)
    return call[0].header()


def test_a_labelled_link_does_not_hide_its_url(slack: SlackHarness) -> None:
    assert answer_to(slack, MUGSHOT_LINK) == "⛔ Do not post"
    # the same post with a harmless address is not forbidden: the URL, not the label, decided
    harmless = MUGSHOT_LINK.replace("p/mugshot-tyler-reed-booking", "p/bike-rodeo")
    assert answer_to(slack, harmless) != "⛔ Do not post"


@pytest.mark.parametrize(
    "draft",
    [
        "Prayers for the \u0475\u03b9ct\u03b9m, Maria Lopez, and her family tonight.",
        "Thinking of the \u1d20\u026a\u1d04\u1d1b\u026a\u1d0d, Maria Lopez, today.",
        "Prayers for the vic\u200btim, Ma\u200bria Lo\u200bpez.",
    ],
)
def test_look_alike_letters_do_not_make_a_victim_post_ok(slack: SlackHarness, draft: str) -> None:
    assert answer_to(slack, draft) == "⛔ Do not post"
