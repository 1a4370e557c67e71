"""Q&A: the weaknesses the template sweep (tests/qa/sweep.py, tests/qa/SWEEP.md) found in many
districts' KBs at once, each with questions of our own (not the sweep's templates)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.qa import Answer, QAEngine
from tests.qa.sweep import now_of
from tests.qa_helpers import answers


def _answers(
    engines: Callable[[str], QAEngine], district: str, question: str, **expected: Any
) -> Answer:
    """``question`` asked of the district's engine when its own question sets are asked (its
    dev set's moment, else its out-of-scope set's), checked as :func:`answers` checks."""
    engine = engines(district)
    now = now_of(Path(__file__).parent / "qa" / district, engine.kb)
    return answers(engine, question, datetime.fromisoformat(now), **expected)


# A grant whose name holds an event's kind word (동네축제 지원사업, 상호문화 축제: 축제 is a
# festival; 상호문화 마을강좌: 강좌 a training), named and its deadline asked: the grant's
# application closes — not the festival of the KB that shares the word
@pytest.mark.parametrize(
    ("district", "question", "grant"),
    [
        ("eighteenth", "동네축제는 마감이 언제예요?", "neighbourhood-festival"),
        ("sixteenth", "상호문화축제 신청 마감일 언제죠", "intercultural-festival"),
        ("sixth", "상호문화 마을강좌는 언제까지 내면 돼요?", "intercultural-class"),
    ],
)
def test_grant_named_with_an_event_word_deadline(
    engines: Callable[[str], QAEngine], district: str, question: str, grant: str
) -> None:
    _answers(engines, district, question, kind="grant", id=grant, facet="deadline")


# An event's title in part, its words typed together with the kind word ("안전지킴이교육":
# 안전 a theme, 교육 a kind, 지킴이 what names the training): that training, not every
# training's dates
@pytest.mark.parametrize(
    ("district", "question", "event"),
    [
        ("tenth", "안전지킴이교육 언제하나요", "safety-guard-training"),
        ("tenth", "대학생마을연구설명회 몇시예요", "research-briefing"),
    ],
)
def test_event_title_glued_to_its_kind_word(
    engines: Callable[[str], QAEngine], district: str, question: str, event: str
) -> None:
    _answers(engines, district, question, kind="event", id=event, facet="time")
