"""The test KBs' vectors kept beside them (tests/qa/kb_vectors.py) are complete, are the
installed model's, and spare a fresh cache the encoding."""

from __future__ import annotations

import random

import numpy as np
import pytest

from bot.kb import records as kb
from bot.qa.embedding import load_default
from bot.qa.service import build_engine
from bot.qa.vectors import VectorCache, text_hash
from tests.qa import kb_vectors

MODEL = load_default()
pytestmark = pytest.mark.skipif(MODEL is None, reason="the embedding model is not installed")

KB_FILES = kb_vectors.kb_files()


def test_every_test_kb_has_its_vectors_kept():
    assert len(KB_FILES) >= 20  # the demo and the districts under tests/qa/
    for kb_path in KB_FILES:
        path = kb_vectors.vectors_path(kb_path)
        assert path.exists(), f"{path} is missing: run `make test-vectors`"
        model, kept = kb_vectors.load(path)
        assert MODEL is not None and model == MODEL.model_id, (
            f"{path} holds {model}'s vectors, the model is {MODEL.model_id}: run `make test-vectors`"
        )
        missing = [t for t in kb_vectors.passages(kb_path) if text_hash(t) not in kept]
        assert not missing, (
            f"{len(missing)} passages of {kb_path} have no kept vector (the KB changed?), e.g."
            f" {missing[0]!r}: run `make test-vectors`"
        )


@pytest.mark.parametrize("kb_path", KB_FILES[::4], ids=lambda p: p.parent.name)
def test_the_kept_vectors_are_what_the_model_computes(kb_path):
    _, kept = kb_vectors.load(kb_vectors.vectors_path(kb_path))
    texts = kb_vectors.passages(kb_path)
    sample = [*random.Random(kb_path.parent.name).sample(texts, 3), max(texts, key=len)]
    assert MODEL is not None
    fresh = MODEL.encode_passages(sample)
    for text, vector in zip(sample, fresh, strict=True):
        # the same but for the model's last bits, which differ between CPUs (4-bit kernels
        # of other widths): measured from one machine to another, cosine ≥ 0.99993 with
        # components up to 2e-3 apart; every component 0.01 off is cosine 0.981
        assert _cosine(kept[text_hash(text)], vector) >= 0.9995, text


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def test_a_cache_seeded_from_them_builds_an_engine_without_encoding(tmp_path):
    seeded = kb_vectors.seed(tmp_path)
    assert seeded >= 9000
    assert kb_vectors.seed(tmp_path) == 0  # what the cache has is not put again
    parsed, _ = kb.load_and_validate(KB_FILES[-1])
    assert parsed is not None
    engine = build_engine(parsed, cache_dir=tmp_path)
    assert engine.semantic is not None and engine.outside is not None
    assert engine.semantic.complete and engine.semantic.encoded == 0
    assert engine.semantic.loaded_from_cache == len(engine.semantic.texts)
    assert engine.outside.encoded == 0  # the everyday questions come with the demo's


def test_a_vector_of_another_model_is_not_seeded(tmp_path, monkeypatch):
    class Other:
        model_id = "some-other-model"

    monkeypatch.setattr(kb_vectors, "load_default", lambda: Other())
    assert kb_vectors.seed(tmp_path) == 0
    cache = VectorCache(tmp_path)
    assert MODEL is not None
    hashes = [text_hash(t) for t in kb_vectors.passages(KB_FILES[1])]
    assert cache.get_many(MODEL.model_id, hashes) == {}


def test_no_cache_to_write_is_no_seeding(tmp_path):
    occupied = tmp_path / "a-file"
    occupied.write_text("not a directory")
    assert kb_vectors.seed(occupied / "cache") == 0  # (the suite starts all the same)


def test_the_kept_question_vectors_are_what_the_model_computes(_kept_question_vectors):
    kept = kb_vectors.load_questions(MODEL.model_id if MODEL else "")
    assert len(kept) >= 3000, (
        "questions.vectors.npz is missing or another model's: run `make test-vectors`"
    )
    texts = sorted(kept)
    sample = [*random.Random(7).sample(texts, 4), max(texts, key=len)]
    for text in sample:
        fresh = _kept_question_vectors.encode(MODEL, text)  # the model's own encode_query
        assert _cosine(kept[text], fresh) >= 0.9995, text


def test_the_kept_question_vectors_cover_the_questions_asked(tmp_path):
    """Scored as the tests score it, a set that is not blind has its questions answered from
    the kept vectors (a few may have changed since they were written); a question not kept
    is the model's."""
    from bot.qa.embedding import E5Embedder
    from tests.qa.evaluate import HOLDOUT_PATH, evaluate, load_cases

    assert (kb.demo_kb_path(), HOLDOUT_PATH) in kb_vectors.question_sets()
    assert not any(p.name in ("blind.yaml", "dev5.yaml") for _, p in kb_vectors.question_sets())
    counting = kb_vectors.KeptQuestions(E5Embedder.encode_query)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(E5Embedder, "encode_query", lambda self, text: counting(self, text))
        parsed, _ = kb.load_and_validate(kb.demo_kb_path())
        assert parsed is not None
        engine = build_engine(parsed)
        cases, now = load_cases(HOLDOUT_PATH)
        evaluate(engine, cases, now)
        assert counting.hits >= 30
        assert counting.misses <= 0.05 * counting.hits, "run `make test-vectors`"
        misses = counting.misses
        assert MODEL is not None
        new = "마을 텃밭 물 주는 당번은 누가 정해요 (never kept)"
        assert new not in (counting.kept or {})
        vector = MODEL.encode_query(new)
        assert counting.misses == misses + 1
        assert _cosine(vector, counting.encode(MODEL, new)) >= 0.9999
