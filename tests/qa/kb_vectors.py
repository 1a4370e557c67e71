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
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import numpy as np

from bot.kb import records as kb
from bot.qa.embedding import Embedder, load_default
from bot.qa.engine import QAEngine
from bot.qa.outside import OUTSIDE_QUESTIONS
from bot.qa.vectors import SemanticIndex, VectorCache, default_cache_dir
from tests.qa.evaluate import DISTRICT_SETS

HERE = Path(__file__).parent
VECTORS_FILE = "kb.vectors.npz"
DEMO_VECTORS = HERE / "demo.vectors.npz"


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


def main() -> int:
    embedder = load_default()
    if embedder is None:
        print("the embedding model is not installed (or QA_MODEL=none)", file=sys.stderr)
        return 1
    write(embedder, VectorCache(default_cache_dir()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
