"""Fit the judge's heads on the labelled corpus, choose its thresholds, measure it honestly.

Reproducible: a fixed seed, the corpus read in file order, and solvers with no randomness
left. `leave_one_batch_out` scores every batch with heads fitted on the other batches, so the
figure for unseen wording is always at hand. scikit-learn is imported here only (training);
answering a draft needs numpy alone.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.core.evaluation import EvalCase
from bot.core.judge import (
    CONTEXT_FEATURES,
    EMBEDDING_DIM,
    Assessment,
    Embedder,
    JudgeModel,
    context_vector,
    corpus_hash,
    ngrams,
)
from bot.core.models import VERDICTS
from bot.core.topics import TOPIC_KEYS

SEED = 1058
MAX_UNSAFE_SHARE = 0.01  # the ok threshold allows at most this share of unsafe approvals
SURE_THRESHOLD = 0.9
MIN_DF = 2
MAX_VOCABULARY = 60_000
MIN_TOPIC_POSITIVES = 4
FOLD_WORKERS = 2  # this machine's cores


@dataclass(frozen=True)
class TrainConfig:
    embedding_scale: float = 1.0
    harm_c: float = 4.0
    verdict_c: float = 4.0
    topic_c: float = 4.0
    use_sparse: bool = True
    use_embedding: bool = True
    seed: int = SEED


DEFAULT_CONFIG = TrainConfig()
Progress = Callable[[str], None]


# ------------------------------------------------------------------------ embeddings
class EmbeddingCache:
    """Embeddings of corpus drafts on disk, keyed by the text's hash (training only)."""

    def __init__(self, path: Path | None, embedder: Embedder) -> None:
        self.path = path
        self.embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}
        if path and path.exists():
            try:
                with np.load(path, allow_pickle=False) as data:
                    keys = [str(key) for key in data["keys"]]
                    self._vectors = dict(zip(keys, data["vectors"], strict=True))
            except (OSError, ValueError, KeyError):
                self._vectors = {}  # a damaged cache is rebuilt

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if self.key(t) not in self._vectors))
        for start in range(0, len(missing), 32):
            chunk = missing[start : start + 32]
            for text, vector in zip(chunk, self.embedder.encode(chunk), strict=True):
                self._vectors[self.key(text)] = vector.astype(np.float32)
            if progress:
                progress(f"embedded {min(start + 32, len(missing))}/{len(missing)} drafts")
        if missing:
            self._save()
        return np.stack([self._vectors[self.key(text)] for text in texts])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """The Embedder interface, so a Judge can read through the cache."""
        return self.embed(texts)

    def _save(self) -> None:
        if not self.path:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            keys = sorted(self._vectors)
            temporary = self.path.with_suffix(".tmp.npz")
            np.savez_compressed(
                temporary,
                keys=np.array(keys, dtype=np.str_),
                vectors=np.stack([self._vectors[key] for key in keys]).astype(np.float32),
            )
            temporary.replace(self.path)
        except OSError:
            pass  # the cache only saves time


# ------------------------------------------------------------------------ features
@dataclass(frozen=True)
class GramTable:
    """Every n-gram of the corpus once: each draft as (gram id, count) arrays, so that a
    fold's vocabulary and its TF-IDF matrix are array work, not a recount per fold."""

    grams: np.ndarray  # gram id -> gram text
    ids: list[np.ndarray]
    counts: list[np.ndarray]

    @classmethod
    def of(cls, documents: Sequence[list[str]]) -> GramTable:
        index: dict[str, int] = {}
        ids, counts = [], []
        for document in documents:
            tally = Counter(document)
            ids.append(
                np.fromiter((index.setdefault(g, len(index)) for g in tally), np.int64, len(tally))
            )
            counts.append(np.fromiter(tally.values(), np.float32, len(tally)))
        grams = np.array(sorted(index, key=index.__getitem__), dtype=np.str_)
        return cls(grams, ids, counts)


