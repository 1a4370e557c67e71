"""Numbers residents type to point at a line of a list or a choice offered ("2번", "두 번째요",
"the first one", "第二个", "số 3", "#2").

Two readings live here, side by side, because they ask different things:
- :data:`ORDINAL_RE` / :func:`ordinal` (the engine, bot/qa/engine.py): a choice among those
  shown, with what is asked after it ("2번은 언제까지예요?"). It stops at eight (a list shows
  eight lines) and wants 번 for 4–8 unless the number stands alone, so that "5월" or "4층" is
  no choice.
- :func:`number_typed` (the chat handler, handlers/qa/ask.py): any line number typed at the start
  of a message, up to two digits ("12번", "the ninth one"), so that a number past the lines
  shown is told as such ("the list goes up to 3") instead of being read as words.
"""

from __future__ import annotations

import re

# A choice from "is it one of these? 1. … 2. … 3. …" typed instead of tapped.
# "2번", "두 번째 거", "the first one" … after choices offered (three) or a list shown (up
# to eight lines: a number past 3 with 번, "5번 서류는요?", or alone, "6"); a particle may
# follow ("2번은 언제까지예요?", "첫번째 거는요")
ORDINAL_RE = re.compile(
    r"\s*(?:(?:(?P<digit>[1-3])\s*(?:번\s*째|번)?"
    r"|(?P<digit_on>[4-8])\s*(?:번\s*째|번|(?=[.!?。？！]*\s*$)))"
    r"(?:\s*(?:거|것|꺼))?(?:\s*(?:이요|요|이에요|예요|은|는|이|가|을|를|도))?"
    r"|(?P<ko>첫|두|세|네|다섯|여섯|일곱|여덟)\s*(?:번\s*)?째(?:\s*(?:거|것|꺼))?"
    r"(?:\s*(?:이요|요|예요|은|는|이|가|을|를|도))?"
    r"|(?:the\s+)?(?P<en>first|second|third|fourth|fifth|sixth|seventh|eighth)(?:\s+one)?"
    r"|#\s*(?P<hash>[1-8])"
    r"|第\s*(?P<zh>[一二三四五六七八])\s*(?:个|個|つ|番)?|số\s*(?P<vi>[1-8]))"
    r"(?=[\s.,!?。？！]|$)[\s.,!?。？！]*",
    re.IGNORECASE,
)
_ORDINAL_WORDS = {"첫": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8,
                  "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
                  "seventh": 7, "eighth": 8,
                  "一": 1, "二": 2, "三": 3, "四": 4,
                  "五": 5, "六": 6, "七": 7, "八": 8}  # fmt: skip


def ordinal(match: re.Match[str]) -> int:
    """The number a match of :data:`ORDINAL_RE` points at (0: none it knows)."""
    for group in ("digit", "digit_on", "hash", "vi"):
        if match.group(group):
            return int(match.group(group))
    word = match.group("ko") or match.group("en") or match.group("zh") or ""
    return _ORDINAL_WORDS.get(word.lower(), 0)


NUMBER_TYPED_RE = re.compile(
    r"\s*(?:#\s*)?(?:(?P<digits>\d{1,2})\s*(?:번\s*째|번(?!\s*(?:지|길|버스|출구)))"
    r"|(?P<alone>\d)(?=[\s.!?。？！]*$)"
    r"|(?P<ko>첫|두|세|네|다섯|여섯|일곱|여덟|아홉|열)\s*(?:번\s*)?째"
    r"|(?:the\s+)?(?P<en>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)"
    r"(?:\s+one\b|(?=[\s.!?]*$)))",
    re.IGNORECASE,
)
"""A line of a list, or a choice offered, typed by its number at the start of a message ("4번은
언제까지예요?", "다섯 번째요", "the ninth one", "9"): what :func:`number_typed` reads. Not an
address's or a bus's number, spaced or not ("2번 출구", "12번지", "3번 버스")."""
_NUMBER_WORDS = {"첫": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8,
                 "아홉": 9, "열": 10, "first": 1, "second": 2, "third": 3, "fourth": 4,
                 "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
                 "tenth": 10}  # fmt: skip


def number_typed(text: str) -> int | None:
    """The line number typed at the start of ``text`` ("4번은 언제까지예요?" → 4, "다섯 번째요" → 5,
    "the ninth one" → 9, "9" → 9), or None."""
    typed = NUMBER_TYPED_RE.match(text)
    if typed is None:
        return None
    said = typed.group("digits") or typed.group("alone")
    word = (typed.group("ko") or typed.group("en") or "").lower()
    return int(said) if said else _NUMBER_WORDS.get(word, 0)
