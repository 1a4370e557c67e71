"""Session 27's fixes of the Q&A engine, each from a question of my own (none from a question
set): a follow-up that tells the asker's own case and asks whether it will do."""

from __future__ import annotations

import pytest

from tests.qa_helpers import NOW
from tests.test_qa_session26 import assert_follows

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
