"""The demo district's knowledge base, loaded once per test process (read-only: tests that
change a KB load their own copy)."""

from __future__ import annotations

from functools import cache

from bot.kb import records as kb
from bot.qa import QAEngine


@cache
def demo_kb() -> kb.KnowledgeBase:
    """The validated demo KB (``bot/kb/data/demo.yaml``)."""
    parsed, problems = kb.validate(kb.load_file(kb.demo_kb_path()))
    assert parsed is not None, problems
    return parsed


@cache
def lexical_engine() -> QAEngine:
    """The Q&A engine on the demo KB without the model: what the rule tests exercise."""
    return QAEngine(demo_kb())
