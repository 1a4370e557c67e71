"""Chinese and Japanese questions read in Korean through their Han characters (bot/qa/sino.py).

The engine tests use the demo KB, written in Korean and English only, with the lexical
engine (no model): each shows the reading, not the model. Questions written for the tests.
"""

from __future__ import annotations

import pytest

from bot.qa import sino
from tests.qa_helpers import NOW, answers


@pytest.mark.parametrize(
    ("text", "lang", "want"),
    [
        ("言語交換", "ja", ["언어교환"]),
        ("住民自治会の分科会", "ja", ["주민자치회", "분과회"]),  # kana part words
        ("図書館", "ja", ["도서관"]),  # shinjitai 図 (圖)
        ("图书馆", "zh", ["도서관"]),  # simplified 图 书 馆
        ("会計教育", "ja", ["회계교육"]),  # 会 is 會 in Japanese too
        ("体育", "zh", ["체육"]),  # 体 is 體 (as a character of its own it reads 분)
        ("我们的图书馆", "zh", ["도서관"]),  # 我们, 的: grammar, not a word
    ],
)
def test_han_words_read_in_korean(text, lang, want):
    assert sino.readings(text, lang) == want


@pytest.mark.parametrize(
    ("reading", "want"),
    [
        ("료리", "요리"),
        ("로인", "노인"),
        ("녀성", "여성"),
        ("리용", "이용"),
        ("분노", "분노"),
        ("", ""),
    ],
)
def test_the_initial_sound_rule(reading, want):
    assert sino.initial_sound(reading) == want


def test_only_readings_the_kb_uses_are_kept():
    kb_words = {"공동육아", "요리", "소음", "선창", "역량강화", "음악", "자치계획"}

    def known(word: str) -> bool:
        return any(word in w for w in kb_words)

    # 共同育児 (공동육아) and 料理 (료리 → 요리) are the KB's; 場 (장) is not a word of it
    assert sino.known_readings("共同育児の場と料理", "ja", known) == ["공동육아", "요리"]
    # 力量強化 reads 력량강화: at the start of a word Korean writes 역량강화
    assert sino.known_readings("力量強化", "ja", known) == ["역량강화"]
    # a character of several readings: 樂 (楽) is 락 and 악, 画 is 畫 화 and 획
    assert sino.known_readings("音楽と自治計画", "ja", known) == ["음악", "자치계획"]
    # a Japanese word stands between kana: two characters are a word (騒音 소음)
    assert sino.known_readings("上の階の騒音", "ja", known) == ["소음"]
    # Chinese has no spaces: two characters inside a longer run are not taken for a word
    # (船厂 "shipyard" reads 선창, a wharf in Korean)
    assert sino.known_readings("船厂拖欠工资", "zh", known) == []


@pytest.mark.parametrize(
    ("question", "grant"),
    [
        ("空間資産化の支援について詳しく知りたいです", "space-assetization"),
        ("社会问题解决型项目的截止日期是哪天？", "social-problem-solving"),
        ("地域の問題をみんなで解決するプロジェクトの書類は何ですか", "social-problem-solving"),
    ],
)
def test_a_grant_named_in_han_characters_is_found_in_a_korean_kb(demo, question, grant):
    answers(demo, question, kind="grant", id=grant)


@pytest.mark.parametrize(
    ("question", "event"),
    [
        ("政策共有会はいつ開かれますか", "policy-sharing"),
        ("运营委员会什么时候开会", "operating-committee"),
    ],
)
def test_an_event_named_in_han_characters_is_found_in_a_korean_kb(demo, question, event):
    answers(demo, question, kind="event", id=event)


def test_the_centre_is_not_read_as_a_word_of_the_kb(demo):
    # 中心 is the glossary's 센터 (centre); read 중심 it would have made a topic of its own
    answers(demo, "中心的电话号码是多少？", kind="centre")


@pytest.mark.parametrize(
    "question",
    ["需要几个人才能申请？", "何世帯から申し込めますか", "Cần bao nhiêu người để đăng ký?",
     "How many households does it take?"],
)  # fmt: skip
def test_how_many_people_in_other_languages_asks_who_can_apply(question):
    # (a grant's members: its eligibility; asked in Korean, "몇 명" always was)
    from bot.qa.facets import detect_facets

    assert "people" in detect_facets(question).facets


@pytest.mark.parametrize(
    ("question", "kept", "left"),
    [
        ("政策共有会の時間を教えてください", "정책공유회", "시간"),  # 時間: the time asked
        ("自治計画の結果はいつ出ますか", "자치계획", "결과"),  # 結果: a result asked
    ],
)
def test_a_han_word_that_asks_a_facet_is_not_searched_for(demo, question, kept, left):
    # (searched for, 시간 made "センターの営業時間" a question about something else than the
    # centre's hours, in a KB whose FAQ mention 시간)
    extra = demo._analyse(question, NOW).extra
    assert kept in extra and left not in extra


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        ("空間資産化の結果は", "result"),  # 結果 결과
        ("社会问题解决型项目的对象", "eligibility"),  # 对象 (對象) 대상
        ("空間資産化の期間", "when"),  # 期間 기간
    ],
)
def test_a_facet_asked_in_a_han_word_that_reads_as_a_korean_cue(demo, question, facet):
    assert facet in demo._analyse(question, NOW).facets
