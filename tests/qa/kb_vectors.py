"""The model's vectors of the test KBs, kept beside them (``kb.vectors.npz``).

Why: the Q&A tests need the vectors of the demo KB and of every district KB under
``tests/qa/`` (about 10,000 passages). The bot keeps vectors in its on-disk cache
(``~/.cache/maeul``, :mod:`bot.qa.vectors`), so a machine that has run the suite once reads
them in a second; a machine that never has spent 7–10 CPU-minutes encoding them (45–60 ms a
passage here), which was most of the gap between a warm `make test` (~5.5 min) and a cold
one (~9.5 min). The texts of these KBs change rarely; their vectors are a pure function of
the model and the text, so they are kept here and put into the cache before the suite starts
(:func:`seed`, from ``tests/conftest.py``). Nothing else changes: the engine reads the cache
as it always does, and a passage whose vector is not kept (a KB edited since) is encoded as
before — only slower.

What keeps this honest (``tests/test_qa_kb_vectors.py``): every passage of every test KB has
its vector here (a KB edited without ``make test-vectors`` fails that test), the kept vectors
are what the installed model computes for a sample of texts (a new model version, or a file
written wrong, fails), and a cache seeded from them builds an engine without encoding.

Write them again after editing a test KB or changing how passages are made:
``make test-vectors`` (``python -m tests.qa.kb_vectors``; it encodes only what the local
cache lacks).

The questions' vectors likewise (``questions.vectors.npz``): the evaluation sets the tests
score (tests/test_qa_eval.py, about 3,000 questions of the sets that are not blind) had the
model encode every question anew in every run, 35 ms each: two of the suite's CPU-minutes.
A question's vector is a pure function of the model and its text too; :func:`keep_questions`
(from ``tests/conftest.py``) makes the model answer a question it has a kept vector for with
that vector, and encode any other as before. Only the sets that are not blind are encoded
for the file (:func:`question_sets`): the blind sets' questions are encoded as they always
were, and no vector of theirs is written anywhere. A question not kept (a set or the
engine's reading of a question changed since) costs time, nothing else;
``tests/test_qa_kb_vectors.py`` checks the kept ones are the model's and still cover the
questions asked.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Any

import numpy as np

from bot.kb import records as kb
from bot.qa.embedding import E5Embedder, Embedder, load_default
from bot.qa.engine import QAEngine
from bot.qa.outside import OUTSIDE_QUESTIONS
from bot.qa.vectors import SemanticIndex, VectorCache, default_cache_dir
from tests.qa.evaluate import DISTRICT_SETS, evaluate, load_cases, tuning_sets

HERE = Path(__file__).parent
VECTORS_FILE = "kb.vectors.npz"
DEMO_VECTORS = HERE / "demo.vectors.npz"
QUESTION_VECTORS = HERE / "questions.vectors.npz"
NEVER_ENCODED = ("blind.yaml", "dev5.yaml")  # blind sets: their questions are not kept


def kb_files() -> list[Path]:
    """The demo KB and the district KBs the Q&A tests use (:data:`DISTRICT_SETS`)."""
    return [kb.demo_kb_path(), *sorted({path for path, _ in DISTRICT_SETS.values()})]


def vectors_path(kb_path: Path) -> Path:
    return DEMO_VECTORS if kb_path == kb.demo_kb_path() else kb_path.with_name(VECTORS_FILE)


def passages(kb_path: Path) -> list[str]:
    """The distinct texts the engine encodes for this KB (the demo's with the everyday
    questions for other offices, which every engine encodes too)."""
    parsed, problems = kb.load_and_validate(kb_path)
    assert parsed is not None, problems
    texts = [text for record in QAEngine(parsed)._passages() for text in record]
    if kb_path == kb.demo_kb_path():
        texts += OUTSIDE_QUESTIONS
    return list(dict.fromkeys(texts))


def load(path: Path) -> tuple[str, dict[str, np.ndarray]]:
    """(model id, vectors by passage hash) of one kept file."""
    with np.load(path) as data:
        hashes = [h.decode() for h in data["hashes"]]
        return str(data["model"]), dict(zip(hashes, data["vectors"], strict=True))


def seed(cache_dir: Path | None = None) -> int:
    """Put the kept vectors the cache lacks into it; how many. Nothing when the model is
    off or not the one they were computed with, or when there is no cache to write."""
    embedder = load_default()
    if embedder is None:
        return 0
    try:
        cache = VectorCache(cache_dir or default_cache_dir())
    except (OSError, sqlite3.Error):  # (a read-only home: the engine encodes, as it would)
        return 0
    put = 0
    for kb_path in kb_files():
        path = vectors_path(kb_path)
        if not path.exists():
            continue
        model, kept = load(path)
        if model != embedder.model_id:
            continue
        missing = set(kept) - set(cache.get_many(model, list(kept)))
        cache.put_many(model, {h: kept[h] for h in missing})
        put += len(missing)
    return put


def write(embedder: Embedder, cache: VectorCache) -> None:
    """Write each KB's file anew (encoding, as the bot does, only what the cache lacks)."""
    for kb_path in kb_files():
        texts = passages(kb_path)
        index = SemanticIndex(embedder, [texts], cache)
        index.encode_all()
        hashes = index.hashes
        found = cache.get_many(embedder.model_id, hashes)
        assert len(found) == len(hashes), f"the cache did not keep {kb_path}'s vectors"
        np.savez_compressed(
            vectors_path(kb_path),
            model=np.array(embedder.model_id),
            hashes=np.array([h.encode() for h in hashes], dtype="S32"),
            vectors=np.stack([found[h] for h in hashes]).astype(np.float32),
        )
        print(f"{vectors_path(kb_path).relative_to(HERE.parent.parent)}: {len(texts)} passages"
              f" ({index.encoded} encoded)")  # fmt: skip


