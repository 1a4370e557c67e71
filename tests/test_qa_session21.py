"""Session 21's general fixes of the Q&A engine's ranking, each from a question of my own
(none from a question set)."""

from __future__ import annotations

import pytest

from bot.qa import QAEngine
from tests.qa_helpers import NOW


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
