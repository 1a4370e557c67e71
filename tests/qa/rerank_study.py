"""Leave-one-district-out study of a learned reranker over the engine's head; not run by the tests.

The reranker (bench/README-qa.md, "Pass of 2026-12-07"): the first :data:`HEAD` candidates
of ``QAEngine._rank`` described by :data:`FEATURES`, scored by a linear model fitted as a
conditional logit (softmax over the head), reordered by it, the head's own scores handed
out again in the new order. It is not part of the engine: this script wraps
``QAEngine._rank`` (as a hook at its end would be) when imported.

Groups: the demo KB's tuning sets (one group) and each district folder (its dev and oos sets),
never a blind set. Steps, from the worktree root::

    PYTHONPATH=. .venv/bin/python -m tests.qa.rerank_study collect /tmp/heads.pkl
    PYTHONPATH=. .venv/bin/python -m tests.qa.rerank_study offline /tmp/heads.pkl
    PYTHONPATH=. .venv/bin/python -m tests.qa.rerank_study lodo /tmp/heads.pkl \
        [--tau T] [--l2 L] [--min-words N]

``collect`` runs the engine as it is (no reranking) on every question, keeping the features
of each question's head (the first ``_rank`` of it), the index of the right record in it,
and the engine's own outcome. ``offline``: for each group, the model fitted on the other
groups, and how often the head's first record is the right one before and after reordering
(no engine run). ``lodo``: the same folds end to end — the engine run on the held-out
group's questions with that fold's weights — against the engine's outcome without; per
group in-scope top-1, out of scope answered confidently, confident-wrong, and each question
whose outcome changed. ``fit`` prints the weights fitted on every group. ``--tau``: the
engine's first keeps its place unless the model prefers another by this many logits;
``--min-words``: shorter questions are not reordered; ``--grants-only``: only the head's
grants trade places.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.kb import records as kb
from bot.qa.engine import QAEngine
from bot.qa.service import build_engine
from tests.qa import evaluate as ev

Row = dict[str, Any]
Array = npt.NDArray[np.float64]

HEAD = 6  # how many candidates are reordered
# Left as they are: a head whose first record is named by its name or an alias (this much
# of the name score) or is a dong's assembly, and questions of fewer words than MIN_WORDS
NAMED = 1.0
MIN_WORDS = 0
GRANTS_ONLY = False  # only the grants in the head trade places (other records keep theirs)

FEATURES = (
    "rel",  # score / top score
    "gap",  # top score − score
    "lexical",
    "name",
    "title",
    "body",
    "semantic",  # the model's bonus (in the score)
    "cos_z",  # the record's best cosine, z-scored among all records
    "cos_rank",  # 1 / (1 + its rank among all records by cosine)
    "cos_gap",  # (best cosine of any record − its cosine) × 10
    "grant",
    "event",
    "faq",
    "no_field",  # the question's first facet is no field of its kind (a grant's place)
    "first",  # ranked first by the engine
    "position",  # rank / HEAD
    # the question's length (words, at most 15, / 15) and its language (zh/vi/ja) times …
    "long_cos_z",
    "long_lexical",
    "foreign_cos_z",
    "foreign_lexical",
    "long_semantic",
    "long_grant",
    "long_event",
    "long_faq",
    "foreign_grant",
    "foreign_event",
    "foreign_faq",
)

_NO_FIELD = {
    "event": frozenset({"amount", "documents", "result"}),
    "grant": frozenset({"place", "time", "registration"}),
}

# Every head's features are collected here when it is a list; reordered by these weights
# when they are set.
capture: list[tuple[list[tuple[str, str]], npt.NDArray[np.float64]]] | None = None
override: npt.NDArray[np.float64] | None = None


def features(
    candidates: Sequence[Any],
    cosines: npt.NDArray[np.float32],
    ready: npt.NDArray[np.bool_],
    facets: tuple[str, ...],
    question: str,
    foreign: bool,
) -> npt.NDArray[np.float64]:
    """One row of :data:`FEATURES` for each of the first :data:`HEAD` candidates."""
    long = min(len(question.split()), 15) / 15
    other = float(foreign)
    head = candidates[:HEAD]
    top = head[0].score if head else 0.0
    known = cosines[ready].astype(np.float64)
    median = float(np.median(known)) if known.size else 0.0
    spread = float(known.std()) if known.size else 1.0
    best = float(known.max()) if known.size else 0.0
    first_facet = facets[0] if facets else ""
    rows = []
    for position, c in enumerate(head):
        kind = c.record.kind
        cosine = float(cosines[c.scored.doc]) if ready[c.scored.doc] else median
        rank = int((known > cosine).sum())
        cos_z = (cosine - median) / spread if spread > 0 else 0.0
        kinds = (float(kind == "grant"), float(kind == "event"), float(kind == "faq"))
        rows.append(
            (
                c.score / top if top > 0 else 0.0,
                top - c.score,
                c.scored.lexical,
                c.name,
                c.scored.title,
                c.scored.body,
                c.semantic,
                cos_z,
                1.0 / (1.0 + rank),
                (best - cosine) * 10,
                *kinds,
                float(first_facet in _NO_FIELD.get(kind, ())),
                float(position == 0),
                position / HEAD,
                long * cos_z,
                long * c.scored.lexical,
                other * cos_z,
                other * c.scored.lexical,
                long * c.semantic,
                *(long * k for k in kinds),
                *(other * k for k in kinds),
            )
        )
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))


def applies(candidates: Sequence[Any], question: str) -> bool:
    """Is the head reordered at all? Not when its first record is named, or an assembly."""
    top = candidates[0]
    return top.name < NAMED and top.record.kind != "assembly" and len(question.split()) >= MIN_WORDS


def rerank(
    candidates: list[Any],
    cosines: npt.NDArray[np.float32],
    ready: npt.NDArray[np.bool_],
    facets: tuple[str, ...],
    question: str,
    foreign: bool,
) -> None:
    """Reorders the head of ``candidates`` (sorted by score) in place: the head's scores,
    highest first, go to its candidates in the model's order."""
    if len(candidates) < 2 or not ready.any():
        return
    x = features(candidates, cosines, ready, facets, question, foreign)
    if capture is not None:
        capture.append(([(c.record.kind, c.record.id) for c in candidates[:HEAD]], x))
    if not applies(candidates, question):
        return
    if override is None:
        return
    order = [int(i) for i in np.argsort(-(x @ override), kind="stable")]
    if GRANTS_ONLY:
        slots = [i for i, c in enumerate(candidates[: len(order)]) if c.record.kind == "grant"]
        grants = [i for i in order if candidates[i].record.kind == "grant"]
        order = list(range(len(order)))
        for slot, i in zip(slots, grants, strict=True):
            order[slot] = i
    head = candidates[: len(order)]
    scores = sorted((c.score for c in head), reverse=True)
    ranked = [head[i] for i in order]
    for candidate, score in zip(ranked, scores, strict=True):
        candidate.score = score
    candidates[: len(ranked)] = ranked