def question_sets() -> list[tuple[Path, Path]]:
    """(KB, question set) of every set the tests score that is not blind: the demo's tuning
    sets and the districts' development and out-of-scope sets."""
    sets = [(kb.demo_kb_path(), path) for _, path in tuning_sets()]
    sets += sorted({pair for pair in DISTRICT_SETS.values() if pair[1].name not in NEVER_ENCODED})
    assert not any(path.name in NEVER_ENCODED for _, path in sets)
    return sets


def load_questions(model_id: str, path: Path = QUESTION_VECTORS) -> dict[str, np.ndarray]:
    """The kept vectors of questions, by text, if they are ``model_id``'s (else none)."""
    if not path.exists():
        return {}
    with np.load(path) as data:
        if str(data["model"]) != model_id:
            return {}
        return dict(zip(data["texts"].tolist(), data["vectors"], strict=True))


class KeptQuestions:
    """The model's ``encode_query`` with the kept vectors first (see the module docstring):
    installed on :class:`E5Embedder` for the test session by :func:`keep_questions`."""

    def __init__(self, encode: Any, path: Path = QUESTION_VECTORS) -> None:
        self.encode = encode  # the model's own
        self.path = path
        self.kept: dict[str, np.ndarray] | None = None  # read at the first question
        self.hits = 0
        self.misses = 0

    def __call__(self, embedder: E5Embedder, text: str) -> np.ndarray:
        if self.kept is None:
            self.kept = load_questions(embedder.model_id, self.path)
        found = self.kept.get(text)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        return self.encode(embedder, text)


def keep_questions(patch: Any) -> KeptQuestions:
    """Put :class:`KeptQuestions` in place of the model's ``encode_query`` (``patch``: a
    pytest ``MonkeyPatch``, which puts it back)."""
    kept = KeptQuestions(E5Embedder.encode_query)

    def encode_query(self: E5Embedder, text: str) -> np.ndarray:
        return kept(self, text)

    patch.setattr(E5Embedder, "encode_query", encode_query)
    return kept


def write_questions(embedder: Embedder, cache: VectorCache) -> None:
    """The file of the questions' vectors anew: every set of :func:`question_sets` scored by
    its KB's engine, as the tests score it, and each text the engine had the model encode
    kept."""
    from bot.qa.service import build_engine

    encoded: dict[str, np.ndarray] = {}
    encode = embedder.encode_query

    def recording(text: str) -> np.ndarray:
        vector = encoded.get(text)
        if vector is None:
            vector = encoded[text] = np.asarray(encode(text), dtype=np.float32)
        return vector

    engines: dict[Path, QAEngine] = {}
    for kb_path, path in question_sets():
        if kb_path not in engines:
            parsed, problems = kb.load_and_validate(kb_path)
            assert parsed is not None, problems
            engines[kb_path] = build_engine(parsed, cache_dir=cache.path.parent)
        engine = engines[kb_path]
        assert engine.semantic is not None and engine.semantic.wait(600)
        engine.semantic.embedder.encode_query = recording  # type: ignore[method-assign]
        try:
            cases, now = load_cases(path)
            evaluate(engine, cases, now)
        finally:
            del engine.semantic.embedder.encode_query  # type: ignore[attr-defined]
    texts = sorted(encoded)
    np.savez_compressed(
        QUESTION_VECTORS,
        model=np.array(embedder.model_id),
        texts=np.array(texts),
        vectors=np.stack([encoded[t] for t in texts]).astype(np.float32),
    )
    print(f"{QUESTION_VECTORS.relative_to(HERE.parent.parent)}: {len(texts)} questions")


def main() -> int:
    embedder = load_default()
    if embedder is None:
        print("the embedding model is not installed (or QA_MODEL=none)", file=sys.stderr)
        return 1
    cache = VectorCache(default_cache_dir())
    write(embedder, cache)
    write_questions(embedder, cache)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
