"""General fixes of the Q&A engine on Korean questions, each from a question of my own (none
from a question set)."""

from __future__ import annotations

import pytest

from bot.qa import QAEngine
from bot.qa.facets import detect_facets
from tests.qa_helpers import answers


@pytest.mark.parametrize(
    "question",
    [
        "체류기간이 내년 3월까지인데 모임 대표로 신청할 수 있나요?",
        "집 계약 기간은 올해 8월까지라서 이사 가는데 신청 가능해요?",
    ],
)
def test_a_period_told_in_the_story_is_not_asked(question: str) -> None:
    # the asker's own visa or lease runs to a month: said, not asked — who may apply is
    assert detect_facets(question).facets == ("eligibility",)


@pytest.mark.parametrize("question", ["신청 기간이 언제예요", "접수 기간은 3월까지인가요?"])
def test_a_period_asked_stays_asked(question: str) -> None:
    assert detect_facets(question).facets[0] == "when"


def test_a_group_said_and_will_it_do_asks_who_may_apply(demo: QAEngine) -> None:
    # nothing else asked: whether a group of that make-up qualifies, not what it is
    answers(
        demo,
        "저희 가족 셋이랑 옆집 두 분 이렇게 다섯 명인데 이웃만들기 돼요?",
        id="neighbour-making",
        facet="eligibility",
    )
