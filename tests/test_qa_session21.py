"""Session 21's general fixes of the Q&A engine's ranking, each from a question of my own
(none from a question set)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.qa import QAEngine
from bot.qa.facets import detect_facets
from tests.qa_helpers import NOW, answers, edited_demo


@pytest.mark.parametrize(
    "question",
    [
        # its size said: a group that already exists, asking for support for what it does
        "우리 모임 8명인데 동네 축제 같은 잔치 열때 지원 되나요",
        # a habit said ("매주 모이는"): the same
        "센터 공간 빌려서 매주 모이는 요리 모임 7명인데 재료비 지원 받을 수 있을까요",
    ],
)
def test_what_a_group_already_does_with_money_asked_is_a_programme(
    demo: QAEngine, question: str
) -> None:
    # not the neighbourhood party nor the FAQ entry on renting the centre's rooms, which
    # share the story's words: the programme that pays for such a group
    assert demo.ask(question, NOW).kind == "grant"


def _with_market_day(document: dict[str, Any]) -> None:
    # an event sharing the apartment programme's words (아파트, 단지, 나눔)
    document["events"].append(
        {
            "id": "complex-market-day",
            "kind": "meeting",
            "title": {"ko": "단지 나눔 장터", "en": "Complex sharing market"},
            "starts_at": "2027-02-20T14:00:00+09:00",
            "ends_at": "2027-02-20T17:00:00+09:00",
            "place": {"ko": "한빛아파트 관리동 2층", "en": "Hanbit Apartments, 2F"},
            "audience": {"ko": "아파트 주민 누구나", "en": "Any resident"},
            "description": {
                "ko": "이웃들이 모여 물건을 나누는 날입니다.",
                "en": "Neighbours share things.",
            },
            "registration": {"required": False},
        }
    )


@pytest.fixture(scope="module")
def market_day() -> QAEngine:
    return edited_demo(_with_market_day)


def test_signing_up_asked_is_the_event_not_the_programme_beside_it(market_day: QAEngine) -> None:
    # the programme led by a little; a programme has no sign-up for a day, the market has
    answers(market_day, "아파트 단지 장터 예약해야 돼요?", kind="event", id="complex-market-day")


def test_a_programme_far_ahead_keeps_its_place(market_day: QAEngine) -> None:
    # named, and far ahead of the market day: "where" is where to apply for it
    answers(market_day, "아파트 공동체 장터 어디서 해요?", kind="grant", id="apartment-community")


def test_a_sentence_telling_what_was_done_is_the_story(demo: QAEngine) -> None:
    # "…다 들었어요" (its full stop left out) tells of the school; becoming a member is asked
    answers(
        demo,
        "주민자치학교 다 들었어요 자치회 위원 되려면 어떻게 해요",
        kind="faq",
        id="become-council-member",
    )


def test_a_sentence_with_a_question_word_is_the_question(demo: QAEngine) -> None:
    # "…언제 했었어요" asks when the festival was, whatever follows
    answers(
        demo, "마을자치한마당 언제 했었어요 사진 있어요", kind="event", id="village-festival-2026"
    )


@pytest.mark.parametrize(
    "question",
    ["작년에 지원됐는데 올해도 신청 돼요?", "선정돼서 활동 다 끝냈고 다음 사업 뭐 있어요"],
)
def test_being_selected_told_as_the_story_asks_no_result(question: str) -> None:
    # the clause goes on ("…됐는데", "…돼서"): what happened, not whether one was selected
    assert "result" not in detect_facets(question).facets


@pytest.mark.parametrize("question", ["우리 팀 선정됐나요?", "선정됐는지 어디서 봐요"])
def test_being_selected_asked_is_the_result(question: str) -> None:
    assert detect_facets(question).facets[0] == "result"


@pytest.mark.parametrize(
    "question", ["다음 행사는 언제 열려요?", "이번 달 교육은 언제 열리나요", "다음 모임 언제 열려"]
)
def test_is_held_names_no_record_the_events_to_come_are_listed(
    demo: QAEngine, question: str
) -> None:
    # "열려요" (is held) is a verb like 해요 and 있어요: it was taken as the topic, and the
    # nearest event's time was offered as "not sure" instead of the events to come
    answer = demo.ask(question, NOW)
    assert (answer.kind, answer.is_filter, answer.confident) == ("event", True, True), answer
