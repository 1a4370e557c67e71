"""Questions in English, Chinese, Vietnamese and Japanese: the words they ask with (a facet,
a grant word, a status), the domain's words in their everyday forms, and the rules that
read only Korean and English until now. Each from a question written for its test (not
from any set); on the lexical engine (no model), so that each shows the rule.
"""

from __future__ import annotations

import pytest

from bot.qa.criteria import find_criteria
from bot.qa.dates import resolve_dates
from bot.qa.facets import detect_facets
from bot.qa.lexicon import glossary_terms, vietnamese_marks
from bot.qa.text import normalize
from tests.qa_helpers import NOW, answers, lexical


# --- the words: "cho" typed without marks (the domain's everyday words: test_qa_rules) -----
def test_cho_typed_without_marks_stays_for_not_market():
    assert vietnamese_marks("co lop hoc cho nguoi moi khong") == "có lớp học cho người moi không"
    assert vietnamese_marks("cho toi hoi lich hop") == "cho tôi hỏi lịch họp"  # (the phrase)


def test_cho_without_marks_brings_no_market_into_the_question(demo):
    answer = answers(demo, "Co lop hoc cho thu ky khong?", kind="event", id="secretary-training")
    assert answer.confident


@pytest.mark.parametrize(
    "question",
    ["一人でも申し込めますか？", "一个人也可以申请吗？", "Tôi có thể đăng ký một mình không?"],
)
def test_applying_on_ones_own_in_other_languages(demo, question):
    answers(demo, question, kind="faq", id="individual-application")


# --- what is asked, in the other languages ----------------------------------------------------
@pytest.mark.parametrize(
    ("question", "facet"),
    [
        ("每个小组能拿多少补助？", "amount"),
        ("多少经费？", "amount"),
        ("Mỗi nhóm nhận được bao nhiêu?", "amount"),
        ("助成金はどのくらいもらえますか", "amount"),
        ("nhom can it nhat may nguoi", "people"),
        ("报名到几号？", "deadline"),
        ("申請の期限は？", "deadline"),
        ("Lễ hội tổ chức ở chỗ nào?", "place"),
    ],
)
def test_facet_words_in_other_languages(question, facet):
    assert detect_facets(question).facets[:1] == (facet,)


def test_how_many_people_received_is_no_amount():
    assert detect_facets("Năm ngoái nhận được bao nhiêu người?").facets[:1] == ("people",)


def test_a_step_after_the_form_is_sent_is_how_to_apply():
    said = "Do they call us for an interview after we send the form?"
    assert detect_facets(said).facets[:1] == ("how_to_apply",)
    assert detect_facets("Which forms do we have to fill in?").facets[:1] == ("documents",)


def test_japanese_open_calls_now_are_the_open_grants(demo):
    criteria = find_criteria(normalize("今申し込める支援事業はどれですか"))
    assert criteria.grant_words and criteria.list_words and criteria.status == "open"
    korean = demo.ask("지금 신청할 수 있는 공모사업 뭐 있어요?", NOW)
    answers(demo, "今申し込める支援事業はどれですか", kind="grant", matches=korean.matches)


def test_the_askers_own_meeting_is_no_event_asked():
    assert (
        find_criteria(normalize("Can someone help at our group meeting on Friday?")).event_kinds
        == ()
    )
    assert find_criteria(normalize("When is the next council meeting?")).event_kinds == ("meeting",)


@pytest.mark.parametrize(
    "question",
    [
        "I was just elected to a committee. Is there an orientation?",
        "新委员有培训吗？",
        "研修はありますか",
    ],
)
def test_is_there_a_kind_of_event_in_other_languages(question):
    assert find_criteria(normalize(question)).kind_is_there


def test_is_there_money_for_a_kind_is_no_event_asked():
    assert not find_criteria(normalize("Is there any funding for a class?")).kind_is_there


# --- the rules that read only Korean (and English) until now ---------------------------------
def test_an_english_everyday_word_the_glossary_expands_names_no_theme(demo):
    # "neighbourhood" → "이웃 동네": 이웃 is half the demo's "이웃·관계망" theme, but the
    # question names none; a list of that theme's grants left out the youth grant
    said = "We're 26 and want to tidy up a corner of our neighbourhood. Is there a grant?"
    answer = demo.ask(said, NOW)
    assert not answer.is_filter, answer
    assert demo._analyse("Which grants are about neighbours?", NOW).categories == ("community",)
    assert demo._analyse("邻居方面的补助有哪些？", NOW).categories == ("community",)


