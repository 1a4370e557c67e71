"""The thing a short Korean question asks for, unknown to the knowledge base (issue 10's
signature of a near-topic question): ``QAEngine.unknown_head`` and the gate it closes.

Every question here is my own, none from a question set; the demo KB's engine without the model
(the rule reads words only; tests/test_qa_outside.py has answers with the model).
"""

from __future__ import annotations

import pytest

from tests.qa_helpers import NOW, answers


@pytest.mark.parametrize(
    ("question", "head"),
    [
        # the last noun, past the nouns and verbs that only ask (설치, 어디로 해요)
        ("골목 방범용 CCTV 설치 요청 어디로 해요", "요청"),
        ("아파트 장터 야시장 천막 업체 추천", "추천"),
        ("마을 협동조합 조합원 출자금 환급", "환급"),
        ("공유부엌 위생교육 수료증 받으려면", "수료증"),
        # an asking the KB never speaks of is the thing asked (고장; 수리 is no verb's)
        ("마을회관 정수기 고장 수리", "고장"),
        # the subject of what is asked is the thing ("…가 얼마래요", "…은 누가 해요")
        ("마을버스 요금이 올해 얼마래요", "요금"),
        ("놀이터 소독은 누가 해요", "소독"),
        # the office where to go is no thing asked ("… 면사무소 가면 돼요?")
        ("경로당 난방비 지원은 주민센터 가면 돼요?", "난방비"),
        # "받고 싶은데": what only asks, like 받으려면
        ("청년 창업 융자 받고 싶은데 조건이요", "융자"),
        # a Sino-Korean noun ending like a verb (평가, 허가) is a thing all the same
        ("공유부엌 위생평가 신청 어떻게 해요", "위생평가"),
        ("골목 축제 때 도로 점용허가 받으려면", "점용허가"),  # (its 가 no particle)
        # in English, past what only asks (renew, book …); what is booked is the thing
        ("Where can I renew a hunting licence?", "licence"),
        ("How do I book the tennis court at the park?", "court"),
    ],
)
def test_the_unknown_thing_asked_for_is_found(demo, question, head):
    assert demo.unknown_head(demo._analyse(question, NOW)) == head


@pytest.mark.parametrize(
    "question",
    [
        "우리 동호회도 신청할수 있어요?",  # who asks (동호회도), not what is asked for
        "지원금으로 노트북 사도 돼요?",  # may we spend on it: a programme's rule
        "골목길 이웃 다섯 집이 모여서 골목 잔치 열고 싶어요",  # what a group wants to do
        "이웃만들기 신청 서류",  # known words only
        "동네 엄마들이랑 방과후에 아이들 책 읽어 주는 모임을 시작하려는데 수제비누 재료비도 되나요",
        "총회 몇시 시작이에요",  # the hour asked
        "우리 동호회가 신청해도 돼요?",  # who asks, with 가 too
        "Where is the accounting class held?",  # held only asks
        "Can I apply on my own?",
        "How much is the alley grant?",  # known words
    ],
)
def test_no_unknown_thing_asked_for(demo, question):
    assert demo.unknown_head(demo._analyse(question, NOW)) is None


def test_a_programme_named_beside_a_thing_it_does_not_know_comes_first_but_offered(demo):
    # (until the fourteenth session a programme named kept its sure answer: "마을기업 법인
    # 등기", "갯벌 체험장 입장료" were answered with the programme; measured then, no set's
    # right answer lost its sureness — tests/test_qa_apart.py)
    answer = demo.ask("이웃만들기 천막 업체 추천", NOW)
    assert answer.id == "neighbour-making" and not answer.confident, answer
    assert answer.reason == "gate", answer


@pytest.mark.parametrize("question", ["치매안심센터 어디 있어요", "자원봉사센터 몇 시에 열어요"])
def test_a_centre_named_by_what_it_is_for_is_another_door(demo, question):
    # both were answered surely with where our centre is (42b1e5b)
    answers(demo, question, kind="none", reason="service")


@pytest.mark.parametrize(
    "question", ["마을센터 전화번호", "공동체지원센터 어디예요", "주민자치센터 몇시에 문 닫아요"]
)
def test_our_centre_by_the_words_residents_call_it_is_ours(demo, question):
    answer = demo.ask(question, NOW)
    assert answer.confident and (answer.kind, answer.id) in {
        ("centre", None),
        ("faq", "centre-location"),
    }, answer


def test_a_price_word_is_passed_like_the_asking(demo):
    # "정장 무료 대여": the suit is what is asked for (answered surely with the youth grant
    # before, 42b1e5b)
    question = "청년 면접정장 무료 대여 어디서 해요"
    assert demo.unknown_head(demo._analyse(question, NOW)) == "정장"
    assert not demo.ask(question, NOW).confident


def test_a_japanese_question_known_only_by_a_generic_word_is_not_answered_surely(demo):
    # 募集 reads 모집, a word of every programme; the ski resort and the part-time job are
    # nothing the KB knows
    answer = demo.ask("温泉旅館のアルバイトの募集はいつからですか", NOW)
    assert not answer.confident


def test_an_english_near_topic_question_is_not_answered_surely(demo):
    answer = demo.ask("Where can I get a youth fishing permit for the river?", NOW)
    assert not answer.confident


@pytest.mark.parametrize(
    ("question", "head"),
    [
        # what an English question asks to get, report or renew, however long it goes on after
        (
            "How can I get a parking sticker for my car at the alley near the village hall?",
            "sticker",
        ),
        (
            "We joined the alley project last year. Where do I report a broken water pipe on our street?",
            "pipe",
        ),
        # whether there is one, named by another office's word beside it (the KB's own "tax"
        # is the grant's, never a tax refund)
        ("Is there a tax refund for families with three kids?", "tax refund"),
    ],
)
def test_the_english_thing_asked_to_get_is_found_in_a_long_question(demo, question, head):
    assert demo.unknown_head(demo._analyse(question, NOW)) == head


@pytest.mark.parametrize(
    "question",
    [
        # a thing the KB knows, and one said in the story rather than asked
        "How do I get the application form for the alley grant before the deadline?",
        "I'd like to get the neighbours on my floor together. What can we apply for?",
        "Is there a grant for young people?",
    ],
)
def test_no_english_thing_asked_to_get_when_known_or_only_told(demo, question):
    assert demo.unknown_head(demo._analyse(question, NOW)) is None


@pytest.mark.parametrize(
    "question", ["이웃만들기 천막 대여 시간", "골목만들기 이용 시간이 어떻게 돼요"]
)
def test_the_hours_a_place_lends_or_opens_are_no_programme_s(demo, question):
    # a programme has no hours of use or of lending: the place sharing its words has (both
    # were answered surely with the programme's deadline before)
    answer = demo.ask(question, NOW)
    assert answer.kind == "grant" and not answer.confident, answer