@dataclass
class FeatureSpace:
    vocabulary: list[str]
    idf: np.ndarray
    columns: np.ndarray  # gram id -> column, -1 when the gram is not in the vocabulary

    @classmethod
    def fit(cls, table: GramTable, rows: Sequence[int]) -> FeatureSpace:
        """Grams in at least MIN_DF of these drafts, the MAX_VOCABULARY most frequent."""
        frequency = np.zeros(len(table.grams), dtype=np.int64)
        for row in rows:
            frequency[table.ids[row]] += 1
        kept = np.flatnonzero(frequency >= MIN_DF)
        order = np.lexsort((table.grams[kept], -frequency[kept]))
        kept = kept[order[:MAX_VOCABULARY]]
        kept = kept[np.argsort(table.grams[kept], kind="stable")]
        columns = np.full(len(table.grams), -1, dtype=np.int64)
        columns[kept] = np.arange(len(kept))
        total = len(rows)
        idf = (np.log((1 + total) / (1 + frequency[kept])) + 1.0).astype(np.float32)
        return cls([str(gram) for gram in table.grams[kept]], idf, columns)

    def matrix(self, table: GramTable, rows: Sequence[int]):  # noqa: ANN201 - scipy sparse
        from scipy.sparse import csr_matrix

        indptr = [0]
        indices, values = [], []
        for row in rows:
            columns = self.columns[table.ids[row]]
            present = columns >= 0
            columns = columns[present]
            weights = (1.0 + np.log(table.counts[row][present])) * self.idf[columns]
            weights /= float(np.linalg.norm(weights)) or 1.0
            indices.append(columns)
            values.append(weights)
            indptr.append(indptr[-1] + len(columns))
        return csr_matrix(
            (
                np.concatenate(values) if values else np.zeros(0, np.float32),
                np.concatenate(indices) if indices else np.zeros(0, np.int64),
                np.array(indptr),
            ),
            shape=(len(rows), len(self.vocabulary)),
        )


@dataclass
class CorpusFeatures:
    cases: list[EvalCase]
    embeddings: np.ndarray
    table: GramTable
    rows: list[int]  # this subset's drafts in `table`
    context: np.ndarray

    @classmethod
    def build(
        cls, cases: list[EvalCase], cache: EmbeddingCache, progress: Progress | None = None
    ) -> CorpusFeatures:
        embeddings = cache.embed([case.text for case in cases], progress)
        table = GramTable.of([ngrams(case.text) for case in cases])
        context = np.stack([context_vector(case.account, case.incident) for case in cases])
        return cls(cases, embeddings, table, list(range(len(cases))), context)

    def subset(self, rows: Sequence[int]) -> CorpusFeatures:
        return CorpusFeatures(
            [self.cases[i] for i in rows],
            self.embeddings[list(rows)],
            self.table,
            [self.rows[i] for i in rows],
            self.context[list(rows)],
        )


def _design(features: CorpusFeatures, space: FeatureSpace, config: TrainConfig):  # noqa: ANN202
    from scipy.sparse import csr_matrix, hstack

    blocks = []
    if config.use_sparse:
        blocks.append(space.matrix(features.table, features.rows))
    else:
        blocks.append(csr_matrix((len(features.cases), len(space.vocabulary))))
    embedding = features.embeddings * config.embedding_scale
    if not config.use_embedding:
        embedding = np.zeros_like(embedding)
    blocks.append(csr_matrix(np.hstack([embedding, features.context])))
    return hstack(blocks).tocsr()


