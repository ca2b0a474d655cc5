"""Photos attached to a message: picking the image and downloading it with the bot token.

Only from Slack's file host (or the host of SLACK_API_URL, where tests serve files), never
following a redirect elsewhere, into memory only: the bytes are never written to disk.
Needs the `files:read` scope.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.config import Settings
from bot.core.photo import MAX_BYTES

log = logging.getLogger(__name__)

SLACK_FILE_HOSTS = frozenset({"files.slack.com"})
DOWNLOAD_TIMEOUT = 20
CHUNK = 1024 * 256


@dataclass(frozen=True)
class Photo:
    """An attached photo, in memory. `name` and `mimetype` come from Slack."""

    data: bytes
    name: str
    mimetype: str

    def __repr__(self) -> str:  # never the bytes in a log line
        return f"Photo(name={self.name!r}, mimetype={self.mimetype!r}, {len(self.data)} bytes)"


class DownloadError(Exception):
    """The photo could not be fetched; the message is one line for the officer."""


def image_file(files: Iterable[dict[str, Any]] | None) -> dict[str, Any] | None:
    """The first image among a message's files, if any."""
    for item in files or ():
        if str(item.get("mimetype") or "").startswith("image/") and item.get("url_private"):
            return item
    return None


def allowed_hosts(settings: Settings) -> frozenset[str]:
    hosts = set(SLACK_FILE_HOSTS)
    if settings.slack_api_url:
        host = urllib.parse.urlsplit(settings.slack_api_url).hostname
        if host:
            hosts.add(host)
    return frozenset(hosts)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is Slack's login page: the token was not accepted


def download(
    url: str,
    *,
    token: str,
    hosts: Sequence[str] | frozenset[str],
    max_bytes: int = MAX_BYTES,
    timeout: float = DOWNLOAD_TIMEOUT,
) -> bytes:
    """The file at `url`, fetched with the bot token from an allowed host."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("https", "http") or parts.hostname not in hosts:
        raise DownloadError("the photo is not on Slack's file server, so I did not fetch it")
    if parts.scheme == "http" and parts.hostname in SLACK_FILE_HOSTS:
        raise DownloadError("the photo's address is not a secure Slack address")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            kind = response.headers.get("Content-Type", "")
            if "text/html" in kind:
                raise DownloadError(
                    "Slack did not let me read the photo (is `files:read` granted?)"
                )
            chunks: list[bytes] = []
            size = 0
            while piece := response.read(CHUNK):
                size += len(piece)
                if size > max_bytes:
                    raise DownloadError(
                        f"the photo is too large (over {max_bytes // (1024 * 1024)} MB)"
                    )
                chunks.append(piece)
    except urllib.error.HTTPError as exc:
        if 300 <= exc.code < 400:
            raise DownloadError(
                "Slack did not let me read the photo (is `files:read` granted?)"
            ) from exc
        raise DownloadError(f"Slack answered {exc.code} when I fetched the photo") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise DownloadError("I could not reach Slack to fetch the photo") from exc
    return b"".join(chunks)


def fetch_photo(settings: Settings, files: Iterable[dict[str, Any]] | None) -> Photo | None:
    """The message's first image, downloaded; None when it has none. DownloadError when
    there is one that could not be fetched."""
    item = image_file(files)
    if item is None:
        return None
    size = int(item.get("size") or 0)
    if size > MAX_BYTES:
        raise DownloadError(f"the photo is too large ({size / 1e6:.0f} MB; the limit is 30 MB)")
    data = download(
        str(item["url_private"]),
        token=settings.slack_bot_token or "",
        hosts=allowed_hosts(settings),
    )
    log.info("photo downloaded: %s bytes, %s", len(data), item.get("mimetype"))
    return Photo(data, str(item.get("name") or "photo"), str(item.get("mimetype") or "image/*"))
