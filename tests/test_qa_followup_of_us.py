"""Follow-up questions that tell the asker's own case or ask of the group's own share
(thirty-first session), each written here in my own words on the demo KB: 충청도 endings,
the group's own share of the money, someone who lives in another city, a complex's
households (never an age), "can't I join?", "can we apply now?", "the most we can get".
Each asked alone still reads as before (the guards below)."""

from __future__ import annotations

import pytest

from bot.qa.criteria import find_age
from bot.qa.text import normalize
from tests.qa_helpers import NOW, assert_follows, assert_not_about

pytestmark = pytest.mark.usefixtures("warm_vectors")  # answers independent of timing

NEIGHBOUR = ("grant", "neighbour-making")
ALLEY = ("grant", "alley-making")
YOUTH = ("grant", "youth-idea")
APARTMENT = ("grant", "apartment-community")
EXHIBITION = ("grant", "village-exhibition")


# 충청도: 요 said 유 at a sentence's end, 는데 said 는디 — read as the standard forms
@pytest.mark.parametrize(
    ("spoken", "standard"),
    [
        ("얼마 나와유", "얼마 나와요"),
        ("신청 되나유", "신청 되나요"),
        ("서류는유", "서류는요"),
        ("받았는디 또 돼유", "받았는데 또 돼요"),
        ("그람 서류는유", "그럼 서류는요"),
    ],
)
def test_chungcheong_endings_read_as_standard(spoken, standard):
    assert normalize(spoken) == standard


@pytest.mark.parametrize("word", ["공유", "이유", "여유", "우유", "자유"])
def test_words_ending_in_yu_stay(word):
    assert normalize(f"{word} 있어요") == f"{word} 있어요"


def test_a_weight_stays():
    assert normalize("고기 100그람") == "고기 100그람"


@pytest.mark.parametrize(
    ("question", "follow", "facet"),
    [
        ("그람 돈은 얼마나 나와유?", NEIGHBOUR, "amount"),
        ("금액은유?", EXHIBITION, "amount"),
        ("마감은 언제래유?", EXHIBITION, "deadline"),
    ],
)
def test_chungcheong_follow_ups(demo, question, follow, facet):
    assert_follows(demo, question, follow, facet)


# The group's own share of the money (the alley grant asks 10 % of it): the grant's sum
@pytest.mark.parametrize(
    "question",
    [
        "우리도 돈을 좀 보태야 되나요? 얼마나요?",
        "자부담은 얼마 내요?",
        "How much do we have to pay in ourselves?",
        "Do we put in some of our own money?",
    ],
)
def test_the_groups_own_share_is_the_sum(demo, question):
    assert_follows(demo, question, ALLEY, "amount")


# Someone of the group lives in another city, "is that all right?": who may, of that grant
@pytest.mark.parametrize(
    "question",
    [
        "강사님이 수원 사시는데 상관없나요?",
        "다섯명 중에 한명은 인천 살아요 괜찮아요?",
        "회원 둘이 부천에 사는데 그래도 되나요?",
    ],
)
def test_a_member_living_elsewhere_is_who_may(demo, question):
    assert_follows(demo, question, NEIGHBOUR, "eligibility")


def test_another_citys_own_matter_stays_another(demo):
    # (a matter of that city's, not who may take part: nothing of the grant just answered)
    assert_not_about(demo, "수원 사는데 수원시 청년 월세 지원은 어디서 신청해요?", NEIGHBOUR)


# A complex's households ("80세대") are no age: who may, of the apartment grant
def test_households_are_no_age():
    assert find_age("우리 아파트 40세대인데요") is None
    assert find_age("30세대 단지") is None
    assert find_age("저는 40세인데요") is not None


@pytest.mark.parametrize(
    "question",
    ["우리 아파트 40세대밖에 안 되는데ㅠ", "우리 단지는 120세대인데 돼요?"],
)
def test_a_complexs_households_ask_who_may(demo, question):
    assert_follows(demo, question, APARTMENT, "eligibility")


# An age told and "can't I join?": who may, of the grant just answered (not a list by age)
@pytest.mark.parametrize(
    "question",
    ["저 마흔하나인데 멤버로도 못 껴요?", "저 41살인데 회원으로 못들어가요?"],
)
def test_an_age_and_cant_i_join_is_who_may(demo, question):
    assert_follows(demo, question, YOUTH, "eligibility")


# Applying now, a yes-or-no, right after a grant: its window, not the grants open now
@pytest.mark.parametrize(
    "question",
    ["지금 신청해도 돼요?", "지금 바로 내면 안되나요?", "Can we still apply now?"],
)
def test_applying_now_is_the_window(demo, question):
    assert_follows(demo, question, NEIGHBOUR, "deadline")