_engine_rank = QAEngine._rank


def _rank(self: QAEngine, a: Any, widen: bool = False) -> list[Any]:
    """The engine's ``_rank``, its head then reordered (as a hook at its end would)."""
    candidates = _engine_rank(self, a, widen)
    if self.semantic is not None and a.query_vector is not None:
        if capture is not None or override is not None:
            cosines, ready = self.semantic.scores(a.query_vector)
            foreign = a.question_lang not in (None, "ko", "en")
            rerank(candidates, cosines, ready, a.facets, a.question, foreign)
    return candidates


QAEngine._rank = _rank  # type: ignore[method-assign]  # (this script only)


def groups() -> Iterator[tuple[str, Path, list[tuple[str, Path]]]]:
    """(group, its KB, its sets by name): the demo's tuning sets, then each district."""
    yield "demo", kb.demo_kb_path(), list(ev.tuning_sets())
    districts: dict[str, tuple[Path, list[tuple[str, Path]]]] = {}
    for name, (kb_path, set_path) in ev.DISTRICT_SETS.items():
        if "blind" in name:
            continue
        folder = kb_path.parent.name
        districts.setdefault(folder, (kb_path, []))[1].append((name, set_path))
    for folder, (kb_path, sets) in districts.items():
        yield folder, kb_path, sets


