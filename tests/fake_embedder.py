"""A stand-in for the embedding model where a test is about what the engine does with vectors
(the cache, background encoding, when the model is asked), not about the model's opinion:
deterministic unit vectors from a text's hash, in microseconds instead of ~30 ms a passage."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Sequence

import numpy as np

from bot.qa.embedding import Vectors


class FakeEmbedder:
    """Vectors from a text's hash; keeps the questions (``queries``) and passages
    (``encoded``) it was asked to encode. ``gate``: a batch waits for it to be set;
    ``seconds_per_passage``: a batch takes that long a passage (so that encoders overlap)."""

    def __init__(
        self,
        model_id: str = "fake-1",
        gate: threading.Event | None = None,
        seconds_per_passage: float = 0.0,
    ) -> None:
        self._id = model_id
        self.encoded: list[str] = []
        self.queries: list[str] = []
        self.gate = gate
        self.seconds_per_passage = seconds_per_passage

    @property
    def model_id(self) -> str:
        return self._id

    @staticmethod
    def vector(text: str) -> Vectors:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
        vector = np.random.default_rng(seed).standard_normal(16).astype(np.float32)
        return vector / np.linalg.norm(vector)

    def encode_query(self, text: str) -> Vectors:
        self.queries.append(text)
        return self.vector(text)

    def encode_passages(self, texts: Sequence[str]) -> Vectors:
        if self.gate is not None:
            assert self.gate.wait(30)
        if self.seconds_per_passage:
            time.sleep(self.seconds_per_passage * len(texts))
        self.encoded.extend(texts)
        return np.stack([self.vector(t) for t in texts])
