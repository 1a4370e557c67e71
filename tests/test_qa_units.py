"""Units of the Q&A engine: facets, dates, filters, the renderer, a KB it was not tuned on."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bench.qa_kbgen import make_kb
from bot.core.i18n import Translator
from bot.kb import records as kb
from bot.qa import QAEngine, answer_language, render
from bot.qa.criteria import find_age, find_amount, find_criteria
from bot.qa.dates import resolve_dates
from bot.qa.facets import detect_facets, for_kind
from bot.qa.text import compact, detect_language, jamo, normalize
from tests.qa_helpers import NOW, SEOUL, answers


def en() -> Translator:
    return Translator("en", SEOUL)


# --- text -------------------------------------------------------------------------------
def test_text_normalisation():
    assert compact("이웃 만들기!") == "이웃만들기"
    assert jamo("웃") == "ㅇㅜㅅ"
    assert detect_language("이웃만들기 언제?") == "ko"
    assert detect_language("When is it?") == "en"
    assert detect_language("青年项目什么时候截止") == "zh"
    assert detect_language("Lớp kế toán ở đâu?") == "vi"
    assert detect_language("123 ?") is None
    assert answer_language("青年项目", "ko") == "en"
    assert answer_language("???", "ko") == "ko"


def test_a_text_is_normalised_once_however_often_it_is_matched():
    """The search scores each of its ~40 records' names against the same question, and the
    engine reads a question many times over: its normal and jamo forms are worked out once
    and remembered (pure functions of the text; a second call returns the same string)."""
    text = "이웃 만들기 신청은 11/3 까지인가요?"
    first = normalize(text), jamo(compact(text))
    hits = normalize.cache_info().hits, jamo.cache_info().hits
    assert (normalize(text), jamo(compact(text))) == first
    assert normalize.cache_info().hits >= hits[0] + 2  # normalize, and compact's
    assert jamo.cache_info().hits == hits[1] + 1
    assert normalize.cache_info().maxsize and jamo.cache_info().maxsize  # bounded: a bot runs long


def test_a_phrase_is_read_without_its_marks_once_however_many_engines_read_it():
    """Every engine built reads each Latin phrase of its KB without its Vietnamese marks
    (lexicon.VietnameseMarks): the same phrases for each engine on the same KB, remembered."""
    from bot.qa.lexicon import unmarked

    hits = unmarked.cache_info().hits
    assert unmarked("chương trình hỗ trợ") == "chuong trinh ho tro"
    assert unmarked("chương trình hỗ trợ") == "chuong trinh ho tro"
    assert unmarked("Đà Nẵng") == "Da Nang"
    assert unmarked.cache_info().hits >= hits + 1
    assert unmarked.cache_info().maxsize  # bounded


# --- facets -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "facet"),
    [
        ("이웃만들기 언제까지예요?", "deadline"),
        ("이웃만들기 언제까지임?", "deadline"),
        ("마감 언제 해요", "deadline"),
        ("얼마 받을 수 있어요", "amount"),
        ("필요한 서류 뭐예요", "documents"),
        ("신청 방법 알려줘", "how_to_apply"),
        ("누가 신청할 수 있어요?", "eligibility"),
        ("담당자 전화번호", "contact"),
        ("어디서 해요", "place"),
        ("몇 시에 해요", "time"),
        ("결과 발표 언제", "result"),
        ("What documents do I need?", "documents"),
        ("How much is it?", "amount"),
        ("什么时候截止", "deadline"),
        ("ở đâu", "place"),
        # Chinese in traditional characters reads as simplified; Japanese stays as written
        ("講座需要報名嗎", "registration"),
        ("青年項目要交什麼", "documents"),
        ("締め切りはいつですか", "deadline"),
        ("这个项目最多能给多少", "amount"),
        ("项目书怎么提交", "how_to_apply"),
        ("外国人也可以报名吗", "eligibility"),
        ("지금 접수ㄱㄴ", "deadline"),  # ㄱㄴ: 가능
        ("할머니도 꼭 있어야 해요?", "eligibility"),
        ("접수하기 전에 뭘 해야 하나요", "how_to_apply"),
        ("신청하기 전에 상담 받을 수 있나요", "eligibility"),  # the consultation asked for
        ("발표심사 언제 해요?", "how_to_apply"),  # a step of applying
        ("발표 언제 나요?", "result"),
        ("우리 모임에 통장님 꼭 끼워야 하나요", "eligibility"),
        ("How many of the members have to live here?", "people"),
        ("Do we need to register, or can we just come?", "registration"),  # "can we" last
        ("Can I apply on my own?", "eligibility"),
        ("청년 공모 올해도 하나요?", "opens"),  # on now: a grant's window, an event's day
        ("수리 카페 요즘도 진행해요?", "opens"),
        ("需要几位成员？", "people"),
        ("What do we need to sign?", "documents"),
        ("Our room is open to everyone. Can we apply?", "eligibility"),  # not when it opens
        ("이웃만들기 안 받아 봤으면 못 하나요?", "eligibility"),
        # Vietnamese typed without its marks
        ("Lop ke toan o dau?", "place"),
        ("Chuong trinh nay con nhan ho so khong?", "deadline"),
        ("Can chuan bi giay to gi?", "documents"),
    ],
)
def test_facet_cues(question, facet):
    assert detect_facets(question).primary == facet


def test_facets_map_onto_record_kinds():
    assert for_kind(("when",), "grant") == ("deadline",)
    assert for_kind(("when",), "event") == ("time",)
    assert for_kind(("how_to_apply", "deadline"), "event") == ("registration",)
    assert for_kind(("amount",), "faq") == ("answer",)


# --- dates ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("다음 주 간사 교육", date(2027, 2, 1), date(2027, 2, 7)),
        ("다음주에 뭐 있어요", date(2027, 2, 1), date(2027, 2, 7)),
        ("이번 주", date(2027, 1, 25), date(2027, 1, 31)),
        ("이번 달 교육", date(2027, 1, 1), date(2027, 1, 31)),
        ("다음 달", date(2027, 2, 1), date(2027, 2, 28)),
        ("3월에 하는 행사", date(2027, 3, 1), date(2027, 3, 31)),
        ("12월에", date(2027, 12, 1), date(2027, 12, 31)),
        ("1월에", date(2027, 1, 1), date(2027, 1, 31)),
        ("내일", date(2027, 1, 26), date(2027, 1, 26)),
        ("모레", date(2027, 1, 27), date(2027, 1, 27)),
        ("오늘", date(2027, 1, 25), date(2027, 1, 25)),
        ("이번 주말", date(2027, 1, 30), date(2027, 1, 31)),
        ("다음 주 화요일", date(2027, 2, 2), date(2027, 2, 2)),
        ("3월 11일", date(2027, 3, 11), date(2027, 3, 11)),
        ("3월 초", date(2027, 3, 1), date(2027, 3, 10)),
        ("next week", date(2027, 2, 1), date(2027, 2, 7)),
        ("this month", date(2027, 1, 1), date(2027, 1, 31)),
        ("in March", date(2027, 3, 1), date(2027, 3, 31)),
        ("tomorrow", date(2027, 1, 26), date(2027, 1, 26)),
        ("下周", date(2027, 2, 1), date(2027, 2, 7)),
        ("3月", date(2027, 3, 1), date(2027, 3, 31)),
        ("tuần sau", date(2027, 2, 1), date(2027, 2, 7)),
        # weekdays and weekends in Chinese, Japanese and Vietnamese (NOW is a Monday)
        ("这周六有活动吗", date(2027, 1, 30), date(2027, 1, 30)),
        ("下星期三", date(2027, 2, 3), date(2027, 2, 3)),
        ("礼拜天", date(2027, 1, 31), date(2027, 1, 31)),
        ("下周末", date(2027, 2, 6), date(2027, 2, 7)),
        ("来週の金曜日", date(2027, 2, 5), date(2027, 2, 5)),
        ("土曜に何かありますか", date(2027, 1, 30), date(2027, 1, 30)),
        ("土曜日のイベント", date(2027, 1, 30), date(2027, 1, 30)),
        ("来週の日曜日の相談会", date(2027, 2, 7), date(2027, 2, 7)),
        ("今週末", date(2027, 1, 30), date(2027, 1, 31)),
        ("明後日", date(2027, 1, 27), date(2027, 1, 27)),
        ("thứ năm này", date(2027, 1, 28), date(2027, 1, 28)),
        ("thu 7 tuan sau", date(2027, 2, 6), date(2027, 2, 6)),
        ("chủ nhật tới", date(2027, 1, 31), date(2027, 1, 31)),
        ("cuối tuần này", date(2027, 1, 30), date(2027, 1, 31)),
    ],
)
def test_relative_dates_with_a_fixed_clock(question, start, end):
    found = resolve_dates(question, NOW)
    assert found is not None
    assert (found.start, found.end) == (start, end)


def test_words_that_only_look_like_dates():
    for text in (
        "주민총회 투표",
        "이웃만들기 신청",
        "주택 문제",
        "금액이 달라요",
        "ba người hàng xóm",
    ):
        assert resolve_dates(text, NOW) is None, text


@pytest.mark.parametrize(
    "habit",
    [
        "每周六的读书会",
        "毎週土曜日の教室",
        "毎週末",
        # a weekday joined to a noun: what is held that day ("the Sunday consultation")
        "日曜日の外国人相談は予約が要りますか",
        "周六的读书会在哪里",
    ],
)
def test_a_weekday_said_as_a_habit_in_chinese_or_japanese_is_no_one_day(habit):
    found = resolve_dates(habit, NOW)
    assert found is None or found.grain != "day", found


def test_dates_follow_the_zone_of_now():
    late = datetime(2027, 1, 31, 23, 30, tzinfo=SEOUL)  # Sunday night in Seoul
    assert resolve_dates("내일", late).start == date(2027, 2, 1)
    utc = late.astimezone(ZoneInfo("UTC"))  # still Sunday 14:30 in UTC
    assert resolve_dates("내일", utc).start == date(2027, 2, 1)


# --- filters ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value", "op"),
    [
        ("천만 원 넘게", 10_000_000, ">"),
        ("1000만원 이상", 10_000_000, ">="),
        ("300만원 이하", 3_000_000, "<="),
        ("5백만 원 미만", 5_000_000, "<"),
        ("1억", 100_000_000, ">="),
        ("over 10 million won", 10_000_000, ">"),
        ("10,000,000원", 10_000_000, ">="),
        # in Japanese, Chinese and Vietnamese, and "보다 많이 / 적게" (issue 10's rule fixes)
        ("100万ウォン以下の助成金", 1_000_000, "<="),
        ("最多200万韩元", 2_000_000, ">="),
        ("hỗ trợ 2 triệu won", 2_000_000, ">="),
        ("500 nghìn won", 500_000, ">="),
        ("300만원보다 많이 받을 수 있는", 3_000_000, ">"),
        ("100만원보다 적게 주는", 1_000_000, "<"),
    ],
)
def test_amounts(text, value, op):
    found = find_amount(text)
    assert found is not None and (found.value, found.op) == (value, op)


@pytest.mark.parametrize(
    ("text", "said", "bare"),
    [
        ("which grants give 3 million won or more", "or more", False),
        ("2 million won or less please", "or less", False),
        ("청년 사업 중에 300만원 이상인 거", "이상인", False),
        ("grants of at least 2 million won", "at least", False),
        ("3 million won grants", "", True),
    ],
)
def test_a_comparison_beside_an_amount_filters_and_is_no_topic(text, said, bare):
    # "or more" read as no comparison (a grant giving exactly that much, where one does)
    # and "more" left as a topic of its own (a FAQ entry ranked above the filter)
    found = find_criteria(text)
    assert found.amount is not None and found.amount.bare is bare
    covered = " ".join(text[start:end] for start, end in found.spans)
    assert said in covered


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("나이 제한 있는 사업 뭐예요", True),
        ("Which programmes have an age limit?", True),
        ("any age-restricted grants?", True),
        ("有年龄限制的项目有哪些", True),
        ("不限年龄的项目", False),
        ("年齢制限のない事業", False),
        ("Chương trình nào không giới hạn tuổi?", False),
        ("Is there an age limit for the youth lab?", None),  # one grant's rule, asked
    ],
)
def test_an_age_limit_asked_as_a_list(text, rule):
    assert find_criteria(normalize(text)).age_rule is rule


def test_ages():
    assert (find_age("저 25살인데").low, find_age("저 25살인데").high) == (25, 25)
    assert find_age("스물다섯살 대학생").low == 25
    assert find_age("i m 30 years old").low == 30
    assert (find_age("20대 청년").low, find_age("20대 청년").high) == (20, 29)
    assert find_age("이웃만들기 3명") is None


def test_criteria_words():
    c = find_criteria("지금 신청할 수 있는 공모사업 뭐 있어요")
    assert c.status == "open" and c.grant_words and c.list_words
    assert find_criteria("이번 달 교육 뭐 있어요").event_kinds == ("training",)
    assert not find_criteria("혼자서 신청할 수 있나요").list_words


def test_filters_on_the_demo(demo):
    answer = demo.ask("천만 원 넘게 주는 사업", NOW)
    assert answer.kind == "grant" and answer.id is None and answer.confident
    assert set(answer.matches) == {"local-lab", "resident-council-activity", "participatory-budget"}
    answer = answers(
        demo, "저 25살인데 받을 수 있는 지원금 있어요?", matches=("youth-idea",), id="youth-idea"
    )
    assert answer.grant_query is not None and answer.grant_query.others
    answer = demo.ask("45살도 받을 수 있는 지원금 있어요?", NOW)
    assert "youth-idea" not in answer.matches and len(answer.matches) > 5
    march = datetime(2027, 3, 2, 10, tzinfo=SEOUL)
    answer = demo.ask("이번 달 교육 뭐 있어요?", march)
    assert answer.kind == "event" and answer.event_query is not None
    assert set(answer.matches) == {"accounting-class", "new-committee-member-training",
                                   "officer-training"}  # fmt: skip


# --- answers and the renderer -----------------------------------------------------------
def test_deadline_answer_counts_days_in_the_configured_zone(demo):
    now = datetime(2026, 11, 22, 10, tzinfo=SEOUL)
    answer = demo.ask("이웃만들기 신청 언제까지예요?", now)
    assert (answer.kind, answer.id, answer.facet, answer.confident) == (
        "grant", "neighbour-making", "deadline", True,
    )  # fmt: skip
    text = render(demo, answer, Translator("ko", SEOUL), now)
    assert "이웃만들기 지원사업" in text and "2027년 2월 12일 (금)" in text and "D-82" in text
    assert "2027년 1월 18일 (월)" in text  # not open yet: when it opens
    late = demo.ask("이웃만들기 마감", datetime(2027, 3, 1, 10, tzinfo=SEOUL))
    assert "closed" in render(demo, late, en(), datetime(2027, 3, 1, 10, tzinfo=SEOUL))


def test_amounts_are_formatted_in_won(demo):
    answer = demo.ask("골목만들기는 돈 얼마나 줘요", NOW)
    ko = render(demo, answer, Translator("ko", SEOUL), NOW)
    assert "500만 원" in ko and "10%" in ko
    english = answers(demo, "How much money can we get from the alley grant?", lang="en")
    assert "₩5,000,000" in render(demo, english, en(), NOW)


def test_event_answer_uses_the_occurrence_in_the_asked_range(demo):
    now = datetime(2027, 2, 5, 10, tzinfo=SEOUL)
    answer = demo.ask("다음 주 간사 교육 어디서 해요?", now)
    assert (answer.kind, answer.id, answer.facet) == ("event", "secretary-training", "place")
    assert answer.occurrence == datetime(2027, 2, 9, 14, tzinfo=SEOUL)
    text = render(demo, answer, Translator("ko", SEOUL), now)
    assert "한빛마을플랫폼 2층 교육실" in text and "2월 9일" in text
    later = demo.ask("간사 교육 언제 해요?", datetime(2027, 2, 10, tzinfo=SEOUL))
    assert later.occurrence == datetime(2027, 4, 13, 14, tzinfo=SEOUL)  # rrule: 2nd Tue


def test_unsure_offers_three_and_none_gives_the_contact(demo):
    unsure = demo.ask("만들기 사업 마감", NOW)
    assert not unsure.confident and len(unsure.alternatives) == 3
    assert {"neighbour-making", "alley-making"} <= set(unsure.alternatives)
    assert "이웃만들기 지원사업" in render(demo, unsure, Translator("ko", SEOUL), NOW)
    none = demo.ask("오늘 날씨 어때요?", NOW)
    assert none.kind == "none" and none.id is None
    assert "02-555-0140" in render(demo, none, Translator("ko", SEOUL), NOW)
    answers(demo, "강남구 마을공동체 지원사업 언제 해요?", kind="none", reason="elsewhere")


def test_questions_in_languages_without_a_catalog_are_answered_in_english(demo):
    answer = answers(
        demo, "青年项目什么时候截止？", kind="grant", id="youth-idea", lang="en", question_lang="zh"
    )
    assert "Youth Village Idea Grant" in render(demo, answer, en(), NOW)


def test_json_shape(demo):
    answer = demo.ask("이웃만들기 서류", NOW)
    data = answer.as_json("text")
    assert list(data)[:5] == ["kind", "id", "facet", "text", "alternatives"]


def test_engine_on_a_generated_kb_it_was_not_tuned_on():
    parsed, problems = kb.validate(make_kb(grants=40, faq=20, events=10))
    assert parsed is not None, problems
    engine = QAEngine(parsed)
    now = datetime(2027, 3, 1, 10, tzinfo=SEOUL)
    answer = engine.ask("텃밭 모임 지원사업 마감 언제예요?", now)
    assert (answer.kind, answer.id, answer.facet) == ("grant", "g0000-garden", "deadline")
    answers(engine, "How much is the Repair Group Grant?", now, id="g0002-repair", facet="amount")
    young = engine.ask("청년 대상 사업 있어요?", now)
    assert young.kind == "grant" and young.matches
    assert all(parsed.grants[int(i[1:5])].rules.min_age == 19 for i in young.matches)
    assert engine.ask("대통령 선거 언제예요", now).kind == "none"
    text = render(engine, engine.ask("오늘 날씨", now), en(), now)
    assert "031-777-0100" in text


@pytest.mark.parametrize(
    "question",
    ["센터 전화번호 뭐예요", "마을자치센터 연락처", "What is the centre's phone number?",
     "中心电话是多少", "문의 전화 어디로 하면 돼요"],
)  # fmt: skip
def test_the_centres_own_contact_comes_from_the_region(demo, question):
    answer = answers(demo, question, kind="centre", facet="contact", confident=True)
    text = render(demo, answer, en(), NOW)
    assert "02-555-0140" in text and "maeul@hanbit.example.org" in text
    assert "Hanbit-gu Village Autonomy Centre" in text


def test_a_records_contact_is_still_the_records(demo):
    answer = demo.ask("아파트 공동체 사업 담당자 전화번호", NOW)
    assert (answer.kind, answer.id, answer.facet) == ("grant", "apartment-community", "contact")
    assert demo.ask("로또 번호 알려줘", NOW).kind != "centre"


def test_descriptions_find_the_programme(demo):
    for question, grant in [
        ("동네 벽화 그리는 거 지원해주나요", "alley-making"),
        ("반찬 나눔 모임 하려는데 돈 지원받을 수 있어요?", "neighbour-making"),
        ("우리 아파트에서 장터 열고 싶은데", "apartment-community"),
    ]:
        answer = demo.ask(question, NOW)
        assert (answer.kind, answer.id) == ("grant", grant), question


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("이번주 토요일 행사 있어요?", date(2026, 12, 12)),  # said on a Sunday: the coming one
        ("this Saturday", date(2026, 12, 12)),
        ("이번 주 일요일", date(2026, 12, 6)),  # today
        ("지난주 토요일", date(2026, 11, 28)),  # the week before this one (Monday to Sunday)
        ("다음 주 토요일", date(2026, 12, 12)),
    ],
)
def test_this_weeks_day_already_past_is_the_coming_one(question, expected):
    sunday = datetime(2026, 12, 6, 10, 0, tzinfo=ZoneInfo("Asia/Seoul"))
    found = resolve_dates(question, sunday)
    assert found is not None and (found.start, found.end) == (expected, expected)
