"""Follow-ups: the part of a record asked right after an answer about it (handing in, "who",
a bound on a number, who may come), as residents type them. Written in session 26 (as
tests/test_qa_session26.py), each from a question of my own tried in the console, none from a
question set."""

from __future__ import annotations

import re

import pytest

from bot.qa.facets import detect_facets
from tests.qa_helpers import NOW, SEOUL, assert_follows

pytestmark = pytest.mark.usefixtures("warm_vectors")  # answers independent of timing

GRANT = ("grant", "neighbour-making")
EVENT = ("event", "accounting-class")


@pytest.mark.parametrize(
    ("question", "follow", "facet"),
    [
        # handing in: what one does with any application, no topic of its own
        ("그럼 언제까지 내요?", GRANT, "deadline"),
        ("언제까지 내면 돼요?", GRANT, "deadline"),
        ("서류 어디에 내요?", GRANT, "documents"),
        ("서류는 어디로 보내요?", GRANT, "documents"),
        ("몇 시까지 제출하면 돼요?", GRANT, "deadline"),
        # the question word 누구, "comes", a bound of a number, "until what age"
        ("담당자 누구예요?", GRANT, "contact"),
        ("누구한테 물어봐요?", GRANT, "contact"),
        ("선정되면 연락 와요?", GRANT, "result"),
        ("몇 명 이상이어야 돼요?", GRANT, "eligibility"),
        ("몇명이상이어야돼요", GRANT, "eligibility"),  # typed without spaces
        ("서류어디로보내요", GRANT, "documents"),
        ("그럼 그건 몇 살까지예요?", GRANT, "eligibility"),
        ("직접 가져가야 돼요?", GRANT, "how_to_apply"),
        # of an event: its end, its sign-up taken back, who may come
        ("몇 시에 끝나요?", EVENT, "time"),
        ("취소하려면 어떻게 해요?", EVENT, "registration"),
        ("애들 데려가도 돼요?", EVENT, "audience"),
        ("우리 엄마도 돼요?", EVENT, "audience"),
        ("외국인도 할 수 있어요?", GRANT, "eligibility"),
        # the same in English and Chinese
        ("how many people do we need?", GRANT, "eligibility"),
        ("when does it end?", GRANT, "deadline"),
        ("can foreigners apply too?", GRANT, "eligibility"),
        ("how do I hand it in?", GRANT, "how_to_apply"),
        ("who do I send it to?", GRANT, "how_to_apply"),
        ("can I bring my kids?", EVENT, "audience"),
        ("can I cancel?", EVENT, "registration"),
        ("截止日期是什么时候？", GRANT, "deadline"),
        ("外国人也可以吗？", GRANT, "eligibility"),
        # what is left around the cue: 필요해요, a visit, a particle and 해요 typed together,
        # "regist" inside "register", a seat left, how many are funded
        ("서류 뭐 필요해요", GRANT, "documents"),
        ("방문해서 내야 돼요?", GRANT, "how_to_apply"),
        ("몇 팀 뽑아요?", GRANT, "amount"),
        ("몇시에해요", EVENT, "time"),
        ("예약 필요해요?", EVENT, "registration"),
        ("자리 남았어요?", EVENT, "registration"),
        ("do I need to register?", EVENT, "registration"),
        # and in Vietnamese, Chinese and Japanese
        ("Hạn chót là khi nào?", GRANT, "deadline"),
        ("Cần giấy tờ gì?", GRANT, "documents"),
        ("Được hỗ trợ bao nhiêu tiền?", GRANT, "amount"),
        ("需要什么材料", GRANT, "documents"),
        ("いくらもらえますか", GRANT, "amount"),
        ("Mấy giờ bắt đầu?", EVENT, "time"),
        ("どこでやりますか", EVENT, "place"),
    ],
)
def test_a_follow_up_as_residents_type_it_is_about_the_last_record(demo, question, follow, facet):
    assert_follows(demo, question, follow, facet)


@pytest.mark.parametrize(
    "question",
    [
        "그럼 언제까지 내요?",
        "서류 어디에 내요?",
        "몇 명 이상이어야 돼요?",
        "애들 데려가도 돼요?",
        "외국인도 할 수 있어요?",
    ],
)
def test_alone_such_a_question_names_no_record_confidently(demo, question):
    answer = demo.ask(question, NOW)
    assert not (answer.confident and answer.kind in ("grant", "event")), answer


