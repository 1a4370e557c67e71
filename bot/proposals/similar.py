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

THRESHOLD = 0.25
"""Proposals scoring at least this are shown as similar."""

TITLE_WEIGHT = 0.5

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


def cosine(a: Features, b: Features) -> float:
    if not a or not b:
        return 0.0
    dot = sum(count * b[key] for key, count in a.items() if key in b)
    if not dot:
        return 0.0
    norm = math.sqrt(sum(c * c for c in a.values())) * math.sqrt(sum(c * c for c in b.values()))
    return dot / norm


def similarity(title_a: str, text_a: str, title_b: str, text_b: str) -> float:
    """0 (nothing in common) … 1 (the same words)."""
    titles = cosine(features(title_a), features(title_b))
    whole = cosine(features(f"{title_a} {text_a}"), features(f"{title_b} {text_b}"))
    return TITLE_WEIGHT * titles + (1 - TITLE_WEIGHT) * whole
