"""Passage embeddings, cached on disk, fused with BM25 by reciprocal rank fusion.

The cache lives in `settings.index_dir / "embeddings"`, one file per embedding model and
endpoint, keyed by the SHA-256 of the embedded text: re-indexing an unchanged policy makes
no embedding call, and a changed policy only embeds the passages that changed. Vectors of
older policy versions stay in the file (they are small) so switching back is free too.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.config import Settings
from bot.core.engine import Engine
from bot.core.models import Passage
from bot.llm.client import ModelClient
from bot.llm.config import LLMOptions
from bot.llm.pricing import estimate_cost

log = logging.getLogger(__name__)


def passage_text(passage: Passage) -> str:
    """What is embedded for a passage: its section title, then its text."""
    return f"{passage.title}\n{passage.text}"


def content_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cache_file(directory: Path, model: str, base_url: str | None) -> Path:
    """One file per model and endpoint: two servers' "same" model need not agree."""
    endpoint = hashlib.sha256((base_url or "api.openai.com").encode()).hexdigest()[:8]
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model)
    return Path(directory) / f"{slug}-{endpoint}.npz"


class EmbeddingCache:
    """Vectors keyed by content hash in one .npz file, written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, np.ndarray]:
        try:
            with np.load(self.path, allow_pickle=False) as data:
                keys = [str(key) for key in data["keys"]]
                vectors = np.asarray(data["vectors"], dtype=np.float32)
        except (OSError, KeyError, ValueError):
            return {}  # missing or damaged: re-embed
        if vectors.ndim != 2 or len(keys) != len(vectors):
            return {}
        return dict(zip(keys, vectors, strict=True))

    def save(self, vectors: dict[str, np.ndarray]) -> None:
        if not vectors:
            return
        keys = list(vectors)
        matrix = np.stack([vectors[key] for key in keys]).astype(np.float32)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, staging = tempfile.mkstemp(
                prefix=".embeddings-", suffix=".npz", dir=self.path.parent
            )
            with os.fdopen(handle, "wb") as stream:
                np.savez(stream, keys=np.array(keys), vectors=matrix)
            os.replace(staging, self.path)
        except OSError as error:  # a read-only disk costs the cache, not the answer
            log.warning("embedding cache not saved (%s)", type(error).__name__)


@dataclass(frozen=True)
class EmbeddingIndexStats:
    """What `canipost index` reports for the embeddings (safe to log)."""

    model: str
    passages: int
    cached: int
    embedded: int
    calls: int
    tokens: int
    cost_usd: float
    seconds: float


class EmbeddingIndex:
    """Unit-length passage vectors aligned with `engine.passages`."""

    def __init__(self, passages: Sequence[Passage], matrix: np.ndarray) -> None:
        self.ids = [passage.id for passage in passages]
        self.matrix = matrix

    @classmethod
    def build(
        cls,
        engine: Engine,
        client: ModelClient,
        cache: EmbeddingCache,
        options: LLMOptions,
    ) -> tuple[EmbeddingIndex, EmbeddingIndexStats]:
        """Embed the passages the cache does not hold; raises ModelUnavailable."""
        started = time.perf_counter()
        passages = list(engine.passages)
        keys = [content_key(passage_text(passage)) for passage in passages]
        stored = cache.load()
        dims = {vector.shape[0] for vector in stored.values()}
        if len(dims) > 1:
            stored = {}
        missing = [i for i, key in enumerate(keys) if key not in stored]
        # the same text twice is embedded once
        todo = list(dict.fromkeys(keys[i] for i in missing))
        texts = {keys[i]: passage_text(passages[i]) for i in missing}
        calls = tokens = 0
        for start in range(0, len(todo), options.embedding_batch):
            batch = todo[start : start + options.embedding_batch]
            result = client.embed([texts[key] for key in batch])
            calls += 1
            tokens += result.tokens
            for key, vector in zip(batch, result.vectors, strict=True):
                stored[key] = np.asarray(vector, dtype=np.float32)
        if todo:
            cache.save(stored)
        matrix = _unit_rows(np.stack([stored[key] for key in keys])) if keys else np.zeros((0, 1))
        stats = EmbeddingIndexStats(
            model=client.embedding_model,
            passages=len(passages),
            cached=len(passages) - len(missing),
            embedded=len(todo),
            calls=calls,
            tokens=tokens,
            cost_usd=estimate_cost(client.embedding_model, tokens) or 0.0,
            seconds=time.perf_counter() - started,
        )
        return cls(passages, matrix), stats

    def rank(self, query: Sequence[float], k: int) -> list[str]:
        """Ids of the `k` passages closest to `query` (cosine), best first."""
        vector = np.asarray(query, dtype=np.float32)
        if not self.ids or vector.shape[0] != self.matrix.shape[1]:
            return []
        norm = float(np.linalg.norm(vector))
        if norm == 0.0:
            return []
        scores = self.matrix @ (vector / norm)
        order = np.argsort(-scores, kind="stable")[:k]
        return [self.ids[int(position)] for position in order]


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32)


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = 60) -> list[str]:
    """Fuse ranked id lists: score(id) = sum of 1 / (k + rank); ties keep first-seen order."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores, key=lambda item: -scores[item])


def embeddings_dir(settings: Settings) -> Path:
    return settings.index_dir / "embeddings"


def index_embeddings(
    settings: Settings,
    engine: Engine,
    *,
    options: LLMOptions | None = None,
    client: ModelClient | None = None,
) -> EmbeddingIndexStats:
    """For `canipost index` with a key set: embed new passages, reuse cached ones.

    Raises bot.llm.client.ModelUnavailable when the embedding endpoint fails.
    """
    options = options or LLMOptions()
    client = client or ModelClient(settings, options)
    cache = EmbeddingCache(
        cache_file(embeddings_dir(settings), client.embedding_model, settings.openai_base_url)
    )
    _, stats = EmbeddingIndex.build(engine, client, cache, options)
    return stats
