"""General fixes of the Q&A engine on Korean questions, each from a question of my own (none
from a question set)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.qa import QAEngine
from bot.qa.facets import detect_facets
from tests.qa_helpers import answers


@pytest.mark.parametrize(
    "question",
    [
        "체류기간이 내년 3월까지인데 모임 대표로 신청할 수 있나요?",
        "집 계약 기간은 올해 8월까지라서 이사 가는데 신청 가능해요?",
    ],
)
def test_a_period_told_in_the_story_is_not_asked(question: str) -> None:
    # the asker's own visa or lease runs to a month: said, not asked — who may apply is
    assert detect_facets(question).facets == ("eligibility",)


@pytest.mark.parametrize("question", ["신청 기간이 언제예요", "접수 기간은 3월까지인가요?"])
def test_a_period_asked_stays_asked(question: str) -> None:
    assert detect_facets(question).facets[0] == "when"


def test_a_group_said_and_will_it_do_asks_who_may_apply(demo: QAEngine) -> None:
    # nothing else asked: whether a group of that make-up qualifies, not what it is
    answers(
        demo,
        "저희 가족 셋이랑 옆집 두 분 이렇게 다섯 명인데 이웃만들기 돼요?",
        id="neighbour-making",
        facet="eligibility",
    )


@pytest.mark.parametrize("question", ["비 오면 축제는 어떻게 돼요?", "우천 시에도 행사 하나요"])
def test_rain_asks_where_it_is_held(question: str) -> None:
    # an event's place says where it moves if it rains
    assert detect_facets(question).facets[0] == "place"


def test_a_consent_required_is_a_condition() -> None:
    assert detect_facets("입주자 동의 반드시 받아야 하나요?").facets == ("eligibility",)


@pytest.mark.parametrize(
    "question",
    [
        # the first grant named, its words those of the rest too
        "이웃만들기 받아서 모임 2년째 잘 하고 있는데 이제 더 크게 받을 수 있는 거 있어요?",
        # unnamed: a first grant said received, and what comes after it asked
        "처음 지원 받아서 반찬 모임 꾸렸어요 한 번 받은 다음에는 뭘 신청해요?",
    ],
)
def test_the_next_step_after_a_first_grant_is_the_grant_that_follows(
    demo: QAEngine, question: str
) -> None:
    answers(demo, question, kind="grant", id="community-growth")


def test_a_day_told_in_a_past_story_is_the_last_one(demo: QAEngine) -> None:
    # "못 갔는데" (could not go): the past contracted into the verb's syllable, a story, so
    # no day asked; the day told without its year is the one gone by, not next year's
    now = datetime.fromisoformat("2027-05-20T10:00:00+09:00")
    a = demo._analyse("3월 15일 교육 못 갔는데 자료 받을 수 있나요", now)
    assert a.dates is None
    assert a.told_dates is not None and a.told_dates.start == date(2027, 3, 15)


def test_booking_a_consultation_by_a_day_is_how_to_apply(demo: QAEngine) -> None:
    # the consultation is a step before applying: how to apply tells when to book it, the
    # programme's deadline is the application's
    answers(
        demo, "골목만들기 상담 언제까지 예약해야 돼요?", id="alley-making", facet="how_to_apply"
    )
    answers(demo, "골목만들기 언제까지 신청해요?", id="alley-making", facet="deadline")


@pytest.mark.parametrize(
    ("question", "listed"),
    [
        ("나이 제한 없는 지원사업만 보여주세요", True),
        ("주말에 하는 행사만 알려줘", True),
        ("이 사업만 신청해도 돼요?", False),
    ],
)
def test_only_those_of_a_kind_asks_a_list(question: str, listed: bool) -> None:
    from bot.qa.criteria import find_criteria
    from bot.qa.text import normalize

    assert find_criteria(normalize(question)).list_words is listed


def test_a_result_day_scheduled_is_the_result_filter(demo: QAEngine) -> None:
    # "발표일" is the result's day, "잡힌" (scheduled) no topic: the programmes whose results
    # come out that month, as "결과 발표가 다음 달인 공모"
    assert detect_facets("발표일이 언제로 잡혔어요").facets[0] == "result"
    answers(demo, "결과 발표일이 다음 달로 잡힌 공모 뭐 있어요?", kind="grant", reason="filter")


def test_a_call_newly_out_asks_when_it_opens() -> None:
    assert detect_facets("다음 달에 새로 열리는 지원사업 있어요?").facets[0] == "opens"
    assert detect_facets("이번 주에 열리는 행사 뭐 있어요?").facets[:1] != ("opens",)


@pytest.mark.parametrize(
    ("question", "grant"),
    [
        (
            "작년에 이웃만들기로 반찬 모임 했어요. 이제 골목에 화단 만들고 벽화도 그리고 싶은데요",
            "alley-making",
        ),
        (
            "작년에 마을공간 활성화로 카페 프로그램 했어요. 이제 세 들어 사는 거 말고 건물을 사고 싶어요",
            "space-assetization",
        ),
    ],
)
def test_a_wish_for_now_after_a_grant_done_is_another_programme(
    demo: QAEngine, question: str, grant: str
) -> None:
    # the grant named is what was done; "이제 … 싶은데요" says what the group wants next
    answers(demo, question, kind="grant", id=grant)