def test_who_may_with_a_faq_entry_on_it_is_that_entry(engines):
    # a KB whose FAQ says foreigners may join every programme: that entry, not the
    # programme just answered, whose own rule says nothing of them
    tenth = engines("tenth")
    answer = tenth.ask("외국인도 할 수 있어요?", NOW, follow=("grant", "zero-waste-move"))
    assert (answer.kind, answer.id) == ("faq", "international-students")
    # and the same shape of question about whom no entry speaks follows the programme
    answer = tenth.ask("애들 데려가도 돼요?", NOW, follow=("grant", "zero-waste-move"))
    assert (answer.id, answer.reason) == ("zero-waste-move", "follow-up")


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        ("그럼 그건 몇 살까지예요?", "eligibility"),
        ("직접 가져가야 돼요?", "how_to_apply"),
        ("들고 가야 해요?", "how_to_apply"),
        ("누구한테 물어봐요?", "contact"),
        ("우리 엄마도 돼요?", "eligibility"),
        ("신청한 거 취소돼요?", "registration"),
    ],
)
def test_the_cue_of_what_is_asked(question, facet):
    assert detect_facets(question).primary == facet


@pytest.mark.parametrize(
    ("question", "word"),
    [
        ("안내 좀 해 주세요", "안내"),  # 내 inside a word is no handing in
        ("내용이 뭐예요?", "내용"),
        ("이상한 문자 받았는데 센터에서 보낸 거예요?", "이상한"),  # 이상 that is no bound
        ("와인 모임 있어요?", "와인"),  # 와 that is no "comes"
        ("앱이 이상해요", "이상"),  # strange, no bound
    ],
)
def test_words_that_only_look_like_asking_nothing_stay_the_topic(demo, question, word):
    assert word in demo._analyse(question, NOW).topic.split()


# --- after a list: its lines, pointed at by number ----------------------------------------
LISTED = (
    "participatory-budget",
    "neighbour-making",
    "community-growth",
    "alley-making",
    "village-space",
    "apartment-community",
    "social-problem-solving",
    "resident-council-activity",
)


@pytest.mark.parametrize(
    ("typed", "line", "facet"),
    [
        ("2번은 언제까지예요?", 2, "deadline"),  # a particle after the number
        ("5번 서류는요?", 5, "documents"),  # past the three choices of "is it one of these?"
        ("다섯번째 거 얼마예요?", 5, "amount"),
        ("the fourth one", 4, "summary"),
        ("8번", 8, "summary"),
        ("6", 6, "summary"),  # typed alone, as "which of its lines?" asks
    ],
)
def test_a_line_of_a_list_is_pointed_at_by_its_number(demo, typed, line, facet):
    answer = demo.ask(typed, NOW, choices=LISTED)
    assert (answer.id, answer.facet, answer.reason) == (LISTED[line - 1], facet, "chosen")


@pytest.mark.parametrize("typed", ["5명이에요", "4 명이서 해도 돼요?", "9번"])
def test_a_number_past_three_without_beon_is_no_line(demo, typed):
    assert demo.ask(typed, NOW, choices=LISTED).reason != "chosen"


def test_a_follow_up_after_a_list_asks_which_of_its_lines(demo):
    answer = demo.ask("서류는요?", NOW, choices=LISTED)
    assert (answer.reason, answer.alternatives, answer.facet) == ("which", LISTED, "documents")


def test_the_lines_of_a_list_answer_in_their_order(demo):
    from bot.core.i18n import Translator
    from bot.qa import listed, render

    answer = demo.ask("공모사업 뭐 있어요?", NOW)
    shown = listed(demo, answer)
    assert answer.is_filter and len(shown) == min(8, len(answer.matches))
    text = render(demo, answer, Translator("ko", SEOUL), NOW)
    lines = [line.split(". ", 1) for line in text.splitlines() if re.match(r"\d+\. ", line)]
    names = [demo.grants[i].name.ko for i in shown]
    assert [number for number, _ in lines] == [str(n) for n in range(1, len(shown) + 1)]
    assert [rest.split(" — ")[0] for _, rest in lines] == names
    # a list of events: a line each time one is held
    answer = demo.ask("다음 달 행사 뭐 있어요?", NOW)
    assert listed(demo, answer) == tuple(i for i, _ in answer.event_query.occurrences)[:8]
    # a sure answer about one record, or choices offered, is no list
    assert listed(demo, demo.ask("이웃만들기 마감 언제예요?", NOW)) == ()


async def test_in_the_bot_a_line_of_a_list_is_pointed_at_by_number(bot):
    chat = bot.chat()
    events = await chat.send("공모사업 뭐 있어요?")
    lines = [line for line in events[0].text.splitlines() if line.startswith("2. ")]
    second = lines[0][3:].split(" — ")[0]
    events = await chat.send("2번은 언제까지예요?")
    assert events[0].text.startswith(second) and "마감" in events[0].text, events[0].text
    # and then it is the topic: a follow-up is about that grant
    events = await chat.send("서류는요?")
    assert second in events[0].text and "제출 서류" in events[0].text, events[0].text


