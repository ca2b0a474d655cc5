"""The judge: reproducible training, a model file that round-trips, clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.core.errors import PolicyError
from bot.core.evaluation import EVALS_DIR, load_cases
from bot.core.judge import JudgeModel, UniversalSentenceEncoder
from bot.core.training import EmbeddingCache, choose_ok_threshold, train

SMALL = ("holdout.jsonl", "fresh.jsonl", "fresh2.jsonl")


@pytest.fixture(scope="module")
def cache() -> EmbeddingCache:
    return EmbeddingCache(None, UniversalSentenceEncoder())


def test_training_is_reproducible_and_the_model_file_round_trips(
    cache: EmbeddingCache, tmp_path: Path
) -> None:
    cases = [case for name in SMALL for case in load_cases(EVALS_DIR / name)]
    caught = [False] * len(cases)
    first = train(cases, cache, caught)
    second = train(cases, cache, caught)
    assert first.model.version == second.model.version
    assert first.batches == ["fresh", "fresh2", "holdout"]

    path = tmp_path / "judge.npz"
    first.model.save(path)
    loaded = JudgeModel.load(path)
    assert loaded.version == first.model.version
    assert loaded.ok_threshold == pytest.approx(first.ok_threshold)
    text = "Prayers for the lady who got jumped outside the laundromat on Fifth last night"
    vector = cache.encode([text])[0]
    saved = first.model.score(vector, text, "personal", False)
    again = loaded.score(vector, text, "personal", False)
    assert again.harm == pytest.approx(saved.harm, abs=2e-3)  # weights are kept as float16


def test_the_ok_threshold_lets_at_most_the_allowed_share_through() -> None:
    harm = [0.1, 0.2, 0.3, 0.4, 0.05, 0.9, 0.8]
    harmful = [True, True, True, True, False, False, False]
    # 1% of 4 harmful drafts is 0 allowed: the threshold sits at the least harmful-looking one.
    assert choose_ok_threshold(harm, harmful) == 0.1
    # Drafts the rules already stop need no help from the judge.
    assert (
        choose_ok_threshold(harm, harmful, caught=[True, False, True, True, False, False, False])
        == 0.2
    )
    threshold = choose_ok_threshold(harm, harmful, max_unsafe=0.25)
    passed = [h < threshold for h, bad in zip(harm, harmful, strict=True) if bad]
    assert sum(passed) <= 1


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "is missing: run `canipost train`"), (b"not a model", "cannot be read")],
)
def test_a_missing_or_damaged_model_file_is_one_clear_error(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "judge.npz"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(PolicyError, match=message.replace("`", ".")):
        JudgeModel.load(path)


def test_an_embedding_is_a_unit_vector_and_meaning_beats_wording(cache: EmbeddingCache) -> None:
    victim, paraphrase, unrelated = cache.encode(
        [
            "We must not post the name of the victim of the robbery.",
            "Don't share who the lady that got robbed was.",
            "Pancake breakfast at the fire hall on Sunday.",
        ]
    )
    assert np.linalg.norm(victim) == pytest.approx(1.0, abs=1e-3)
    assert float(victim @ paraphrase) > float(victim @ unrelated)
