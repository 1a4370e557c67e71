"""Questions for other offices, told apart by the model (bot/qa/outside.py).

These need the model (the demo KB's engine as the bot builds it); each question here is my
own, none from a question set.
"""

from __future__ import annotations

import threading
from datetime import datetime

import pytest

from bot.kb import records as kb
from bot.qa.engine import QAEngine
from bot.qa.outside import OUTSIDE_QUESTIONS
from bot.qa.vectors import VectorCache
from tests.fake_embedder import FakeEmbedder
from tests.qa_helpers import NOW, answers, district_now, with_model


@pytest.fixture(scope="module")
def engine() -> QAEngine:
    engine = with_model()
    assert engine.outside is not None and engine.outside.complete
    return engine


@pytest.fixture
def without_rule(monkeypatch):
    monkeypatch.setattr(QAEngine, "_elsewhere_by_model", staticmethod(lambda a: False))
    # (the unknown thing asked for, tests/test_qa_head.py, stops some of these too)
    monkeypatch.setattr(QAEngine, "unknown_head", lambda self, a, **_: None)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("청년 주택 청약 조건", "grant"),  # housing subscription: the youth grant shares 청년
        ("100만원 이하 노트북 추천", "grant"),  # an amount, but a laptop: the list by amount
        # the thing asked for unknown to the KB (QAEngine.unknown_head, tests/test_qa_head.py):
        # answered surely with the alley and apartment grants at 42b1e5b
        ("골목 방범용 CCTV 설치 요청 어디로 해요", "grant"),
        ("아파트 장터 야시장 천막 업체 추천", "grant"),
        ("골목 보안등 교체 요청", "grant"),
    ],
)
def test_a_question_for_another_office_is_not_answered_surely(engine, question, kind):
    answer = engine.ask(question, NOW)
    assert answer.kind == kind and not answer.confident and answer.reason == "gate", answer
    assert answer.alternatives  # offered: "is it one of these? … or call the centre"


@pytest.mark.parametrize("question", ["청년 주택 청약 조건", "100만원 이하 노트북 추천"])
def test_without_the_examples_those_were_answered_surely(engine, without_rule, question):
    assert engine.ask(question, NOW).confident  # (what the rule above changes)


@pytest.mark.parametrize(
    ("question", "grant"),
    [
        ("동네 엄마들이랑 반찬 나누는 모임 하려는데 지원돼요?", "neighbour-making"),
        ("우리 골목에 화단 만들고 같이 가꾸고 싶어요 지원금 있나요", "alley-making"),
        ("20대 청년들이 동네에서 해보고 싶은 아이디어가 있는데 지원사업 있나요", "youth-idea"),
        ("아파트 주민들끼리 친해지는 모임 하려는데 지원돼요?", "apartment-community"),
    ],
)
def test_the_districts_own_matters_are_still_answered_surely(engine, question, grant):
    answers(engine, question, kind="grant", id=grant, confident=True)


# (what is encoded and kept, not what the model makes of it: a fake model, as in
# tests/test_qa_semantic.py; the real one encodes the demo KB in ~15 s of CPU)
def test_the_examples_are_encoded_once_and_read_from_the_cache(tmp_path):
    parsed, _ = kb.load_and_validate(kb.demo_kb_path())
    first = QAEngine(parsed, embedder=FakeEmbedder(), vectors=VectorCache(tmp_path))
    assert first.outside is not None
    assert first.outside.encoded == len(OUTSIDE_QUESTIONS)
    model = FakeEmbedder()
    again = QAEngine(parsed, embedder=model, vectors=VectorCache(tmp_path))
    assert again.outside is not None and again.outside.complete
    assert (again.outside.loaded_from_cache, again.outside.encoded) == (len(OUTSIDE_QUESTIONS), 0)
    assert model.encoded == []


def test_in_the_background_the_examples_follow_the_records(tmp_path):
    parsed, _ = kb.load_and_validate(kb.demo_kb_path())
    gate = threading.Event()
    model = FakeEmbedder(gate=gate)
    engine = QAEngine(parsed, embedder=model, vectors=VectorCache(tmp_path), background=True)
    assert engine.semantic is not None and engine.outside is not None
    assert not engine.outside.complete
    gate.set()
    assert engine.semantic.wait(30)
    assert engine.outside.complete
    assert set(model.encoded[-len(OUTSIDE_QUESTIONS) :]) == set(OUTSIDE_QUESTIONS)  # after


