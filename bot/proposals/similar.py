"""How alike two proposals are: a small, explainable text similarity for Korean (and English).

Korean is written with spacing that residents do not agree on (안전펜스 / 안전 펜스) and
with particles glued to nouns (놀이터에, 놀이터를), so words are poor features. We use
character bigrams of the Hangul text with the spaces taken out, plus whole words for
Latin-script text (CCTV, LED), and compare the two bags with the cosine. Polite request
endings (해 주세요, 했으면 좋겠습니다) and a few bigrams that every Korean sentence has
(니다, 세요) are dropped first, so two unrelated requests do not look alike just for being
polite. The score of two proposals mixes the titles' similarity with that of their whole
texts; :data:`THRESHOLD` was chosen on the paraphrases in ``tests/test_proposals_unit.py``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

THRESHOLD = 0.25
"""Proposals scoring at least this are shown as similar."""

TITLE_WEIGHT = 0.5

SIGNATURES_CACHED = 256
"""Proposals whose bags are kept (:func:`signature`): a preview compares the draft with every
open proposal of its dong and theme, each time. Measured: ~25 KiB for a 200-character
proposal, ~190 KiB at the longest description allowed, so the cache holds 6–50 MiB."""

_ENDINGS = re.compile(
    r"(?:해\s*주(?:세요|십시오|시면|었으면)|주(?:세요|십시오)|합시다|했으면\s*좋겠\w*|"
    r"하면\s*좋겠\w*|좋겠(?:습니다|어요|다)|바랍니다|원합니다|부탁\w*|요청(?:합니다|해요|드립니다)|"
    r"(?:습|입|합|됩)니다|해요|어요|아요|예요|이에요)"
)
_HANGUL = re.compile(r"[\uac00-\ud7a3]+")
_LATIN_WORD = re.compile(r"[a-z0-9]{2,}")
_STOP_BIGRAMS = frozenset(
    "니다 습니 합니 입니 세요 주세 해주 있는 하는 에서 으로 어요 해요 좋겠 겠습 으면 했으 "
    "그리 리고 하고 에게 는데 지만 니까 우리 저희 주민 마을 동네".split()
)
_STOP_WORDS = frozenset(
    "the and for with that this are our please would like could should from have more "
    "need needs want some".split()
)

Features = Counter[str]


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower()
    return _ENDINGS.sub(" ", text)


def features(text: str) -> Features:
    """Hangul character bigrams (spacing ignored) and Latin-script words."""
    text = normalize(text)
    hangul = "".join(_HANGUL.findall(text))
    bag: Features = Counter(
        gram
        for gram in (hangul[i : i + 2] for i in range(len(hangul) - 1))
        if gram not in _STOP_BIGRAMS
    )
    if len(hangul) == 1:
        bag[hangul] += 1
    for word in _LATIN_WORD.findall(text):
        if word not in _STOP_WORDS:
            stem = word.removesuffix("s") if len(word) > 3 else word  # lights ~ light
            bag["w:" + stem] += 1
    return bag


@dataclass(frozen=True, slots=True)
class Signature:
    """A proposal's two bags (title; title and text) with their lengths, made once.

    Shared through :func:`signature`'s cache: read it, never change its bags."""

    title: Features
    whole: Features
    title_norm: float
    whole_norm: float


def _norm(bag: Features) -> float:
    return math.sqrt(sum(c * c for c in bag.values()))


@lru_cache(maxsize=SIGNATURES_CACHED)
def signature(title: str, text: str) -> Signature:
    """The bags of one proposal; the same title and text are not taken apart again."""
    title_bag, whole_bag = features(title), features(f"{title} {text}")
    return Signature(title_bag, whole_bag, _norm(title_bag), _norm(whole_bag))


def _cosine(a: Features, a_norm: float, b: Features, b_norm: float) -> float:
    if not a or not b:
        return 0.0
    if len(b) < len(a):
        a, b = b, a
    dot = sum(count * b[key] for key, count in a.items() if key in b)
    return dot / (a_norm * b_norm) if dot else 0.0


def similarity_of(a: Signature, b: Signature) -> float:
    """0 (nothing in common) … 1 (the same words)."""
    titles = _cosine(a.title, a.title_norm, b.title, b.title_norm)
    whole = _cosine(a.whole, a.whole_norm, b.whole, b.whole_norm)
    return TITLE_WEIGHT * titles + (1 - TITLE_WEIGHT) * whole


def similarity(title_a: str, text_a: str, title_b: str, text_b: str) -> float:
    """0 (nothing in common) … 1 (the same words)."""
    return similarity_of(signature(title_a, text_a), signature(title_b, text_b))
