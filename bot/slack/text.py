"""Pure text helpers: Slack markup <-> plain text, escaping, clipping and chunking."""

from __future__ import annotations

import re

ELLIPSIS = "…"

# Labels and URLs stop at "<" as well as ">": Slack escapes both inside them, and an
# unclosed "<@U1|<@U1|..." would otherwise be rescanned to its end from every "<".
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^<>]*))?>")
_CHANNEL = re.compile(r"<#(C[A-Z0-9]+)(?:\|([^<>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^<>]*)?>")
_SUBTEAM = re.compile(r"<!subteam\^([A-Z0-9]+)(?:\|([^<>]*))?>")
_DATE = re.compile(r"<!date\^[^|<>]*\|([^<>]*)>")
_LINK = re.compile(r"<((?:https?|mailto|tel):[^|<>]+)(?:\|([^<>]*))?>")


def slack_to_plain(text: str, *, bot_user_id: str | None = None) -> str:
    """The text of a Slack message as the person typed it.

    Removes mentions of the bot itself, turns other mentions and channel links into their
    visible labels and links into their labels followed by their URLs, and unescapes the
    three HTML entities Slack escapes.
    """
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^<>]*)?>", "", text)
    text = _USER.sub(lambda m: "@" + (m.group(2) or m.group(1)), text)
    text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or m.group(1)), text)
    text = _SPECIAL.sub(lambda m: "@" + m.group(1), text)
    text = _SUBTEAM.sub(lambda m: m.group(2) or "@group", text)
    text = _DATE.sub(lambda m: m.group(1), text)
    text = _LINK.sub(lambda m: _link_text(m.group(1), m.group(2)), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text.strip()


def _bare(address: str) -> str:
    return re.sub(r"^(?:https?://)?(?:www\.)?", "", address).rstrip("/")


def _link_text(url: str, label: str | None) -> str:
    """A link as plain text: its label, followed by the URL when the label hides it.

    `<https://x.org/victim-maria-lopez|my page>` reads "my page (https://x.org/...)", so the
    checks see where the link goes; a label that is the URL itself is not repeated."""
    address = url.removeprefix("mailto:").removeprefix("tel:")
    if not label:
        return address
    shown = label.strip()
    bare = re.sub(r"^(?:https?://)?(?:www\.)?", "", address).rstrip("/")
    if (
        shown in (url, address)
        or re.sub(r"^(?:https?://)?(?:www\.)?", "", shown).rstrip("/") == bare
    ):
        return shown
    return f"{shown} ({address})"


def escape(text: str) -> str:
    """Escape text for a mrkdwn field so it cannot form links or @channel pings."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return text[:limit]
    cut = text[: limit - len(ELLIPSIS)]
    space = cut.rfind(" ")
    if space > limit * 0.7:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def clip_escaped(text: str, limit: int) -> str:
    """Escape then clip, never cutting an entity such as `&amp;` in half."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    clipped = clip(escaped, limit)
    amp = clipped.rfind("&", max(0, len(clipped) - 6))
    if amp != -1 and ";" not in clipped[amp:]:
        clipped = clipped[:amp].rstrip() + ELLIPSIS
    return clipped


def quote(text: str) -> str:
    """Prefix every line with `>` so mrkdwn renders it as a block quote."""
    return "\n".join("> " + line if line.strip() else ">" for line in text.splitlines() or [""])


def chunks(text: str, size: int) -> list[str]:
    """Split text into pieces of at most `size` characters, preferring paragraph and line
    breaks, then spaces."""
    pieces: list[str] = []
    rest = text
    while len(rest) > size:
        window = rest[:size]
        cut = max(window.rfind("\n\n"), -1)
        if cut < size // 2:
            cut = window.rfind("\n")
        if cut < size // 2:
            cut = window.rfind(" ")
        if cut < size // 2:
            cut = size
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest.strip() or not pieces:
        pieces.append(rest)
    return pieces
