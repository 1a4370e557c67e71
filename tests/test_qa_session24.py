"""Session 24's general fixes of the Q&A engine, each from a question of my own (none from a
question set)."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.qa import QAEngine
from bot.qa.facets import detect_facets
from tests.qa_helpers import NOW, SEOUL, shown_first, with_model


@pytest.mark.parametrize(
    "question",
    [
        "선정되면 연락 와요?",  # 선정되면 is in the entry on being selected twice, too
        "붙으면 따로 알려주나요?",
    ],
)
def test_the_faq_entry_asking_what_is_asked_leads(demo_with_model: QAEngine, question: str) -> None:
    """Two FAQ entries share the question's words; the one whose own question asks what the
    question asks (the result: 선정 결과는 언제 알 수 있나요?) comes first."""
    answer = demo_with_model.ask(question, NOW)
    assert (answer.kind, shown_first(answer)) == ("faq", "results-announcement"), answer


@pytest.fixture(scope="module")
def hangyeol() -> QAEngine:
    """The twelfth district's KB (한결구), with the model."""
    return with_model("twelfth")


HANGYEOL_NOW = datetime(2027, 1, 26, 10, 0, tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        # selected (뽑히다) is the result; "뽑힌 모임들" (the groups selected) is no question
        ("같이밥상 모임 뽑혔는지 언제 알아요?", "result"),
        # a day said and "is that late?": the deadline
        ("한걸음 이웃모임 2월 20일에 내면 늦은 건가요?", "deadline"),
        ("until when can we apply for the shared table grant?", "deadline"),
        # how one submits is how to apply, not which papers
        ("How do I actually submit the shared table grant application?", "how_to_apply"),
    ],
)
def test_what_is_asked_of_a_named_grant(hangyeol: QAEngine, question: str, facet: str) -> None:
    answer = hangyeol.ask(question, HANGYEOL_NOW)
    assert (answer.kind, answer.id, answer.facet) == ("grant", "solo-table", facet) or (
        answer.id == "first-step" and answer.facet == facet
    ), answer


def test_a_selected_group_in_a_clause_is_no_result_asked() -> None:
    assert "result" not in detect_facets("지원사업 뽑힌 모임들 돈 관리 교육 언제예요").facets
    assert "result" in detect_facets("우리 모임 뽑혔는지 어떻게 알아요?").facets


@pytest.mark.parametrize(
    "question",
    [
        "센터 점심시간 언제에요 그때 가면 아무도 없나",  # lunch, and nobody there then?
        "中心几点开门？中午休息吗？",  # open when? a lunch break?
        "センターは昼休みがありますか",
    ],
)
def test_the_centres_lunch_break_is_its_hours(hangyeol: QAEngine, question: str) -> None:
    answer = hangyeol.ask(question, HANGYEOL_NOW)
    assert answer.kind == "centre", answer


def test_open_right_now_lists_the_grants_open(hangyeol: QAEngine) -> None:
    answer = hangyeol.ask("지금 바로 신청할 수 있는 거 전부 알려주세요", HANGYEOL_NOW)
    plain = hangyeol.ask("지금 신청할 수 있는 거 알려주세요", HANGYEOL_NOW)
    assert answer.is_filter and answer.kind == "grant", answer
    assert set(answer.matches) == set(plain.matches)


@pytest.mark.parametrize(
    "question",
    [
        # another office's service (노인일자리: senior jobs) asked beside a record named
        "마실방 다니시는 우리 어머니 노인일자리 신청은 어디서 해요?",
        "住民票はどこで取れますか",  # a resident-registration certificate
    ],
)
def test_a_public_service_is_not_answered_as_a_record(hangyeol: QAEngine, question: str) -> None:
    answer = hangyeol.ask(question, HANGYEOL_NOW)
    assert not (answer.confident and answer.kind != "none"), answer


def test_a_record_named_is_still_answered_surely(hangyeol: QAEngine) -> None:
    answer = hangyeol.ask("마실방 신청은 어디서 해요?", HANGYEOL_NOW)
    assert (answer.kind, answer.id, answer.confident) == ("grant", "senior-masil", True), answer


@pytest.fixture(scope="module")
def gaon() -> QAEngine:
    """The tenth district's KB (가온구), with the model."""
    return with_model("tenth")


GAON_NOW = datetime(2027, 3, 15, 10, 0, tzinfo=SEOUL)


def test_a_service_only_told_is_not_the_question(gaon: QAEngine) -> None:
    """A job found elsewhere (취업) is the story; the group's account is what is asked."""
    answer = gaon.ask(
        "회장이 졸업하고 서울로 취업해서 올라가는데 모임 통장은 어떻게 해요?", GAON_NOW
    )
    assert (answer.kind, shown_first(answer)) == ("faq", "member-change"), answer


@pytest.mark.parametrize(
    "question",
    [
        "여권 발급받으려는데 어디로 가요?",  # what one means to do is asked
        "취업했는데요. 실업급여 신청은 어디서 해요?",  # the service asked in the last sentence
        "전입신고 하려면 어디 가요",
    ],
)
def test_a_service_asked_is_still_another_offices(gaon: QAEngine, question: str) -> None:
    answer = gaon.ask(question, GAON_NOW)
    assert (answer.kind, answer.reason) == ("none", "service"), answer


