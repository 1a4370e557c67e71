"""Session 21's out-of-scope fixes (issue 10): another office's thing asked beside a programme
of the district's is offered ("not sure — is it one of these? … or call the centre"), not
answered surely with the programme. Every question here is my own, none from a question set;
the demo KB's engine without the model (the rules read words only)."""

from __future__ import annotations

import pytest

from bot.core.i18n import Translator
from bot.qa import QAEngine
from bot.qa.render import render
from tests.qa_helpers import NOW, answers

# -- the noun just before the verb a short question ends in, none of it known ------------------


def test_an_unknown_thing_before_the_closing_verb_is_the_thing_asked(demo: QAEngine) -> None:
    # "어선검사는 수협가서 받아요?": the question ends in verbs (가서, 받아요) with no "어디",
    # "언제" to find the thing by; the noun before them is one no record uses
    question = "마을학교 수업 듣는 사람인데 어선검사는 수협가서 받아요?"
    assert demo.unknown_head(demo._analyse("어선검사는 수협가서 받아요?", NOW)) == "어선검사"
    answer = answers(demo, question, kind="event", id="village-school")
    assert not answer.confident and answer.reason == "gate", answer
    assert answer.alternatives


@pytest.mark.parametrize(
    "question",
    [
        "우리 뜨개질모임도 이웃만들기 돼요?",  # who asks (…모임도), not a thing asked for
        "골목만들기 하는데 골목 화분은 어디 가서 사요?",  # words the KB knows
        "이웃만들기 하는 사람인데 정산서류는 센터 가서 내요?",
    ],
)
def test_a_programme_asked_about_with_a_closing_verb_is_still_answered(
    demo: QAEngine, question: str
) -> None:
    answer = demo.ask(question, NOW)
    assert answer.confident and answer.kind == "grant", answer


@pytest.mark.parametrize(
    "question",
    [
        "동네 소식 문자로 꼬박꼬박 받아볼 수 있나요?",  # an adverb before the verb, no particle
        "지원금으로 노트북 사도 돼요?",  # what a group may do with the money
        "동네발전소 컨소시엄 몇 팀까지 돼요?",  # how many of it: asked of the record
    ],
)
def test_no_unknown_thing_before_the_closing_verb(demo: QAEngine, question: str) -> None:
    assert demo.unknown_head(demo._analyse(question, NOW)) is None


OFFERED = "마을학교 수업 듣는 사람인데 어선검사는 수협가서 받아요?"  # the offer, "ask the centre"
PROVINCES = "When does the provincial scholarship for farmers' kids open?"  # ask the province


@pytest.mark.parametrize(
    ("question", "lang", "said"),
    [
        (OFFERED, "ko", "이 중 하나인가요?"),
        (OFFERED, "en", "I'm not sure which one you mean. Is it one of these?"),
        (PROVINCES, "ko", "시·도, 중앙부처의 사업은"),
        (PROVINCES, "en", "the province's or a ministry's programme"),
    ],
)
def test_what_the_resident_reads_reads_naturally(
    demo: QAEngine, question: str, lang: str, said: str
) -> None:
    text = render(demo, demo.ask(question, NOW), Translator(lang, NOW.tzinfo), NOW)
    assert said in text and "02-" in text, text


# -- another office's thing asked in a sentence apart from the programme named -----------------


@pytest.mark.parametrize(
    ("question", "kind", "id_"),
    [
        # a word half of whose bigrams the KB uses (등록세: 등록), in a sentence of its own after
        # the programme spelled right
        ("마을학교 수업 듣고 있는데요. 이번에 산 중고차 등록세는 어디서 내요?", "event", "village-school"),
        # in English too: the thing asked (claim, permit) is one the KB never uses
        ("I joined the village walk last spring. Where can I get help with a workers' compensation claim?", "event", "village-walk"),
        ("I'm in the neighbour-making group. How do I apply for a fishing permit?", "grant", "neighbour-making"),
    ],
)  # fmt: skip
def test_another_offices_thing_asked_apart_from_a_named_programme_is_offered(
    demo: QAEngine, question: str, kind: str, id_: str
) -> None:
    answer = answers(demo, question, kind=kind, id=id_)
    assert not answer.confident and answer.reason == "gate", answer


@pytest.mark.parametrize(
    ("question", "id_", "facet"),
    [
        ("I'm in the neighbour-making group. When is the deadline for the final report?", "neighbour-making", "deadline"),
        ("이욷만들기 언제까지 해요", "neighbour-making", "deadline"),  # (a name mistyped, alone)
    ],
)  # fmt: skip
def test_the_programme_asked_about_apart_is_still_answered(
    demo: QAEngine, question: str, id_: str, facet: str
) -> None:
    answers(demo, question, id=id_, facet=facet, confident=True)


# -- the province's or a ministry's programme, said in English -----------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "When does the provincial scholarship for farmers' kids open?",
        "What does the Ministry of Health pay for home care?",
    ],
)
def test_the_provinces_or_a_ministrys_programme_is_theirs(demo: QAEngine, question: str) -> None:
    answers(demo, question, kind="none", reason="elsewhere", confident=True)


def test_a_programme_named_like_ours_said_to_be_the_provinces_is_offered(demo: QAEngine) -> None:
    answer = demo.ask(
        "Is there a provincial grant for village groups like the neighbour-making one?", NOW
    )
    assert not answer.confident and answer.reason == "gate", answer
