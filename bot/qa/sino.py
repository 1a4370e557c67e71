"""Chinese and Japanese questions read in Korean through their Han characters.

Most of the words a village-community KB is made of are Sino-Korean: 주민자치회 is 住民自治會,
공동육아 共同育兒, 언어교환 言語交換, 도서관 圖書館. A resident who asks in Chinese or Japanese
writes the same words in Han characters (simplified in Chinese: 图书馆; shinjitai in Japanese:
図書館), and a KB written in Korean and English shares no letter with them. The glossary
(bot/qa/data/glossary.yaml) covers the everyday words it lists; this module covers the rest by
reading each Han word in Korean:

1. Japanese shinjitai become traditional characters (OpenCC's ``jp2t``: 図書館 → 圖書館);
2. each character gets its Sino-Korean reading from Unicode's Han database
   (bot/qa/data/sino_korean.txt, made by tools/sino_korean_table.py), simplified characters
   that of their traditional form — 圖書館 and 图书馆 → 도서관;
3. a word-initial ㄹ/ㄴ follows the initial-sound rule (두음법칙: 料理 료리 → 요리, 老人 로인 →
   노인), as Korean writes it;
4. only what the KB itself uses is kept: within each run of Han characters, the longest
   stretches whose reading stands inside one of the KB's words, left to right.

Step 4 is what keeps this honest. A reading is not a translation: Chinese 资助 (funding)
reads 자조, which is Korean 自助 (self-help), and 志愿 (volunteer) reads 지원, Korean's
"support". So the engine searches with these readings as extra terms, next to the question
itself and the model, never in place of them; Chinese function characters (的, 吗, 能, 可以
…) split a run first so that a reading never joins two words ("能拿多少" is not 능나다소); and
the engine leaves out what the glossary already translated (中心 is 센터 there, not 중심).

OpenCC's ``jp2t`` costs about 1 MiB; its ``s2t`` (whole phrase tables) about 27 MiB, which
is why Chinese relies on the table's simplified readings instead (measured in
bench/README-qa.md). Without OpenCC (a dependency; a minimal install might lack it) only the
Japanese kanji that differ from traditional ones go unread.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

_HAN_RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
# Chinese words and characters that are grammar, not topic: a run is cut at them (not at
# 对, 用, 就, 最 or 能, which begin or end words: 对象 대상, 费用 비용, 就业 취업, 最大 최대)
_ZH_FUNCTION_RE = re.compile(
    r"可以|什么|怎么|多少|哪里|哪儿|这个|那个|我们|你们|他们|"
    r"[的了吗呢吧啊是在有和跟与或我你他她这那哪要想给到从把被也都还很不没个些几请]"
)
MAX_SYLLABLES = 8  # (no Korean word of the KB's is longer; a longer stretch is two words)
MAX_SPELLINGS = 16
_HANGUL_BASE = 0xAC00
_IY_VOWELS = frozenset({2, 3, 6, 7, 12, 17, 20})  # ㅑ ㅒ ㅕ ㅖ ㅛ ㅠ ㅣ
_RIEUL, _NIEUN, _IEUNG = 5, 2, 11


@cache
def _table() -> dict[str, str]:
    text = resources.files("bot.qa").joinpath("data/sino_korean.txt").read_text("utf-8")
    return {line[0]: line[1:] for line in text.splitlines() if line and line[0] != "#"}


@cache
def _shinjitai() -> Any:
    try:
        import opencc
    except ImportError:  # pragma: no cover - opencc is a dependency
        return None
    return opencc.OpenCC("jp2t")


@cache
def _simplifier() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


_HAN_RE = re.compile(r"[\u4e00-\u9fff]")
_KANA_RE = re.compile(r"[\u3040-\u30ff]")


def as_simplified(text: str) -> str:
    """Chinese in traditional characters ("需要報名嗎") as simplified, the script of the
    glossary, the facet cues and the readings (會計 会计 회계); Japanese (kana among the
    kanji) stays as written, its cues being in its own forms. Same length or unchanged, so
    that spans found in the result stand in the text."""
    if not _HAN_RE.search(text) or _KANA_RE.search(text):
        return text
    simplified = _simplifier().convert(text)
    return simplified if len(simplified) == len(text) else text


def initial_sound(word: str) -> str:
    """The initial-sound rule (두음법칙) on the first syllable: 료리 → 요리, 녀성 → 여성,
    로인 → 노인, 리용 → 이용."""
    code = ord(word[0]) - _HANGUL_BASE if word else -1
    if not 0 <= code < 11172:
        return word
    lead, vowel, tail = code // 588, code % 588 // 28, code % 28
    if lead == _RIEUL:
        lead = _IEUNG if vowel in _IY_VOWELS else _NIEUN
    elif lead == _NIEUN and vowel in _IY_VOWELS:
        lead = _IEUNG
    else:
        return word
    return chr(_HANGUL_BASE + lead * 588 + vowel * 28 + tail) + word[1:]


def _runs(text: str, lang: str) -> list[list[str]]:
    """Each run of two or more Han characters in ``text``: each character's readings, the
    usual one first ("?" for a character without one)."""
    table = _table()
    if lang == "zh":
        text = _ZH_FUNCTION_RE.sub(" ", text)
    converter = _shinjitai() if lang == "ja" else None
    runs = _HAN_RUN_RE.findall(text)
    if converter is None:
        return [[table.get(ch, "?") for ch in run] for run in runs]
    out = []
    for kanji in runs:  # the traditional character's readings, then the shinjitai's own
        traditional = converter.convert(kanji)  # (図 is 圖 도; 画 is 畫 화, and 획: 計画 계획)
        if len(traditional) != len(kanji):  # (never seen: jp2t maps characters one to one)
            traditional = kanji
        out.append(
            [
                "".join(dict.fromkeys(table.get(t, "") + table.get(k, ""))) or "?"
                for t, k in zip(traditional, kanji, strict=True)
            ]
        )
    return out


def readings(text: str, lang: str) -> list[str]:
    """The usual Korean reading of each run of two or more Han characters in ``text``;
    ``lang`` is "zh" or "ja"."""
    return ["".join(options[0] for options in run) for run in _runs(text, lang)]


def _spellings(options: list[str]) -> list[str]:
    """The ways a stretch of characters reads, the usual first: 計畫 → 계화, 계획 (at most
    MAX_SPELLINGS; a character of several readings is rare)."""
    out = [""]
    for choices in options:
        out = [f"{head}{c}" for head in out for c in choices][:MAX_SPELLINGS]
    return out


def known_readings(text: str, lang: str, known: Callable[[str], bool]) -> list[str]:
    """The readings of ``text``'s Han words that ``known`` says the KB uses (inside one of
    its words): the longest from each position, two to eight syllables, left to right; a
    character of several readings (樂 락, 악) in any of them."""
    found: list[str] = []
    for run in _runs(text, lang):
        start = 0
        shortest = 3 if lang == "zh" and len(run) > 2 else 2
        while start <= len(run) - shortest:
            for end in range(min(len(run), start + MAX_SYLLABLES), start + shortest - 1, -1):
                if "?" in run[start:end]:
                    continue
                hit = next(
                    (
                        p
                        for spelling in _spellings(run[start:end])
                        for p in dict.fromkeys((initial_sound(spelling), spelling))
                        if known(p)
                    ),
                    None,
                )
                if hit:
                    found.append(hit)
                    start = end
                    break
            else:
                start += 1
    return found
