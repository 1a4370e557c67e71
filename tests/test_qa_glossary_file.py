"""The glossary (bot/qa/data/glossary.yaml) is read as written: in its order, every key and
value a word (YAML's on/no/yes are no booleans), a key written twice or an entry that is not
a word and its expansion refused with its line — the bot does not start with a glossary it
misreads."""

from __future__ import annotations

import pytest

from bot.qa.lexicon import GLOSSARY, parse_glossary


def test_the_shipped_glossary_is_read_in_order_as_words():
    assert len(GLOSSARY) > 400
    assert all(isinstance(k, str) and isinstance(v, str) and k and v for k, v in GLOSSARY.items())
    assert GLOSSARY["총회"] == "주민총회"


def test_words_stay_words_and_order_is_kept():
    text = 'on: "켜다 on"\nno: 아니오\n"3": 셋\n빌려: 빌리 대여\n'
    assert list(parse_glossary(text).items()) == [
        ("on", "켜다 on"), ("no", "아니오"), ("3", "셋"), ("빌려", "빌리 대여"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("빌려: 대여\n텐트: 천막\n빌려: 빌리\n", "line 3: '빌려' written twice"),
        ("빌려: [대여, 빌리]\n", "line 1: not a word and its expansion"),
        ("- 빌려\n- 대여\n", "not a mapping of words"),
    ],
)
def test_a_glossary_it_would_misread_is_refused(text, problem):
    with pytest.raises(ValueError, match=problem):
        parse_glossary(text)