def test_a_theme_named_in_the_singular_is_that_theme(demo):
    # "Neighbours and networks" said "a neighbour grant", "Culture and arts" said "art"
    assert demo._analyse("Is there a neighbour grant?", NOW).categories == ("community",)
    assert "culture" in demo._analyse("Any grant for art?", NOW).categories
    assert demo._analyse("Can we start something?", NOW).categories == ()  # ("arts" in it)


@pytest.mark.parametrize(
    "question", ["陪伴独居老人的志愿者培训什么时候开始？", "陪伴老人志愿者的培训是哪天？"]
)
def test_when_a_training_is_asked_in_chinese_is_the_training(question):
    # the companions' grant shares the words (陪伴 말벗, 老人 어르신), the training is asked for
    answers(lexical("ninth"), question, kind="event", id="elder-companion-training")


@pytest.mark.parametrize(
    "question",
    ["Kinh phí có được dùng để mua đồ ăn không?", "Tien ho tro co duoc dung de mua do an khong?"],
)
def test_whether_the_money_may_buy_it_in_vietnamese_is_the_costs_entry(demo, question):
    # the entry is found by the matter's Korean words alone, and leads all others by far
    answers(demo, question, kind="faq", id="ineligible-costs")


def test_an_interpreter_for_our_own_meeting_is_the_interpreting_entry():
    answers(
        lexical("sixth"),
        "Could the centre send an interpreter to our group meeting on Friday?",
        kind="faq",
        id="interpreter-request",
    )


# --- which day a thing is held; many cultures ------------------------------------------------
@pytest.mark.parametrize(
    "question",
    ["Hội chợ mùa thu tổ chức vào ngày nào?", "运动会哪天举行？", "説明会はいつ開催されますか"],
)
def test_the_day_a_thing_is_held_is_an_events_time(question):
    assert "time" in detect_facets(question).facets


def test_which_day_in_vietnamese_asks_no_list():
    assert not find_criteria(normalize("Lớp học kế toán tổ chức ngày nào?")).list_words
    assert find_criteria(normalize("Có những lớp học nào?")).list_words


def test_many_cultures_is_multicultural_not_culture_and_arts():
    terms = glossary_terms(normalize("gia đình đa văn hóa"))
    assert "다문화 multicultural" in terms and "문화 culture" not in terms


@pytest.mark.parametrize(
    ("question", "kind", "id_"),
    [
        ("Nhóm hàng xóm đa văn hóa: bao giờ công bố kết quả?", "grant", "multicultural-bridge"),
        ("Bữa cơm đa văn hóa năm nay tổ chức ngày nào?", "event", "multicultural-table"),
    ],
)
def test_a_multicultural_programme_and_meal_in_vietnamese(question, kind, id_):
    # 문화 alone was the "culture and records" theme, and "ngày nào" a list asked: the
    # small-club grant of that theme was favoured over the programme and the meal
    answers(lexical("nineteenth"), question, kind=kind, id=id_)


def test_a_group_being_formed_in_vietnamese_is_a_group_starting(demo):
    assert any("처음" in t for t in glossary_terms(normalize("Chúng tôi mới lập nhóm đọc sách")))
    # (the growth grant, for groups that have run a while, came first)
    said = "Bốn người hàng xóm muốn lập nhóm đọc sách, có được hỗ trợ không?"
    answers(demo, said, kind="grant", id="neighbour-making")


# --- a day written with a slash: month/day, but day/month in Vietnamese -----------------------
@pytest.mark.parametrize(
    ("text", "month", "day"),
    [
        ("Buổi họp ngày 5/4 ở đâu?", 4, 5),
        ("hop ngay 5/4 o dau", 4, 5),
        ("5/4 모임 어디서 해요", 5, 4),
        ("Is the walk on 3/21 still on?", 3, 21),
        ("Lễ hội 21/3 mấy giờ?", 3, 21),
    ],
)
def test_a_day_written_with_a_slash(text, month, day):
    from datetime import date

    found = resolve_dates(normalize(text), NOW)
    assert found is not None and found.start == found.end, found
    assert (found.start.month, found.start.day) == (month, day)
    assert found.start >= date(NOW.year, 1, 1)


@pytest.mark.parametrize("text", ["Is the centre open 24/7?", "자부담 1/3까지 돼요?", "2027/4/24"])
def test_a_share_or_a_clock_is_no_day(text):
    assert resolve_dates(normalize(text), NOW) is None