def _engine(kb_path: Path) -> QAEngine:
    parsed, _ = kb.load_and_validate(kb_path)
    engine = build_engine(parsed)
    if engine.semantic is not None:
        engine.semantic.wait(600)
    return engine


def _target(case: dict[str, Any]) -> tuple[str, str] | None:
    if case.get("oos") or case.get("unsure"):
        return None
    if case.get("id"):
        return str(case["kind"]), str(case["id"])
    matches = case.get("matches") or []
    return (str(case["kind"]), str(matches[0])) if len(matches) == 1 else None


def run(engine: QAEngine, sets: list[tuple[str, Path]], group: str) -> list[Row]:
    """Every question of ``sets``: the engine's outcome, and its head if captured."""
    global capture
    rows = []
    for name, path in sets:
        cases, default_now = ev.load_cases(path)
        for case in cases:
            capture = []
            answer = engine.ask(
                case["q"], datetime.fromisoformat(str(case.get("now", default_now)))
            )
            heads = capture
            capture = None
            oos = bool(case.get("oos") or case.get("unsure"))
            right = not oos and ev.is_right(case, answer)
            row: Row = {
                "group": group, "set": name, "q": case["q"], "oos": oos, "right": right,
                "conf": answer.confident and answer.kind != "none", "x": None, "y": -1,
            }  # fmt: skip
            if heads:
                ids, x = heads[0]
                row["x"] = x
                target = _target(case)
                row["y"] = ids.index(target) if target in ids else -1
            rows.append(row)
    return rows


def _applies(row: Row) -> bool:
    """:func:`applies`, from the captured features."""
    x = row["x"]
    names = FEATURES
    kinds = [names.index(k) for k in ("grant", "event", "faq")]
    return (
        x[0, names.index("name")] < NAMED
        and x[0, kinds].sum() > 0
        and len(row["q"][: rerank_max()].strip().split()) >= MIN_WORDS
    )


def rerank_max() -> int:
    from bot.qa.engine import MAX_QUESTION

    return MAX_QUESTION


def _tensors(rows: list[Row]) -> tuple[Array, Array, npt.NDArray[np.int64]]:
    """Questions whose head holds the right record and another and is reordered at all:
    (N, HEAD, F), mask, y."""
    usable = [
        r for r in rows if r["x"] is not None and r["y"] >= 0 and len(r["x"]) > 1 and _applies(r)
    ]
    n, k, f = len(usable), HEAD, len(FEATURES)
    x = np.zeros((n, k, f))
    mask = np.zeros((n, k))
    for i, r in enumerate(usable):
        x[i, : len(r["x"])] = r["x"]
        mask[i, : len(r["x"])] = 1
    y = np.array([r["y"] for r in usable], dtype=np.int64)
    return x, mask, y


def fit(rows: list[Row], l2: float = 0.01, iters: int = 3000, lr: float = 0.5) -> Array:
    """Conditional logit (softmax over the head), L2-penalised, on standardised features;
    weights returned on the raw scale (a per-question constant does not change an order)."""
    x, mask, y = _tensors(rows)
    flat = x[mask > 0]
    mu, sd = flat.mean(0), flat.std(0)
    sd[sd == 0] = 1
    z = (x - mu) / sd * mask[..., None]
    n = len(y)
    w = np.zeros(x.shape[2])
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t in range(1, iters + 1):  # Adam, full batch
        logits = np.where(mask > 0, z @ w, -1e9)
        logits -= logits.max(1, keepdims=True)
        p = np.exp(logits) * mask
        p /= p.sum(1, keepdims=True)
        grad = (np.einsum("nk,nkf->f", p, z) - z[np.arange(n), y].sum(0)) / n + 2 * l2 * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        w -= lr / np.sqrt(t) * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return w / sd


