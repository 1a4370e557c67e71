"""An FAQ entry's own question, typed again, is that entry — surely.

Residents copy a question from the centre's leaflet or website, or type again one the bot
offered in its "is it one of these?" list. Before, 118 of the 1,456 FAQ questions of the demo
and the districts' KBs (Korean and English, asked word for word) were answered "not sure" or
with another record: an entry shares its words with its neighbours ("주민총회가 뭔가요?" beside
"주민총회 투표는 누가 할 수 있나요?"), and the margin between them was too small
(`QAEngine._faq_questions`). Spacing and punctuation do not matter; a question two entries
share answers neither by itself.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.qa.engine import QAEngine
from bot.qa.text import compact
from tests.kbdemo import demo_kb
from tests.qa_helpers import answers

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=ZoneInfo("Asia/Seoul"))
DEMO = demo_kb()  # (the ``demo`` fixture is conftest's: the lexical engine on this KB)


@pytest.mark.parametrize(
    ("faq_id", "lang"), [(f.id, lang) for f in DEMO.faq for lang in ("ko", "en")]
)
def test_every_faq_question_asked_word_for_word_is_that_entry(demo, faq_id, lang):
    question = getattr(demo.faq[faq_id].question, lang)
    answers(demo, question, NOW, kind="faq", id=faq_id, confident=True)


@pytest.mark.parametrize(
    "question",
    [
        "주민총회가 뭔가요?",
        "주민총회가뭔가요",
        "주민총회가 뭔가요 ?!",
        "WHAT is the general assembly",
    ],
)
def test_spacing_case_and_punctuation_aside(demo, question):
    answers(demo, question, NOW, kind="faq", id="what-is-assembly", confident=True)


def test_a_question_two_entries_share_answers_neither_by_itself():
    parsed = DEMO.model_copy(deep=True)
    first, second = parsed.faq[0], parsed.faq[1]
    second.question = first.question.model_copy()
    engine = QAEngine(parsed)
    assert compact(first.question.ko) not in engine._faq_questions
    assert engine.ask(first.question.ko, NOW).reason != "name"  # ranked, as before


def test_a_longer_question_is_ranked_as_before(demo):
    # more than the entry's question: no shortcut, the ranking decides as it did
    answer = demo.ask("주민총회가 뭔가요? 그리고 올해는 언제 해요?", NOW)
    assert not (answer.kind == "faq" and answer.reason == "name")