@pytest.mark.parametrize(
    ("question", "faq"),
    [
        # what the grant may pay for, said by what is done with it
        ("지원금으로 활동 끝나고 소주 한잔 해도 되나요", "ineligible-costs"),
        # a plan put off, or given up: a change of plan
        ("선정된 모임인데 10월 행사를 11월로 미뤄도 괜찮을까요?", "plan-change"),
        ("회원들이 다 바빠져서 모임을 접어야 할 것 같은데 남은 돈은 어떡해요?", "plan-change"),
    ],
)
def test_what_a_group_does_with_its_grant(hangyeol: QAEngine, question: str, faq: str) -> None:
    answer = hangyeol.ask(question, HANGYEOL_NOW)
    assert (answer.kind, shown_first(answer)) == ("faq", faq), answer


def test_a_question_before_the_last_sentence_is_asked() -> None:
    """The service asked in a first sentence that is a question is no story told."""
    engine = with_model("seventh")
    answer = engine.ask("청년 월세 지원 신청 조건이 어떻게 돼요? 월 20만원 주는거", GAON_NOW)
    assert (answer.kind, answer.reason) == ("none", "service"), answer


def test_a_move_reported_in_english_is_another_offices(gaon: QAEngine) -> None:
    answer = gaon.ask("We moved here last week. Where do I register my new address?", GAON_NOW)
    assert (answer.kind, answer.reason) == ("none", "service"), answer


def test_two_programmes_one_said_as_residents_say_it(hangyeol: QAEngine) -> None:
    """One programme named, the other in residents' words, and "both": applying to several."""
    answer = hangyeol.ask("밥상 모임이랑 마실방 둘 다 넣어도 돼요?", HANGYEOL_NOW)
    assert (answer.kind, answer.id) == ("faq", "duplicate-application"), answer


@pytest.mark.parametrize(
    "question",
    [
        "저는 인천 살고 직장만 한결구에 있는데 신청해도 되나요?",
        "I live in Incheon but work in Hangyeol-gu. Can I still apply for a grant?",
    ],
)
def test_living_elsewhere_and_working_here_is_who_may_take_part(
    hangyeol: QAEngine, question: str
) -> None:
    answer = hangyeol.ask(question, HANGYEOL_NOW)
    assert (answer.kind, shown_first(answer)) == ("faq", "live-or-work"), answer


def test_another_place_alone_is_still_elsewhere(hangyeol: QAEngine) -> None:
    answer = hangyeol.ask("인천 지원사업 알려주세요", HANGYEOL_NOW)
    assert (answer.kind, answer.reason) == ("none", "elsewhere"), answer


def test_a_consultation_booked_is_the_events(hangyeol: QAEngine) -> None:
    """Sign-up asked of a kind of event (相談会: a consultation) beside a FAQ entry sharing
    the question's other words (外国人): the event."""
    answer = hangyeol.ask("外国人の相談会は予約が必要ですか", HANGYEOL_NOW)
    assert (answer.kind, shown_first(answer)) == ("event", "migrant-consult"), answer


def test_would_you_look_is_no_programme_clipped(gaon: QAEngine) -> None:
    """주실 (봐 주실 수: would you look) is a verb, not 주민자치회 의제실행 clipped; 주실 said
    as a name still is."""
    answer = gaon.ask("신청 전에 계획서 좀 봐 주실 수 있나요?", GAON_NOW)
    assert answer.id != "council-agenda-fund", answer
    named = gaon.ask("주실 마감 언제예요", GAON_NOW)
    assert (named.id, named.facet) == ("council-agenda-fund", "deadline"), named


def test_a_share_the_group_pays_said_in_words(gaon: QAEngine) -> None:
    answer = gaon.ask("사업비 일부를 저희가 부담해야 하는 공모는 뭐예요?", GAON_NOW)
    assert answer.is_filter and set(answer.matches) == {"shop-student-together", "village-festival"}


def test_asking_for_a_fix_and_where_to_say_so_is_proposing(gaon: QAEngine) -> None:
    answer = gaon.ask("놀이터에 벤치 좀 놔 달라고 하고 싶은데 어디에 말해요?", GAON_NOW)
    assert (answer.kind, shown_first(answer)) == ("faq", "propose-agenda"), answer


def test_not_yet_over_is_open_and_over_is_closed(gaon: QAEngine) -> None:
    """안 끝난 (not over) is no 끝난 (over): this month's deadlines still to come."""
    still = gaon.ask("이번달 마감인데 아직 안 끝난 거 뭐 있어요?", GAON_NOW)
    assert set(still.matches) == {
        "shop-student-together",
        "zero-waste-move",
        "youth-resident-joint",
    }
    over = gaon.ask("이미 끝난 공모 뭐예요", GAON_NOW)
    assert "alley-safety-guard" in over.matches and "zero-waste-move" not in over.matches


def test_sent_on_a_day_and_still_taken_is_the_deadline(gaon: QAEngine) -> None:
    answer = gaon.ask("골목 안전 지킴이 3월 14일에 서류 냈는데 접수 되나요?", GAON_NOW)
    assert (shown_first(answer), answer.facet) == ("alley-safety-guard", "deadline"), answer
    own = gaon.ask("어제 신청서 메일로 보냈는데 접수된거 맞나요 확인 부탁드려요", GAON_NOW)
    assert (own.kind, own.reason) == ("none", "own_status"), own
