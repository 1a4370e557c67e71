"""Follow-ups: the asker's own case told, and "will it do?", right after an answer about a
record. Written in session 27 (as tests/test_qa_session27.py), each from a question of my own
(none from a question set)."""

from __future__ import annotations

import pytest

from bot.qa.facets import detect_facets
from tests.qa_helpers import NOW, assert_follows

pytestmark = pytest.mark.usefixtures("warm_vectors")  # answers independent of timing

GRANT = ("grant", "neighbour-making")
FESTIVAL = ("event", "village-festival-2026")


@pytest.mark.parametrize(
    ("question", "follow", "facet"),
    [
        # a time lived here, a status, what the asker is, where they live, a group's make-up
        ("저 이사온지 석달 됐는데 돼요?", GRANT, "eligibility"),
        ("세입자인데 되나요", GRANT, "eligibility"),
        ("고등학생인데 신청해도 되나요", GRANT, "eligibility"),
        ("옆동네 사는데 돼요?", GRANT, "eligibility"),
        ("직장인이라서 평일엔 못하는데 주말에만 해도 되나요", GRANT, "eligibility"),
        ("사업자등록 없는데 괜찮나요", GRANT, "eligibility"),
        # of an event, who may come is its audience
        ("휠체어 타는데 가도 되나요", FESTIVAL, "audience"),
        ("늦게 도착하는데 괜찮아요?", FESTIVAL, "audience"),
        # in English and Chinese
        ("we only have 3 people, is that ok?", GRANT, "eligibility"),
        ("I'm a foreigner, can I apply?", GRANT, "eligibility"),
        ("我在这里工作但是不住在这里，可以吗？", GRANT, "eligibility"),
    ],
)
def test_the_askers_own_case_after_an_answer_asks_that_records_rule_of_who_may(
    demo, question, follow, facet
):
    assert_follows(demo, question, follow, facet)


@pytest.mark.parametrize(
    "question",
    [
        # a matter of its own, in words no record uses
        "근로계약서 안쓰고 일했는데 괜찮은건가요",
        "멧돼지가 고구마밭 다 디비놨는데 보상 되나",
        # another programme heard of
        "간판 바꿔주는 사업 한다던데 우리 가게도 돼요?",
        # another office's service
        "실업급여 받고 있는데 신청돼요?",
        # "what can I do", not "may I"
        "my boss didnt pay my overtime, what can i do",
        # another of the kind
        "다른 동에 사는데 다른 사업은 돼요?",
    ],
)
def test_a_case_told_that_turns_to_another_matter_is_not_about_the_last_record(demo, question):
    answer = demo.ask(question, NOW, follow=GRANT)
    assert not (answer.kind == "grant" and answer.id == GRANT[1] and answer.confident), answer


@pytest.mark.parametrize("question", ["세입자인데 되나요", "옆동네 사는데 돼요?"])
def test_a_case_told_alone_is_not_taken_for_any_record(demo, question):
    answer = demo.ask(question, NOW)
    assert not (answer.kind == "grant" and answer.confident), answer


# A fee asked right after an answer about an event: no field says one, so the answer is the
# event's card and what the card says of a fee (or that it says nothing: ask the centre).
@pytest.mark.parametrize(
    "question", ["공짜예요?", "참가비 있어요?", "회비 내야 돼요?", "is it free?", "免费吗？",
                 "Có mất phí không?", "無料ですか"],
)  # fmt: skip
def test_a_fee_asked_after_an_event_is_its_card_and_what_it_says_of_a_fee(demo, question):
    answer = demo.ask(question, NOW, follow=FESTIVAL)
    assert (answer.kind, answer.id, answer.confident, answer.reason) == (
        *FESTIVAL,
        True,
        "follow-up",
    ), answer
    assert answer.facets[:2] == ("summary", "fee"), answer


def test_the_fee_answer_says_the_notice_is_silent_and_whom_to_ask(demo, monkeypatch):
    from bot.core.i18n import Translator
    from bot.qa.render import render

    class_ = ("event", "accounting-class")  # (held again after NOW)
    answer = demo.ask("공짜예요?", NOW, follow=class_)
    text = render(demo, answer, Translator("ko", NOW.tzinfo), NOW)
    event = demo.events[class_[1]]
    assert event.title.ko in text and event.place.ko in text, text  # the card
    assert "참가비가 있는지는" in text and "02-555-0140" in text, text
    english = render(demo, answer, Translator("en", NOW.tzinfo), NOW)
    assert "does not say whether there is a fee" in english, english
    # a notice that says it ("누구나 무료로 와요."): the card alone tells it
    told = event.model_copy(
        update={"description": event.description.model_copy(update={"ko": "누구나 무료로 와요."})}
    )
    monkeypatch.setitem(demo.events, class_[1], told)
    text = render(demo, answer, Translator("ko", NOW.tzinfo), NOW)
    assert "누구나 무료로 와요." in text and "참가비가 있는지는" not in text, text


