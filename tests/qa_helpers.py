"""What the Q&A engine's rule tests share: the moment they ask at, asking with the answer
expected, the demo KB changed for one test, the districts' engines (tests/qa/<folder>/kb.yaml)
and the case tables kept as YAML."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.kb import records as kb
from bot.qa import Answer, QAEngine
from tests import fast_yaml

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2027, 1, 25, 10, 0, tzinfo=SEOUL)  # Monday


def shown_first(answer: Answer) -> str | None:
    """The record a resident sees first: the answer's, or the first of those offered."""
    return answer.id if answer.confident else (answer.alternatives or (answer.id,))[0]


def answers(engine: QAEngine, question: str, now: datetime = NOW, **expected: Any) -> Answer:
    """``engine``'s answer to ``question``, checked: each field named in ``expected`` (kind,
    id, facet, confident, reason …) must have the value given."""
    answer = engine.ask(question, now)
    assert {name: getattr(answer, name) for name in expected} == expected, answer
    return answer


def assert_follows(engine: QAEngine, question: str, follow: tuple[str, str], facet: str) -> None:
    """``question``, asked right after an answer about ``follow``, is a sure answer about it,
    telling ``facet``."""
    answer = engine.ask(question, NOW, follow=follow)
    assert (answer.kind, answer.id, answer.facet, answer.confident) == (*follow, facet, True)
    assert answer.reason == "follow-up", answer


def assert_not_about(engine: QAEngine, question: str, follow: tuple[str, str]) -> None:
    """``question``, asked right after an answer about ``follow``, is no sure answer about it."""
    answer = engine.ask(question, NOW, follow=follow)
    assert not (answer.kind, answer.id, answer.confident) == (*follow, True), answer


def edited_demo(edit: Callable[[dict[str, Any]], object]) -> QAEngine:
    """The engine on a copy of the demo KB's YAML document changed by ``edit`` (in place)."""
    document = fast_yaml.load(kb.demo_kb_path().read_text(encoding="utf-8"))
    edit(document)
    parsed, problems = kb.validate(document)
    assert parsed is not None, problems
    return QAEngine(parsed)


def demo_without_faq(faq_id: str) -> QAEngine:
    """The engine on the demo KB without one FAQ entry (``centre-location``: a KB whose FAQ
    says nothing of the centre's place or hours, as most districts')."""
    from tests.kbdemo import demo_kb

    parsed = demo_kb()
    return QAEngine(parsed.model_copy(update={"faq": [f for f in parsed.faq if f.id != faq_id]}))


def cases(path: Path, table: str) -> list[Any]:
    """The cases of ``table`` in the YAML case file ``path``: each its question (``q``) and the
    fields its answer must have, with the question as the test's id."""
    document = fast_yaml.load(path.read_text(encoding="utf-8"))
    return [
        pytest.param(question, expected, id=question)
        for question, expected in ((case.pop("q"), case) for case in document[table])
    ]


def district_kb(district: str | None = None) -> kb.KnowledgeBase:
    """The validated KB of ``district`` (a folder of tests/qa), or the demo's."""
    path = Path(__file__).parent / "qa" / district / "kb.yaml" if district else kb.demo_kb_path()
    parsed, problems = kb.load_and_validate(path)
    assert parsed is not None, problems
    return parsed


@functools.cache
def lexical(district: str) -> QAEngine:
    """The engine without the model on the KB of ``district`` (a folder of tests/qa), built
    once a process (the engine answers without changing)."""
    return QAEngine(district_kb(district))


def with_model(district: str | None = None) -> QAEngine:
    """The engine as the bot builds it, with the model and its vectors ready, on the KB of
    ``district`` (a folder of tests/qa) or the demo's; the test is skipped where the model is
    not installed."""
    from bot.qa.service import build_engine

    engine = build_engine(district_kb(district))
    if engine.semantic is None:
        pytest.skip("the model is not installed")
    assert engine.semantic.wait(300)
    return engine


def district_now(district: str) -> datetime:
    """The moment the questions of ``district``'s development set are asked at."""
    path = Path(__file__).parent / "qa" / district / "dev.yaml"
    return datetime.fromisoformat(str(fast_yaml.load(path.read_text(encoding="utf-8"))["now"]))
