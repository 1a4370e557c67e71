"""Session 20's general fixes of the Q&A engine, each from a question of my own (none from a
question set): the next gathering is an event, a definition question finds the FAQ entry
that defines the same thing, and not knowing where the office is asks for the centre."""

from __future__ import annotations

import pytest

from bot.qa import QAEngine
from bot.qa.facets import detect_facets
from tests.qa_helpers import NOW, answers, demo_without_faq


@pytest.mark.parametrize("question", ["담 모임 언제 해요?", "When is the next gathering?"])
def test_the_next_gathering_is_an_event(demo: QAEngine, question: str) -> None:
    # a group's next meeting is one of the events, not a grant for groups (모임)
    answers(demo, question, kind="event", confident=True)


def test_a_group_alone_still_asks_for_a_grant(demo: QAEngine) -> None:
    assert demo.ask("우리 모임도 지원금 받을 수 있나요?", NOW).kind == "grant"


@pytest.mark.parametrize(
    "question", ["주민총회라는 게 뭐죠?", "주민 총회란 무엇입니까", "what's the general assembly"]
)
def test_a_definition_question_finds_the_entry_defining_it(demo: QAEngine, question: str) -> None:
    # the entry "주민총회가 뭔가요?" asked in other words; the entries on voting in it share
    # its words but say what is done there, not what it is
    answers(demo, question, kind="faq", id="what-is-assembly", confident=True)


def test_a_definition_of_something_else_is_not_that_entry(demo: QAEngine) -> None:
    answer = demo.ask("주민총회 투표 방법이 뭐예요?", NOW)
    assert not (answer.id == "what-is-assembly" and answer.confident), answer


@pytest.mark.parametrize(
    "question", ["Sorry, I don't know where your office is", "사무실이 어디인지 잘 모르겠어요"]
)
def test_not_knowing_where_the_office_is_asks_for_the_centre(question: str) -> None:
    # (a KB whose FAQ says nothing of the centre's place: its address card)
    answers(demo_without_faq("centre-location"), question, kind="centre", facet="place")


@pytest.mark.parametrize("question", ["관리실 몇 시까지 해요?", "management office phone number?"])
def test_a_complex_management_office_is_another_door(demo: QAEngine, question: str) -> None:
    # its number and hours are the complex's own; not the apartment programme, whose text
    # mentions its consent
    answers(demo, question, kind="none", confident=True)


def test_the_management_office_beside_a_programme_word_is_the_programme(demo: QAEngine) -> None:
    answers(demo, "관리사무소 동의서 꼭 있어야 해요?", kind="grant", id="apartment-community")


def test_starting_a_group_is_no_opening_asked() -> None:
    # what the asker is about to start (an object before 시작하려는데) is the story; when
    # applications start is asked of 접수 or 신청
    assert "opens" not in detect_facets("아이들이랑 그림책 모임을 시작하려는데 지원되나요").facets
    assert "opens" not in detect_facets("독서모임 시작하고 싶은데 받을 수 있는 게 있나요").facets
    assert "opens" in detect_facets("접수 언제 시작해요?").facets


@pytest.mark.parametrize("question", ["어디예요?", "Where is it?", "Ở đâu?"])
def test_where_and_nothing_else_is_the_centres_place(question: str) -> None:
    # no record named and none asked before: not whichever FAQ entry says "where"
    answers(demo_without_faq("centre-location"), question, kind="centre", facet="place")