# ------------------------------------------------------------------------ fitting
def fit_heads(
    features: CorpusFeatures,
    config: TrainConfig,
    *,
    with_topics: bool = True,
    with_verdicts: bool = True,
) -> JudgeModel:
    """Heads on this corpus (the ok threshold is set afterwards, from held-out scores).

    Without the verdict head every draft the judge does not clear reads as `needs_review`;
    whether a draft is cleared, and so every unsafe approval, is the same either way."""
    from sklearn.linear_model import LogisticRegression

    space = FeatureSpace.fit(features.table, features.rows)
    design = _design(features, space, config)
    vocabulary_size = len(space.vocabulary)
    heads: list[str] = []
    rows: list[np.ndarray] = []
    biases: list[float] = []

    harmful = np.array([case.expected != "ok" for case in features.cases])
    harm = LogisticRegression(
        C=config.harm_c, class_weight="balanced", solver="liblinear", random_state=config.seed
    ).fit(design, harmful)
    heads.append("harm")
    rows.append(harm.coef_[0])
    biases.append(float(harm.intercept_[0]))

    if with_verdicts:
        labels = np.array([VERDICTS.index(case.expected) for case in features.cases])
        verdict = LogisticRegression(
            C=config.verdict_c, class_weight="balanced", max_iter=3000, random_state=config.seed
        ).fit(design, labels)
        for verdict_name in VERDICTS:
            position = list(verdict.classes_).index(VERDICTS.index(verdict_name))
            heads.append(f"verdict:{verdict_name}")
            rows.append(verdict.coef_[position])
            biases.append(float(verdict.intercept_[position]))
    else:
        for verdict_name in VERDICTS:
            heads.append(f"verdict:{verdict_name}")
            rows.append(np.zeros(design.shape[1]))
            biases.append(0.0)

    if with_topics:
        for key in TOPIC_KEYS:
            positives = np.array([key in case.topics for case in features.cases])
            if positives.sum() < MIN_TOPIC_POSITIVES:
                continue
            head = LogisticRegression(
                C=config.topic_c,
                class_weight="balanced",
                solver="liblinear",
                random_state=config.seed,
            ).fit(design, positives)
            heads.append(f"topic:{key}")
            rows.append(head.coef_[0])
            biases.append(float(head.intercept_[0]))

    weights = np.vstack(rows).astype(np.float32)
    meta = {
        "embedding_scale": config.embedding_scale if config.use_embedding else 0.0,
        "ok_threshold": 0.5,
        "sure_threshold": SURE_THRESHOLD,
        "context_features": list(CONTEXT_FEATURES),
    }
    dense = weights[:, vocabulary_size:]
    sparse = weights[:, :vocabulary_size] if config.use_sparse else weights[:, :0]
    if not config.use_sparse:
        sparse = np.zeros((len(heads), vocabulary_size), dtype=np.float32)
    assert dense.shape[1] == EMBEDDING_DIM + len(CONTEXT_FEATURES)
    return JudgeModel(
        vocabulary=space.vocabulary,
        idf=space.idf,
        dense_weights=dense,
        sparse_weights=sparse,
        bias=np.array(biases, dtype=np.float32),
        heads=heads,
        meta=meta,
        neighbours=features.embeddings,
        neighbour_harmful=harmful,
    )


def score_rows(model: JudgeModel, features: CorpusFeatures) -> list[Assessment]:
    """The model's Assessment of every draft, as the Judge reads it."""
    return [
        model.score(features.embeddings[i], case.text, case.account, case.incident)
        for i, case in enumerate(features.cases)
    ]


def choose_ok_threshold(
    harm: Sequence[float],
    harmful: Sequence[bool],
    caught: Sequence[bool] | None = None,
    max_unsafe: float = MAX_UNSAFE_SHARE,
) -> float:
    """The highest harm threshold whose unsafe approvals stay within `max_unsafe` of the
    harmful drafts (a draft is `ok` when its harm is below the threshold).

    `caught` marks drafts the rule table already stops: the judge's threshold only has to
    hold back the harmful drafts that get past the rules."""
    caught = caught if caught is not None else [False] * len(harm)
    total_bad = sum(harmful)
    if not total_bad:
        return 0.5
    open_bad = sorted(
        h
        for h, is_bad, stopped in zip(harm, harmful, caught, strict=True)
        if is_bad and not stopped
    )
    allowed = int(max_unsafe * total_bad)
    # Below the (allowed+1)-th lowest harm among harmful drafts, at most `allowed` pass.
    return float(open_bad[allowed]) if allowed < len(open_bad) else 1.0