# --- zh/vi/ja: what the model alone ranks is offered, not "I don't know" -------------------------
def test_a_foreign_question_the_model_alone_ranks_is_offered(engine):
    # no word of it in the demo KB (no Japanese text, and no Han word of it read in Korean is
    # the KB's: 町 and 困 stand alone): below the "fits" line, where it was "Sorry, I don't
    # know"; the programme for local problems is the model's first choice. (With Han words
    # the KB uses, "地域の問題を…解決する…", 지역 문제 해결, it is answered: tests/test_qa_sino.py)
    answer = engine.ask(
        "みんなで町の困りごとをなんとかしたいです。どんなプロジェクトがありますか", NOW
    )
    assert (answer.kind, answer.id, answer.confident) == ("grant", "social-problem-solving", False)
    assert answer.alternatives[0] == "social-problem-solving"


@pytest.mark.parametrize("question", ["明天天气怎么样？", "附近有好吃的中餐馆吗？"])
def test_a_foreign_question_for_nothing_here_is_still_not_known(engine, question):
    answer = engine.ask(question, NOW)
    assert answer.kind == "none" and not answer.confident, answer


# --- a new town's apartment: electing the building's representatives is not a programme --------
@pytest.fixture(scope="module")
def new_town() -> tuple[QAEngine, datetime]:
    """새빛시 (tests/qa/eighteenth/kb.yaml): a KB whose apartment grant and FAQ share the
    words 아파트 and 동의 with the apartment's own affairs (the question below is mine)."""
    return with_model("eighteenth"), district_now("eighteenth")


def test_standing_for_the_apartments_representatives_is_not_answered_surely(new_town):
    engine, now = new_town
    answer = engine.ask("우리 아파트 동대표 뽑는 선거에 나가고 싶어요", now)
    assert not answer.confident and answer.reason == "gate", answer


def test_without_the_examples_it_was(new_town, without_rule):
    engine, now = new_town
    assert engine.ask("우리 아파트 동대표 뽑는 선거에 나가고 싶어요", now).confident


def test_the_weather_asked_beside_a_place_of_ours_is_not_answered_surely():
    # the weather this week in a dong of the twelfth district, in Vietnamese: the FAQ entry
    # for foreign residents (sharing the dong's name) was the sure answer (with the model)
    engine = with_model("twelfth")
    answer = engine.ask("Tuần này ở Mulle-dong có mưa không?", NOW)
    assert not answer.confident, answer


@pytest.mark.parametrize(
    ("question", "news"),
    [
        ("어제 물레동 빌라 불난거 다친사람 있나요", True),
        ("시장 골목에서 사고 났다던데 무슨 일이에요", True),
        ("내일 비 와요?", False),  # (the weather's, not news)
        ("마을잔치 하다가 사고 나면 보험 돼요?", False),  # what to do if one happens
        ("마을잔치 비 오면 어디서 해요?", False),
    ],
)
def test_news_of_what_happened_is_told_apart(question, news):
    from bot.qa.engine import _INCIDENT_RE, _WEATHER_RE

    assert bool(_INCIDENT_RE.search(question)) is news
    assert bool(_WEATHER_RE.search(question)) is (question == "내일 비 와요?")


def test_a_cost_the_kb_only_rules_out_is_still_another_office_s():
    # the nineteenth district's senior-club grant says 경로당 난방비 cannot be paid from it: the
    # KB saying the word does not make heating costs a programme's (answered surely before);
    # asked of the programme by name, its answer stays
    engine = with_model("nineteenth")
    assert "난방비" in engine._services
    assert not engine.ask("우리 마을 경로당 겨울 난방비 지원받을 수 있어요?", NOW).confident
    named = engine.ask("경로당 활력 지원사업 난방비로 써도 돼요?", NOW)
    assert named.id == "senior-club-vitality" and named.confident, named


def test_a_matter_the_kb_sends_to_another_office_is_that_office_s():
    # the seventeenth district's consultation says visas and insurance are referred to the
    # immigration office: the KB naming them so does not make a visa extension asked after
    # a programme named ours (answered surely with the programme before)
    engine = with_model("seventeenth")
    assert "visa" in engine._services and "비자" in engine._services
    question = (
        "Two friends and I are in the Korea-Life Buddy group. "
        "How do I extend my D-4 language student visa before it runs out?"
    )
    answer = engine.ask(question, NOW)
    assert answer.id == "korea-life-buddy" and not answer.confident, answer
    named = engine.ask("Can I join Korea-Life Buddy with any visa type?", NOW)
    assert named.id == "korea-life-buddy" and named.confident, named
