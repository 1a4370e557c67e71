"""Session 24's general fixes of the Q&A engine, each from a question of my own (none from a
question set)."""

from __future__ import annotations

import pytest

from bot.qa import QAEngine
from tests.qa_helpers import NOW, with_model


@pytest.fixture(scope="module")
def demo_with_model() -> QAEngine:
    return with_model()


@pytest.mark.parametrize(
    "question",
    [
        "선정되면 연락 와요?",  # 선정되면 is in the entry on being selected twice, too
        "붙으면 따로 알려주나요?",
    ],
)
def test_the_faq_entry_asking_what_is_asked_leads(demo_with_model: QAEngine, question: str) -> None:
    """Two FAQ entries share the question's words; the one whose own question asks what the
    question asks (the result: 선정 결과는 언제 알 수 있나요?) comes first."""
    answer = demo_with_model.ask(question, NOW)
    first = answer.id if answer.confident else (answer.alternatives or (answer.id,))[0]
    assert (answer.kind, first) == ("faq", "results-announcement"), answer
