"""Session 23's general fixes of the Q&A engine, each from a question of my own (none from a
question set), found by asking the console as a resident would."""

from __future__ import annotations

import pytest

from bot.qa import QAEngine
from tests.qa_helpers import NOW, answers, district_now, lexical, with_model


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        # a grant's name clipped to its first word's head, before 사업 / grant: the grant,
        # not a list of every grant whose deadline is near
        ("이웃 사업 마감 언제예요?", "deadline"),
        ("이웃지원사업 마감일", "deadline"),
        ("When is the deadline for the neighbour grant?", "deadline"),
        ("How do I apply for the neighbour grant?", "how_to_apply"),
    ],
)
def test_a_name_clipped_to_its_head_names_the_grant(
    demo: QAEngine, question: str, facet: str
) -> None:
    answers(demo, question, kind="grant", id="neighbour-making", facet=facet, confident=True)


def test_a_clipped_head_in_another_districts_names() -> None:
    """(the fourth district: 첫걸음 begins one grant's name; 이웃 begins two of its grants'
    words, 이웃모임, so "이웃 사업" names none of them)"""
    engine, now = lexical("fourth"), district_now("fourth")
    answers(engine, "첫걸음 사업 마감 언제예요?", now, kind="grant", id="first-step")
    answers(engine, "반려 사업 서류 뭐 내요?", now, id="pet-life", facet="documents")
    assert engine.ask("이웃 사업 마감 언제예요?", now).id not in {"first-step", "community-stepup"}


@pytest.mark.parametrize(
    "question",
    [
        "마을 사업 마감 언제예요?",  # (a word of many names: no one grant)
        "neighbour grants",  # (plural: the grants of the kind)
    ],
)
def test_a_word_of_many_names_or_a_kind_names_no_grant(demo: QAEngine, question: str) -> None:
    assert demo.ask(question, NOW).id != "neighbour-making"


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        # when or where asked of an event whose title holds the question's words: that
        # event, not a FAQ entry whose own question asks what it is (주민총회가 뭔가요?) nor
        # an event whose text only mentions it (주민자치학교)
        ("주민총회 몇 시에 해요", "time"),
        ("Where is the general assembly held?", "place"),
    ],
)
def test_when_or_where_of_an_event_named_by_its_title(
    demo_with_model: QAEngine, question: str, facet: str
) -> None:
    """(with the model, which found 주민자치학교 and 주민총회가 뭔가요? nearer)"""
    answers(demo_with_model, question, kind="event", id="general-assembly-hanbit1", facet=facet)


@pytest.mark.parametrize(
    ("question", "faq"),
    [
        # (a FAQ entry whose own question asks where or when still answers it)
        ("마을자치센터 어디에 있어요?", "centre-location"),
        ("Where is the centre?", "centre-location"),
        ("공모사업 선정 결과 언제 나와요?", "results-announcement"),
    ],
)
def test_a_faq_asking_where_or_when_itself_keeps_the_question(
    demo_with_model: QAEngine, question: str, faq: str
) -> None:
    answers(demo_with_model, question, kind="faq", id=faq)


@pytest.fixture(scope="module")
def sixth() -> QAEngine:
    return with_model("sixth")


@pytest.mark.parametrize(
    ("question", "event"),
    [
        # where or when of an event whose title holds the question: a programme named like
        # it (the 언어교환 grant; the call for the festival's booths) is no rival, as a FAQ
        # entry is none — answered, not "is it one of these?"
        ("Where is the language exchange café?", "language-exchange-cafe"),
        ("언어교환 카페 어디서 해요?", "language-exchange-cafe"),
        ("세계이웃 축제 몇시", "world-neighbours-festival"),
    ],
)
def test_a_programme_named_like_the_event_is_no_rival_for_when_or_where(
    sixth: QAEngine, question: str, event: str
) -> None:
    answers(sixth, question, district_now("sixth"), kind="event", id=event, confident=True)


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        # a programme's deadline, papers or way to apply, asked of programmes in general:
        # each has its own — the list to choose from, not one programme or a FAQ entry
        # sharing the words ("How do I apply for a grant?" got "Can we apply to several
        # grants at once?", confidently)
        ("공모사업 마감 언제예요?", "deadline"),
        ("신청 마감 언제예요?", "deadline"),
        ("When is the application deadline?", "deadline"),
        ("신청 서류 뭐 필요해요?", "documents"),
        ("What documents do I need to apply?", "documents"),
        ("How do I apply for a grant?", "how_to_apply"),
        ("공모 신청 어떻게 해요?", "how_to_apply"),
    ],
)
def test_a_field_asked_of_grants_in_general_lists_them(
    demo: QAEngine, question: str, facet: str
) -> None:
    answer = answers(demo, question, kind="grant", facet="list", confident=True)
    assert answer.facets[0] == facet and len(answer.matches) == len(demo.grants)


@pytest.mark.parametrize(
    "question",
    [
        "신청 서류는요?",  # (said after an answer about a grant: that grant's)
        "마감 언제예요?",
    ],
)
def test_a_field_asked_after_a_grant_is_still_that_grants(demo: QAEngine, question: str) -> None:
    answer = demo.ask(question, NOW, follow=("grant", "alley-making"))
    assert (answer.id, answer.reason) == ("alley-making", "follow-up"), answer


@pytest.mark.parametrize(
    ("question", "lang", "said"),
    [
        (
            "신청 서류 뭐 필요해요?",
            "ko",
            "제출 서류는 공모사업마다 달라요. 아래에서 사업을 골라 주세요.",
        ),
        ("공모사업 마감 언제예요?", "ko", "마감일은 공모사업마다 달라요."),
        ("How do I apply for a grant?", "en", "How to apply depends on the grant: choose one"),
    ],
)
def test_the_list_says_each_grant_has_its_own(
    demo: QAEngine, question: str, lang: str, said: str
) -> None:
    from bot.core.i18n import Translator
    from bot.qa.render import render

    text = render(demo, demo.ask(question, NOW), Translator(lang, NOW.tzinfo), NOW)
    assert text.startswith(said), text
    assert ("이웃만들기" if lang == "ko" else "Neighbour-Making") in text, text


def test_an_event_mentioning_the_words_is_no_rival_to_the_one_titled_so(
    demo_with_model: QAEngine,
) -> None:
    """(where the information session is: the results-sharing forum, whose text has a
    session, was close enough to keep it "is it one of these?")"""
    answers(
        demo_with_model, "설명회 어디서 해요", kind="event", id="grant-info-session",
        facet="place", confident=True,
    )  # fmt: skip


def test_a_grant_named_in_part_in_english_is_no_theme_list() -> None:
    """The name's words read as the question is read ("Neighbours" is "neighbors" there): a
    grant named in part is no list of the theme one of its words names (with the model, a
    FAQ entry on foreign residents leads; the grant is among the choices)."""
    engine = with_model("fourteenth")
    answer = engine.ask(
        "Can migrants apply for the neighbours across the sea grant?", district_now("fourteenth")
    )
    assert not answer.is_filter, answer
    assert "migrant-friends" in (answer.id, *answer.alternatives), answer


def test_what_a_group_wants_to_do_asks_for_the_programme_not_a_field() -> None:
    """(what a group wants to do, told: the programme for it, not the field whose text
    shares a word of the story — the documents, for "record")"""
    answers(
        lexical("fourteenth"),
        "We want to record old fishermen's stories. Any grant for that?",
        district_now("fourteenth"),
        kind="grant",
        id="fishing-memory",
        facet="summary",
    )
