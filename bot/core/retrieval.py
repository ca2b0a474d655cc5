"""BM25 retrieval over policy passages (bm25s), with a light English stemmer."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np

from bot.core.models import Passage, ScoredPassage

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOPWORDS = frozenset(
    """a an and are as at be been but by can could did do does for from had has have he her
    him his how i if in into is it its me my of on or our out she so than that the their them
    then there these they this those to too up us was we were what when where which who whom
    why will with would you your just about also any all am may must not no""".split()
)
TITLE_WEIGHT = 3
_SUFFIXES = ("ingly", "edly", "ing", "ed", "ies", "es", "s", "ly")


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    if len(word) <= 4 or word.isdigit():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            root = word[: -len(suffix)]
            if suffix == "ies":
                return root + "y"
            if suffix in ("s", "es") and root.endswith("s"):
                return word  # "address", "witness"
            return root
    return word


def tokenize(text: str) -> list[str]:
    words = _WORD.findall(text.lower().replace("’", "'"))
    return [stem(word.split("'")[0]) for word in words if word not in STOPWORDS]


class PassageIndex:
    """A BM25 index over passages; passage order is the index's document order."""

    def __init__(self, passages: list[Passage], bm25: bm25s.BM25) -> None:
        self.passages = passages
        self._bm25 = bm25
        self._by_id = {passage.id: position for position, passage in enumerate(passages)}

    @classmethod
    def build(cls, passages: list[Passage]) -> PassageIndex:
        bm25 = bm25s.BM25()
        # A section title names its subject, so its words count three times.
        corpus = [
            (tokenize(passage.title) * TITLE_WEIGHT + tokenize(passage.text)) or ["_"]
            for passage in passages
        ]
        bm25.index(corpus, show_progress=False)
        return cls(passages, bm25)

    def save(self, directory: Path) -> None:
        self._bm25.save(str(directory / "bm25"), show_progress=False)

    @classmethod
    def load(cls, directory: Path, passages: list[Passage]) -> PassageIndex:
        bm25 = bm25s.BM25.load(str(directory / "bm25"), show_progress=False)
        return cls(passages, bm25)

    def position(self, passage_id: str) -> int | None:
        return self._by_id.get(passage_id)

    def search(
        self, query: str, k: int = 8, allowed: np.ndarray | None = None
    ) -> list[ScoredPassage]:
        """Top `k` passages for `query`; `allowed` is an optional 0/1 mask over passages."""
        tokens = tokenize(query)
        if not tokens or not self.passages:
            return []
        k = min(k, len(self.passages))
        documents, scores = self._bm25.retrieve(
            [tokens], k=k, show_progress=False, n_threads=0, weight_mask=allowed
        )
        results = []
        for position, score in zip(documents[0], scores[0], strict=True):
            if score <= 0:
                continue
            results.append(ScoredPassage(self.passages[int(position)], float(score)))
        return results