@pytest.mark.parametrize(
    "question", ["무료 교육 있어요?", "is it free?", "참가비 있는 행사 있어요?"]
)
def test_a_fee_word_asked_alone_is_searched_as_before(demo, question):
    answer = demo.ask(question, NOW)
    assert "fee" not in answer.facets, answer


def test_a_fee_said_beside_another_thing_after_an_event_is_not_that_event(demo):
    answer = demo.ask("이웃만들기 지원사업도 공짜예요?", NOW, follow=FESTIVAL)
    assert answer.id != FESTIVAL[1], answer


ACCOUNTING = ("event", "accounting-class")


# Words that name nothing, around a follow-up's cue (a pronoun, a filler, "how" as said, a
# verb's form), in the languages residents write: the question is still about the record.
@pytest.mark.parametrize(
    ("question", "follow", "facet"),
    [
        ("Cái này hạn chót khi nào vậy?", GRANT, "deadline"),
        ("thời gian mấy giờ vậy ạ", ACCOUNTING, "time"),
        ("ok so where exactly is it?", ACCOUNTING, "place"),
        ("thanks! and what's the maximum amount?", GRANT, "amount"),
        ("이거 어케 신청해요 직접 가야돼?", GRANT, "how_to_apply"),
        ("그럼 서류는 언제까지 내야되나요", GRANT, "deadline"),
    ],
)
def test_words_that_name_nothing_do_not_turn_a_follow_up_away(demo, question, follow, facet):
    assert_follows(demo, question, follow, facet)


@pytest.mark.parametrize(
    "question",
    [
        # a noun of its own beside the cue (ending as a verb may: 신고, 발급지), or two
        "건강검진표 재발급 받으려면 어디로 가요",
        "이사해서 전입신고 해야되는데 어디로 가요",
        "where can I get free legal advice?",
        "Cái này ở bệnh viện nào vậy?",
    ],
)
def test_a_thing_of_its_own_beside_fillers_still_turns_away(demo, question):
    answer = demo.ask(question, NOW, follow=GRANT)
    assert not (answer.id == GRANT[1] and answer.confident), answer


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        # an interview, the way to apply, who is in charge, what it does: cues in Chinese,
        # Japanese, Vietnamese and English that had none
        ("有面试吗？", "how_to_apply"),
        ("インタビューはありますか", "how_to_apply"),
        ("Có phỏng vấn không?", "how_to_apply"),
        ("how do we send the application?", "how_to_apply"),
        ("这个谁负责？", "contact"),
        ("Ai phụ trách vậy?", "contact"),
        ("这个是做什么的？", "summary"),
        ("これは何をする事業ですか", "summary"),
    ],
)
def test_cues_in_other_languages(question, facet):
    assert facet in detect_facets(question).facets


@pytest.mark.parametrize(
    ("question", "follow", "facet"),
    [
        # the asker's age told, with a filler beside it
        ("저 마흔둘인데 안되겠죠ㅠㅠ", GRANT, "eligibility"),
        ("I'm 70, is this one ok for me?", GRANT, "eligibility"),
        # a case told that ends "…건데 돼요?", "됨?", or says what it is not ("아니고")
        ("동아리 아니고 그냥 친구끼리 하는건데 돼요?", GRANT, "eligibility"),
        ("우리 셋이서 하는 건데 됨?", GRANT, "eligibility"),
    ],
)
def test_more_ways_of_telling_ones_own_case(demo, question, follow, facet):
    assert_follows(demo, question, follow, facet)


GROWTH = ("grant", "community-growth")  # (the KB says it follows neighbour-making)
ALLEY = ("grant", "alley-making")  # (it follows none)


@pytest.mark.parametrize(
    ("question", "follow", "facet"),
    [
        # another grant named as what the asker did, and the rest names nothing of its own:
        # the record just answered
        ("작년에 이웃만들기 받았는데 이것도 신청 돼요?", GROWTH, "eligibility"),
        ("작년에 이웃만들기 받았는데 이것도 신청 돼요?", ALLEY, "eligibility"),
        ("이웃만들기 받아서 1년 했는데 이거 언제까지 내요?", ALLEY, "deadline"),
        ("작년에 골목만들기 했었는데 이거 바로 넣어도 되나요?", GRANT, "eligibility"),
        # a noun with its particle, told of oneself
        ("주민 개인으로는 안돼요?", GRANT, "eligibility"),
    ],
)
def test_the_askers_story_then_a_question_of_the_record_just_answered(
    demo, question, follow, facet
):
    assert_follows(demo, question, follow, facet)