def _first(rows: list[Row], w: Array | None) -> tuple[int, int]:
    """(right first, usable) over the questions whose head holds the right record."""
    x, mask, y = _tensors(rows)
    if w is None:
        return int((y == 0).sum()), len(y)
    scores = np.where(mask > 0, x @ w, -np.inf)
    return int((scores.argmax(1) == y).sum()), len(y)


def _weights(rows: list[Row], held: str, tau: float, l2: float) -> Array:
    w = fit([r for r in rows if r["group"] != held], l2=l2)
    w[FEATURES.index("first")] += tau  # the engine's own first keeps its place unless
    return w  # the model prefers another by this much


def _totals(rows: list[Row]) -> tuple[int, int, int, int, int]:
    ins = [r for r in rows if not r["oos"]]
    return (
        sum(r["right"] for r in ins),
        len(ins),
        sum(r["conf"] for r in rows if r["oos"]),
        sum(r["oos"] for r in rows),
        sum(r["conf"] and not r["right"] for r in ins),
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=("collect", "offline", "lodo", "fit"))
    parser.add_argument("heads", type=Path)
    parser.add_argument("--tau", type=float, default=0.0)
    parser.add_argument("--l2", type=float, default=0.001)
    parser.add_argument("--min-words", type=int, default=0)
    parser.add_argument("--grants-only", action="store_true")
    args = parser.parse_args(argv)
    global GRANTS_ONLY, MIN_WORDS, override
    MIN_WORDS = args.min_words
    GRANTS_ONLY = args.grants_only
    if args.step == "collect":
        rows = []
        for group, kb_path, sets in groups():
            rows += run(_engine(kb_path), sets, group)
            print(group, _totals([r for r in rows if r["group"] == group]), file=sys.stderr)
        args.heads.write_bytes(pickle.dumps(rows))
        return
    rows = pickle.loads(args.heads.read_bytes())
    names = list(dict.fromkeys(r["group"] for r in rows))
    if args.step == "fit":
        w = fit(rows, l2=args.l2)
        print(", ".join(f"{v:.4f}" for v in w))
        return
    if args.step == "offline":
        before = after = usable = 0
        for held in names:
            part = [r for r in rows if r["group"] == held]
            b, n = _first(part, None)
            a, _ = _first(part, _weights(rows, held, args.tau, args.l2))
            print(f"{held:12} first right {b}/{n} -> {a}/{n}")
            before, after, usable = before + b, after + a, usable + n
        print(f"{'all':12} first right {before}/{usable} -> {after}/{usable}")
        return
    sums = np.zeros((2, 5), dtype=int)
    for held, kb_path, sets in groups():
        part = [r for r in rows if r["group"] == held]
        override = _weights(rows, held, args.tau, args.l2)
        now = run(_engine(kb_path), sets, held)
        override = None
        b, a = _totals(part), _totals(now)
        sums += np.array([b, a])
        print(
            f"{held:12} in scope {b[0]}/{b[1]} -> {a[0]}; oos confident {b[2]}/{b[3]} -> {a[2]};"
            f" confident-wrong {b[4]} -> {a[4]}",
            flush=True,
        )
        for before, after in zip(part, now, strict=True):
            if before["right"] != after["right"] or before["conf"] != after["conf"]:
                change = "FIXED" if after["right"] > before["right"] else "BROKE"
                if before["right"] == after["right"]:
                    change = "CONF+" if after["conf"] else "CONF-"
                print(f"   {change} {'oos ' if before['oos'] else ''}{after['q']}")
    b, a = sums
    print(f"all: in scope {b[0]}/{b[1]} -> {a[0]}; oos confident {b[2]}/{b[3]} -> {a[2]};"
          f" confident-wrong {b[4]} -> {a[4]}")  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])
