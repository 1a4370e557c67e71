"""Where the engine's confident answers go wrong, and whether a refitted gate would do better.

``python -m tests.qa.gate_study [--load FILE.jsonl ...] [--save FILE.jsonl]``

Runs the engine (with the model, as the bot does) over the tuning sets on the demo KB and
every *development* district (``tests/qa/*/dev.yaml``; the blind sets are never read here)
with the out-of-scope gate switched off, and keeps for each question what the gate would
have seen (:class:`bot.qa.gate.GateFeatures`), its verdict, and whether the answer was right.
``--load`` adds rows saved earlier with ``--save`` — e.g. the same districts run on the engine
as it stood when each was first scored (a worktree at that commit, this file copied in): those
are the closest thing to a district nobody has tuned on, and the fairest data for a gate.

It prints:
* the confident answers that are wrong (or answer an out-of-scope question), by the path
  that made them confident: ``name`` (a record named: the gate is skipped), ``filter`` (a list),
  ``lexical`` (ranking, through the gate) …, and for a named record with a wrong facet;
* leave-one-district-out cross-validation of a logistic gate refitted on the same features
  (bad answers weighing ×3, as the fitted one) against the fitted coefficients, at several
  thresholds: how many right answers each keeps confident, and how many bad ones.

Findings of 2026-12-04 (fifth session) are in ``bench/README-qa.md``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from bot.kb import records as kb
from bot.qa.gate import _COEF, _INTERCEPT, GateFeatures
from tests.qa import evaluate as ev

HERE = Path(__file__).parent
DEMO_SETS = ev.TUNING_SETS
BAD_WEIGHT = 3.0
THRESHOLDS = (0.4, 0.5, 0.6, 0.7)


def study_sets() -> list[tuple[str, str, Path, Path]]:
    """(set, district, KB, questions): the demo's tuning sets and every development district."""
    demo = kb.demo_kb_path()
    out = [(name, "demo", demo, path) for name, path in ev.tuning_sets()]
    for folder in sorted(p for p in HERE.iterdir() if (p / "dev.yaml").exists()):
        out.append((f"{folder.name}-dev", folder.name, folder / "kb.yaml", folder / "dev.yaml"))
    assert not any("blind" in str(q) for *_, q in out)
    return out


def collect(name: str, district: str, kb_path: Path, questions: Path) -> list[dict[str, Any]]:
    from bot.qa.service import build_engine

    parsed, problems = kb.load_and_validate(kb_path)
    assert parsed is not None, problems
    engine = build_engine(parsed)
    seen: dict[str, GateFeatures] = {}
    features = engine.gate_features

    class _Open:  # the gate switched off: every answer it is asked about passes
        def __init__(self, f: GateFeatures) -> None:
            seen["f"] = f

        def passes(self) -> bool:
            return True

    engine.gate_features = lambda a, top, second: _Open(features(a, top, second))  # type: ignore[method-assign,assignment]
    cases, default_now = ev.load_cases(questions)
    rows = []
    for case in cases:
        seen.clear()
        answer = engine.ask(case["q"], datetime.fromisoformat(str(case.get("now", default_now))))
        out_of_scope = bool(case.get("oos") or case.get("unsure"))
        f = seen.get("f")
        rows.append(
            {
                "set": name,
                "district": district,
                "oos": out_of_scope,
                "right": not out_of_scope and ev.is_right(case, answer),
                "same_record": answer.id is not None and answer.id == case.get("id"),
                "confident": answer.confident and answer.kind != "none",
                "reason": answer.reason,
                "features": asdict(f) if f is not None else None,
            }
        )
    return rows


def _vector(features: dict[str, Any]) -> list[float]:
    foreign = bool(features["foreign"])
    return [
        min(features["lexical"], 1.5),
        min(features["fused"], 2.0),
        features["cosine_lift"],
        features["margin"],
        0.0 if foreign else features["known"],
        float(foreign),
    ]


def _fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = 0.01) -> tuple[np.ndarray, float]:
    """Weighted logistic regression by gradient descent on standardised features."""
    mu, sd = x.mean(0), x.std(0) + 1e-9
    z = (x - mu) / sd
    beta, b = np.zeros(z.shape[1]), 0.0
    for _ in range(4000):
        p = 1 / (1 + np.exp(-(z @ beta + b)))
        beta -= 0.5 * (z.T @ ((p - y) * w) / w.sum() + l2 * beta)
        b -= 0.5 * float(((p - y) * w).sum() / w.sum())
    return beta / sd, b - float((beta * mu / sd).sum())


def report(rows: list[dict[str, Any]]) -> None:
    paths: Counter[str] = Counter()
    for r in rows:
        if not r["confident"] or r["right"]:
            continue
        gated = r["features"] is not None
        if gated and not GateFeatures(**r["features"]).passes():
            continue  # the fitted gate stops it
        what = "out of scope" if r["oos"] else "wrong facet" if r["same_record"] else "wrong"
        paths[f"{r.get('engine', 'now')}: {r['reason']}: {what}"] += 1
    print("confident and bad, by path (the fitted gate on):")
    for key, n in paths.most_common():
        print(f"  {key:38} {n}")

    gated_rows = [
        r
        for r in rows
        if r["features"] is not None and r["confident"] and not r["features"]["service"]
    ]
    x = np.array([_vector(r["features"]) for r in gated_rows])
    y = np.array([1.0 if r["right"] else 0.0 for r in gated_rows])
    oos = np.array([r["oos"] for r in gated_rows])
    groups = np.array([r["district"] for r in gated_rows])
    engines = np.array([r.get("engine", "now") for r in gated_rows])
    fitted = np.array(
        [_COEF[k] for k in ("lexical", "fused", "cosine_lift", "margin", "known", "foreign")]
    )
    refit = np.zeros(len(y))
    weights = np.where(y == 1, 1.0, BAD_WEIGHT)
    for district in sorted(set(groups)):  # leave one district out
        train, test = groups != district, groups == district
        coef, intercept = _fit(x[train], y[train], weights[train])
        refit[test] = 1 / (1 + np.exp(-(x[test] @ coef + intercept)))
    old = 1 / (1 + np.exp(-(x @ fitted + _INTERCEPT)))
    print(
        f"gated answers: {len(y)} ({int(y.sum())} right, {int((1 - y).sum())} bad, {int(oos.sum())} out of scope)"
    )
    for engine in sorted(set(engines)):  # rows of today's engine; of earlier ones (--load)
        on = engines == engine
        print(f"engine: {engine}")
        for label, p in (("fitted", old), ("refit (CV)", refit)):
            for t in THRESHOLDS:
                kept = (p >= t) & on
                print(
                    f"  {label:11} ≥ {t:.1f}: right kept {int((kept & (y == 1)).sum()):4}  "
                    f"bad kept {int((kept & (y == 0)).sum()):3}  "
                    f"out of scope kept {int((kept & oos).sum()):2}"
                )


def main() -> int:
    rows: list[dict[str, Any]] = []
    args = sys.argv[1:]
    for i, arg in enumerate(args):
        if arg == "--load":
            for path in args[i + 1 :]:
                if path.startswith("--"):
                    break
                rows += [json.loads(line) for line in Path(path).read_text().splitlines()]
    if "--load" not in args or "--collect" in args:
        for name, district, kb_path, questions in study_sets():
            rows += collect(name, district, kb_path, questions)
            print(f"{name}: {len(rows)} rows", file=sys.stderr)
    if "--save" in args:
        Path(args[args.index("--save") + 1]).write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        )
    report(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