def test_the_story_asked_alone_or_turning_to_another_record_is_not_the_last_one(demo):
    alone = demo.ask("작년에 이웃만들기 받았는데 이것도 신청 돼요?", NOW)
    assert alone.id not in (ALLEY[1], GROWTH[1]) or not alone.confident, alone
    other = demo.ask("작년에 이웃만들기 받았는데 주민자치학교는 언제 해요?", NOW, follow=ALLEY)
    assert other.id != ALLEY[1], other


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        # words the record's own text uses are its topic, not a thing of the question's own
        ("다목적홀 2층 맞죠? 몇 시에 시작해요", "time"),
        ("플랫폼 다목적홀이면 어디로 가요", "place"),
        ("몇시에 시작해요 다목적홀 맞제", "time"),
    ],
)
def test_the_records_own_words_beside_a_cue_keep_the_follow_up(demo, question, facet):
    assert_follows(demo, question, ACCOUNTING, facet)


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        # "…too, will it do?": of an activity, what the grant pays for (its card); of a group
        # or a person, who may
        ("텃밭 가꾸는 것도 되나요?", "summary"),
        ("공연 보러 가는 것도 돼요?", "summary"),
        ("동네 어르신 모임도 신청 가능?", "eligibility"),
        ("책 읽는 모임은 안 돼요?", "eligibility"),
    ],
)
def test_will_this_do_too_after_a_grant_is_about_that_grant(demo, question, facet):
    assert_follows(demo, question, ALLEY, facet)


@pytest.mark.parametrize(
    "question", ["다른 동 모임도 돼요?", "주민등록등본도 여기서 돼요?", "이웃만들기도 되나요?"]
)
def test_will_this_do_too_of_another_thing_is_not_the_last_record(demo, question):
    answer = demo.ask(question, NOW, follow=ALLEY)
    assert answer.id != ALLEY[1], answer


VOTE = ("assembly", "hanbit1-2027")


@pytest.mark.parametrize("question", ["몇 개까지 찍어요?", "how many can I pick?", "能选几个？"])
def test_how_many_one_picks_after_a_vote_is_how_one_votes_and_says_how_many(demo, question):
    from bot.core.i18n import Translator
    from bot.qa.render import render

    assert_follows(demo, question, VOTE, "how_to_apply")
    answer = demo.ask(question, NOW, follow=VOTE)
    vote = demo.assemblies[VOTE[1]]
    text = render(demo, answer, Translator("en", NOW.tzinfo), NOW)
    said = "Vote yes, no or abstain" if vote.method == "approve_reject" else "Choose up to"
    assert said in text and "/vote" in text, text


def test_how_many_one_picks_asked_alone_is_searched_as_before(demo):
    answer = demo.ask("한빛1동 투표 몇개까지 고를수있어요", NOW)
    assert "choices" not in answer.facets, answer


@pytest.mark.parametrize(
    ("question", "facets"),
    [
        ("손글씨로 써서 내도 돼요?", ("how_to_apply",)),
        ("will we hear if we got it?", ("result",)),
        # a while, no sum
        ("이사 온 지 얼마 안 됐는데 돼요?", ()),
        ("얼마 전에 이사왔어요", ()),
    ],
)
def test_more_cues_and_a_while_that_is_no_sum(question, facets):
    found = detect_facets(question).facets
    assert "amount" not in found and set(facets) <= set(found), found


def test_a_fee_and_another_part_asked_together_after_an_event(demo):
    answer = demo.ask("참가비 있어요? 신청해야 돼요?", NOW, follow=ACCOUNTING)
    assert answer.id == ACCOUNTING[1] and answer.facets[:2] == ("registration", "fee"), answer


def test_a_records_name_in_han_letters_is_its_own_word(demo_with_model):
    # 会计教育 read in Korean is 회계교육, the class's own name: not a thing of its own
    assert_follows(demo_with_model, "会计教育几点开始？", ACCOUNTING, "time")


ASSEMBLY_DAY = ("event", "general-assembly-hanbit1")  # (hanbit1's assembly held on site)


@pytest.mark.parametrize(
    ("question", "follow", "facet"),
    [
        # voting asked after the answer about a dong's assembly day: that dong's online vote
        ("몇 개 찍어요?", VOTE, "how_to_apply"),
        ("온라인 투표는 언제까지예요?", VOTE, "time"),
        ("안건 뭐뭐 있어요?", VOTE, "summary"),
        # the day itself: the event
        ("거기 어디예요?", ASSEMBLY_DAY, "place"),
        ("몇 시에 시작해요?", ASSEMBLY_DAY, "time"),
    ],
)
def test_voting_asked_after_an_assembly_day_is_its_dongs_online_vote(demo, question, follow, facet):
    answer = demo.ask(question, NOW, follow=ASSEMBLY_DAY)
    assert (answer.kind, answer.id, answer.facet, answer.confident) == (*follow, facet, True)
