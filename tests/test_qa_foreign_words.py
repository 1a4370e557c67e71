"""Questions in English, Chinese, Vietnamese and Japanese: the words they ask with (a facet,
a grant word, a status), the domain's words in their everyday forms, and the rules that
read only Korean and English until now. Each from a question written for its test (not
from any set); on the lexical engine (no model), so that each shows the rule.
"""

from __future__ import annotations

import pytest

from bot.qa.lexicon import glossary_terms, vietnamese_marks
from bot.qa.text import normalize
from tests.qa_helpers import answers


# --- the words: "cho" typed without marks, and the domain's words in other languages ---------
def test_cho_typed_without_marks_stays_for_not_market():
    assert vietnamese_marks("co lop hoc cho nguoi moi khong") == "có lớp học cho người moi không"
    assert vietnamese_marks("cho toi hoi lich hop") == "cho tôi hỏi lịch họp"  # (the phrase)


def test_cho_without_marks_brings_no_market_into_the_question(demo):
    answer = answers(demo, "Co lop hoc cho thu ky khong?", kind="event", id="secretary-training")
    assert answer.confident


@pytest.mark.parametrize(
    ("question", "means"),
    [
        ("Chúng tôi hay thăm các cụ ở một mình", "어르신"),
        ("ngày hội mùa thu", "축제"),
        ("艺术节在哪儿办", "축제"),
        ("空き家を直して使いたい", "빈집"),
        ("我想参加语言交换", "언어교환"),
        ("近所のお年寄りの話し相手になりたい", "말벗"),
        ("每周上门陪伴老人", "말벗"),
        ("放学后轮流照顾孩子", "방과후"),
        ("nhóm các gia đình vợ chồng cùng đi làm", "맞벌이"),
        ("共働きの家の子ども", "맞벌이"),
        ("Cách nộp mẫu đơn", "양식"),
        ("申請書はどこでもらえますか", "신청서"),
    ],
)
def test_everyday_words_in_other_languages_reach_the_kbs_words(question, means):
    assert any(means in term for term in glossary_terms(normalize(question)))


@pytest.mark.parametrize(
    "question",
    ["一人でも申し込めますか？", "一个人也可以申请吗？", "Tôi có thể đăng ký một mình không?"],
)
def test_applying_on_ones_own_in_other_languages(demo, question):
    answers(demo, question, kind="faq", id="individual-application")