@dataclass
class FoldScores:
    """Out-of-fold assessments: every draft scored by heads that never saw its batch."""

    cases: list[EvalCase]
    assessments: list = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # each case's position in the corpus


def leave_one_batch_out(
    features: CorpusFeatures,
    config: TrainConfig,
    progress: Progress | None = None,
    batches: Sequence[str] | None = None,
    with_verdicts: bool = True,
) -> FoldScores:
    """Score each batch with heads fitted on the others. Folds run two at a time (the
    solvers release the GIL); the result does not depend on the order they finish in."""
    names = list(dict.fromkeys(case.batch for case in features.cases))
    targets = list(batches) if batches else names

    def fold(name: str) -> tuple[str, list[int], list[Assessment]]:
        test_rows = [i for i, case in enumerate(features.cases) if case.batch == name]
        train_rows = [i for i, case in enumerate(features.cases) if case.batch != name]
        if not test_rows or not train_rows:
            return name, [], []
        model = fit_heads(
            features.subset(train_rows), config, with_topics=False, with_verdicts=with_verdicts
        )
        return name, test_rows, score_rows(model, features.subset(test_rows))

    out = FoldScores(cases=[], assessments=[])
    with ThreadPoolExecutor(max_workers=FOLD_WORKERS) as pool:
        for name, test_rows, assessments in pool.map(fold, targets):
            out.cases += [features.cases[i] for i in test_rows]
            out.rows += test_rows
            out.assessments += assessments
            if progress and test_rows:
                progress(f"left out {name}: {len(test_rows)} drafts")
    return out


def _as_saved(model: JudgeModel) -> JudgeModel:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "judge.npz"
        model.save(path)
        return JudgeModel.load(path)


@dataclass
class TrainResult:
    model: JudgeModel
    drafts: int
    batches: list[str]
    ok_threshold: float
    seconds: float
    held_out_threshold: float = 0.0  # before the cap below every labelled harmful draft


def train(
    cases: list[EvalCase],
    cache: EmbeddingCache,
    caught: Sequence[bool],
    config: TrainConfig = DEFAULT_CONFIG,
    progress: Progress | None = None,
) -> TrainResult:
    """Fit on the whole corpus; the ok threshold comes from leave-one-batch-out scores.

    `caught[i]` is True when the rule table alone already keeps draft i from `ok`."""
    started = time.perf_counter()
    features = CorpusFeatures.build(cases, cache, progress)
    folds = leave_one_batch_out(features, config, progress, with_verdicts=False)
    threshold = choose_ok_threshold(
        [a.harm for a in folds.assessments],
        [c.expected != "ok" for c in folds.cases],
        [caught[row] for row in folds.rows],
    )
    model = fit_heads(features, config)
    # The held-out threshold may still approve a labelled harmful draft the rules miss; the
    # shipped judge must never approve one it was trained on, so it stays below all of them.
    # They are scored as shipped: the model file keeps its weights in float16.
    in_sample = score_rows(_as_saved(model), features)
    known_open = [
        a.harm
        for a, case, stopped in zip(in_sample, cases, caught, strict=True)
        if case.expected != "ok" and not stopped
    ]
    held_out_threshold = threshold
    if known_open and min(known_open) < threshold:
        threshold = float(min(known_open))
    lines = [json.dumps([c.id, c.text, c.account, c.incident, c.expected]) for c in cases]
    model.meta.update(
        {
            "ok_threshold": threshold,
            "corpus": corpus_hash(lines),
            "drafts": len(cases),
            "batches": sorted({case.batch for case in cases}),
            "seed": config.seed,
            "config": config.__dict__,
            "embedding": "use-multilingual-v3",
        }
    )
    model.meta["version"] = hashlib.sha256(
        json.dumps(model.meta, sort_keys=True).encode()
    ).hexdigest()[:12]
    model.ok_threshold = threshold
    model.version = model.meta["version"]
    return TrainResult(
        model=model,
        drafts=len(cases),
        batches=model.meta["batches"],
        ok_threshold=threshold,
        seconds=time.perf_counter() - started,
        held_out_threshold=held_out_threshold,
    )
