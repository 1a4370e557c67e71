"""The Q&A engine on its evaluation set (tests/qa/eval.yaml): accuracy and calibration."""

from __future__ import annotations

import pytest

from bot import kb
from bot.qa import QAEngine
from tests.qa.evaluate import HOLDOUT_PATH, load_cases
from tests.qa.evaluate import evaluate as run_evaluation


@pytest.fixture(scope="module")
def engine() -> QAEngine:
    parsed, problems = kb.load_and_validate(kb.demo_kb_path())
    assert parsed is not None, problems
    return QAEngine(parsed)


def test_evaluation_set_is_big_and_varied():
    cases, _ = load_cases()
    assert len(cases) >= 200
    assert sum(1 for c in cases if c.get("oos")) >= 30
    languages = {c["lang"] for c in cases}
    assert {"ko", "en", "zh", "vi"} <= languages


def test_accuracy_and_calibration(engine):
    cases, now = load_cases()
    report = run_evaluation(engine, cases, now)
    print("\n".join(report.misses))
    print(report.summary())
    assert report.top1_rate >= 0.90, report.summary()
    assert report.oos_confident_rate <= 0.10, report.summary()
    assert report.confident_wrong_rate <= 0.05, report.summary()


def test_holdout_set_is_big_and_varied():
    cases, _ = load_cases(HOLDOUT_PATH)
    assert len(cases) >= 80
    assert sum(1 for c in cases if c.get("oos")) >= 15
    assert sum(1 for c in cases if c.get("kind") == "centre") >= 3
    assert {"ko", "en", "zh", "vi"} <= {c["lang"] for c in cases}


def test_holdout_accuracy_and_calibration(engine):
    """The held-out set (written before the engine was changed for it): same bars as eval."""
    cases, now = load_cases(HOLDOUT_PATH)
    report = run_evaluation(engine, cases, now)
    print("\n".join(report.misses))
    print(report.summary())
    assert report.top1_rate >= 0.90, report.summary()
    assert report.oos_confident_rate <= 0.10, report.summary()
    assert report.confident_wrong_rate <= 0.05, report.summary()