def test_open_grants_asked_for_stay_a_list(demo):
    answer = demo.ask("지금 신청할 수 있는 사업 뭐 있어요?", NOW, follow=NEIGHBOUR)
    assert answer.is_filter or not answer.confident or answer.id != "neighbour-making", answer


# The most one may receive, right after a grant: that grant's sum
@pytest.mark.parametrize(
    "question",
    [
        "제일 많이 받으면 얼마예요?",
        "가장 많이 받을 수 있는 게 얼마죠?",
        "What's the most we can get?",
    ],
)
def test_the_most_we_can_get_is_the_sum(demo, question):
    assert_follows(demo, question, NEIGHBOUR, "amount")


def test_the_largest_of_all_asked_is_no_follow_up(demo):
    # the grant giving the most, with 사업 and 뭐 asked: not the grant just answered
    assert_not_about(demo, "제일 많이 주는 사업은 뭐예요?", NEIGHBOUR)
    answer = demo.ask("제일 많이 주는 사업은 뭐예요?", NOW, follow=NEIGHBOUR)
    assert answer.id == "local-lab", answer


# The record's own theme named is the record's, not a list of that theme's: on a district
# whose alley grant is of the theme "alleys" (tests/qa/ninth)
GARDENS = ("grant", "alley-gardening")


@pytest.mark.parametrize(
    "question", ["골목 사진은 몇 장 넣어요?", "Do we need photos of the alley?"]
)
def test_the_records_own_theme_named_is_the_record(engines, question):
    assert_follows(engines("ninth"), question, GARDENS, "documents")


def test_another_theme_asked_for_is_a_list(engines):
    answer = engines("ninth").ask("돌봄 사업은 뭐 있어요?", NOW, follow=GARDENS)
    assert answer.is_filter and answer.kind == "grant", answer


# How many are needed, in Chinese, of whom said before ("店主要几个？"): who may
@pytest.mark.parametrize("question", ["店主要几个？", "老板最少要几个？", "商家至少要几家？"])
def test_how_many_are_needed_in_chinese_is_who_may(engines, question):
    assert_follows(engines("twentieth"), question, ("grant", "shop-street"), "eligibility")


# A day asked in Vietnamese, with or without its marks ("là ngày mấy?"): the part asked
@pytest.mark.parametrize("question", ["han nop ho so la ngay may vay?", "Hạn nộp là ngày mấy?"])
def test_which_day_in_vietnamese_is_the_deadline(demo, question):
    assert_follows(demo, question, NEIGHBOUR, "deadline")


# A part asked in no words of its own, right after a grant: the grant's part, not a FAQ
# entry found by the part's word alone; an entry holding the question's words still leads
def test_a_part_asked_is_the_records_not_a_faq_on_that_part(engines):
    assert_follows(
        engines("twentieth"), "선정됐는지 어디서 봐요?", ("grant", "care-network"), "result"
    )


def test_a_faq_holding_the_words_still_leads(engines):
    answer = engines("twentieth").ask(
        "결과보고서는 어떻게 써요?", NOW, follow=("grant", "community-leap")
    )
    assert (answer.kind, answer.id, answer.confident) == ("faq", "final-report", True), answer


# A month's end checked, the window asked in English, a result's call asked with a word
# between: the part of the grant just answered
@pytest.mark.parametrize(
    ("question", "facet"),
    [
        ("2월 말까지 맞죠?", "deadline"),
        ("How long is the application period?", "deadline"),
        ("선정되면 언제쯤 연락 와요?", "result"),
    ],
)
def test_a_part_checked_in_a_few_words(demo, question, facet):
    assert_follows(demo, question, NEIGHBOUR, facet)


# Sent by e-mail, asked in Vietnamese or Chinese: how one applies (the address asked is
# still the contact)
@pytest.mark.parametrize("question", ["Chỉ gửi email là được hả?", "可以发邮件申请吗？"])
def test_sending_by_email_is_how_to_apply(demo, question):
    assert_follows(demo, question, NEIGHBOUR, "how_to_apply")


def test_the_email_address_is_the_contact(demo):
    assert_follows(demo, "What is the email address?", NEIGHBOUR, "contact")


# Who we are, told, and "will N of us do?": who may
@pytest.mark.parametrize(
    ("question", "follow"),
    [
        ("4명 돼요?", NEIGHBOUR),
        ("남편은 한국 사람이고 저는 필리핀 사람이에요 3명 돼요?", NEIGHBOUR),
        ("전세 사는데 저도 껴도 돼요?", ALLEY),
    ],
)
def test_who_we_are_told_is_who_may(demo, question, follow):
    assert_follows(demo, question, follow, "eligibility")