# --- a part asked, with a word or two of the asker's own around it --------------------------
@pytest.mark.parametrize(
    ("question", "follow", "facet"),
    [
        ("Bao nhiêu tiền vậy?", GRANT, "amount"),  # a filler left: vậy
        ("언제까지 내믄 되노", GRANT, "deadline"),  # dialect: 내믄
        ("几点结束？", ("event", "village-walk"), "time"),
        ("集合地点在哪？", ("event", "village-walk"), "place"),
        ("마흔인데 안되겠죠?", ("grant", "youth-idea"), "eligibility"),  # only an age told
        ("우리 넷인데 돼요?", GRANT, "eligibility"),  # only the group's size told
        ("활동계획서도 내야돼요?", GRANT, "documents"),  # one paper named: must it go in too?
        ("Can I hand it in on a Sunday?", GRANT, "how_to_apply"),
        ("Do I need to sign up first?", EVENT, "registration"),
        ("予約しなくてもいいですか", EVENT, "registration"),
        ("子供連れでも大丈夫ですか", EVENT, "audience"),
    ],
)
def test_a_part_asked_with_a_word_of_ones_own_is_about_the_last_record(
    demo, question, follow, facet
):
    assert_follows(demo, question, follow, facet)


@pytest.mark.parametrize(
    "question",
    [
        "출산 지원금 얼마 나와요",  # a thing of its own (a noun) beside the part asked
        "로또 번호 알려줘",
        "工伤怎么申请？",
        "중국집 어디 있어요?",
        "다른 행사는요?",  # another
        "what about the festival?",
        "주민자치회 위원 뽑는 건 언제예요?",  # the KB's words this record's text lacks
    ],
)
def test_a_question_naming_another_thing_is_no_follow_up(demo, question):
    answer = demo.ask(question, NOW, follow=GRANT)
    assert not (answer.id == GRANT[1] and answer.confident), answer


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        ("줍깅데이 그냥 가도 돼요 신청해야돼요", "registration"),
        ("안심골목 사업 우리돈도 내야되요?", "amount"),  # money, not a paper
        ("회계담당 말고 대표가 가도 돼요?", "eligibility"),
        ("퇴근하고 저녁에 내러 가도 돼요?", "how_to_apply"),
    ],
)
def test_cues_of_coming_and_handing_in(question, facet):
    assert detect_facets(question).primary == facet


# --- after an answer about an online vote: what is asked of a vote ------------------------
VOTE = ("assembly", "hanbit1-2027")


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        # how many may be chosen: how one votes, which says it (session 27; the summary before)
        ("몇 개 찍어요?", "how_to_apply"),
        ("몇 개까지 찍을 수 있어요?", "how_to_apply"),
        ("안건 뭐뭐 있노", "summary"),
        ("뭐뭐 올라왔어요?", "summary"),
        ("投票到什么时候？", "time"),
    ],
)
def test_a_follow_up_about_a_vote_is_about_that_vote(demo, question, facet):
    assert_follows(demo, question, VOTE, facet)


@pytest.mark.parametrize("question", ["다른 동 투표는요?", "옆 동네 총회는 언제예요?"])
def test_another_vote_asked_after_one_is_not_that_one(demo, question):
    answer = demo.ask(question, NOW, follow=VOTE)
    assert not (answer.id == VOTE[1] and answer.confident), answer


# --- "what other … are there?" ---------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("다른 행사는요?", "event"),
        ("다른 교육은요?", "event"),
        ("그럼 다른 사업도 있어요?", "grant"),
        ("any other events?", "event"),
        ("are there other grants?", "grant"),
        ("别的活动呢？", "event"),
        ("其他补助有吗？", "grant"),
    ],
)
def test_what_else_there_is_of_a_kind_is_its_list(demo, question, kind):
    answer = demo.ask(question, NOW, follow=EVENT)
    assert (answer.kind, answer.is_filter, answer.confident) == (kind, True, True), answer


def test_another_of_a_kind_named_is_no_list(demo):
    # (the kind must be all the message says: "다른 동 투표는요?" asks of a vote)
    assert not demo.ask("다른 동 투표는요?", NOW).is_filter


@pytest.mark.parametrize("question", ["거기 주차 돼요?", "is there parking there?"])
def test_parking_there_after_an_event_is_not_another_offices_matter(demo, question):
    # no record says where to park: "don't know, ask the centre", not "another office's"
    answer = demo.ask(question, NOW, follow=EVENT)
    assert (answer.kind, answer.reason) == ("none", "none"), answer
    assert demo.ask("주차 돼요?", NOW).reason == "service"  # (asked alone, as before)


# The record a chat was told about may leave the KB while the topic is held (staff import a
# new KB without it): the next question is answered as if nothing were followed, never a crash
# (it was a StopIteration from inside the thread the handler asks in)
@pytest.mark.parametrize("kind", ["grant", "event", "assembly"])
@pytest.mark.parametrize("question", ["안건 뭐예요?", "그럼 서류는요?", "거기 어디예요?"])
def test_a_record_gone_from_the_kb_is_followed_no_more(demo, kind, question):
    gone = demo.ask(question, NOW, follow=(kind, "taken-out-since"))
    assert gone == demo.ask(question, NOW), gone
