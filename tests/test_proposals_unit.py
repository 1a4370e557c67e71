"""Agenda proposals without a database: the state machine, validation, similarity."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.proposals import service as domain
from bot.proposals.export import COLUMNS, Table, csv_bytes, xlsx_bytes
from bot.proposals.service import TRANSITIONS, ProposalError
from bot.proposals.similar import THRESHOLD, features, similarity
from handlers.proposals.browse import key_for, plain_length, resolve_key
from models.proposal import ProposalStatus as S

SEOUL = ZoneInfo("Asia/Seoul")


# --- the state machine ------------------------------------------------------------------


def test_every_status_has_its_moves_and_terminal_ones_have_none():
    assert set(TRANSITIONS) == set(S)
    for terminal in (S.REJECTED, S.MERGED, S.WITHDRAWN, S.NOT_SELECTED, S.DONE):
        assert TRANSITIONS[terminal] == frozenset()


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (S.SUBMITTED, S.UNDER_REVIEW),
        (S.SUBMITTED, S.WITHDRAWN),
        (S.UNDER_REVIEW, S.ACCEPTED),
        (S.UNDER_REVIEW, S.REJECTED),
        (S.UNDER_REVIEW, S.MERGED),
        (S.UNDER_REVIEW, S.WITHDRAWN),
        (S.ACCEPTED, S.SELECTED),
        (S.ACCEPTED, S.NOT_SELECTED),
        (S.SELECTED, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.DONE),
    ],
)
def test_legal_transitions(current, wanted):
    assert domain.can_transition(current, wanted)


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (S.SUBMITTED, S.ACCEPTED),  # review comes first
        (S.SUBMITTED, S.DONE),
        (S.ACCEPTED, S.WITHDRAWN),  # withdrawing only before review ends
        (S.REJECTED, S.ACCEPTED),
        (S.MERGED, S.UNDER_REVIEW),
        (S.NOT_SELECTED, S.IN_PROGRESS),
        (S.SELECTED, S.DONE),  # in progress first
        (S.DONE, S.IN_PROGRESS),
        (S.UNDER_REVIEW, S.UNDER_REVIEW),
    ],
)
def test_illegal_transitions(current, wanted):
    assert not domain.can_transition(current, wanted)


def test_who_makes_which_move():
    assert domain.next_statuses(S.SUBMITTED, author=True) == [S.WITHDRAWN]
    assert domain.next_statuses(S.SUBMITTED, author=False) == [S.UNDER_REVIEW]
    assert domain.next_statuses(S.UNDER_REVIEW, author=False) == [
        S.ACCEPTED,
        S.REJECTED,
        S.MERGED,
    ]
    assert domain.next_statuses(S.ACCEPTED, author=True) == []


# --- validation ---------------------------------------------------------------------------


def test_title_bounds_and_whitespace():
    assert domain.clean_title("  놀이터   안전펜스\n설치 ") == "놀이터 안전펜스 설치"
    assert domain.clean_title("가" * 5) == "가" * 5
    assert domain.clean_title("가" * 80) == "가" * 80
    with pytest.raises(ProposalError) as short:
        domain.clean_title("  가로등  ")
    assert short.value.message == domain.TITLE_SHORT
    assert short.value.params == {"length": 3, "min": 5}
    with pytest.raises(ProposalError) as long:
        domain.clean_title("가" * 81)
    assert long.value.params == {"length": 81, "max": 80}


def test_title_and_description_need_words():
    """Letters of any script count (Hangul, Latin, Han, Cyrillic…); emoji, digits,
    punctuation and symbols alone are not a proposal anyone can read."""
    for title in ("놀이터 CCTV", "CCTV 2대", "公園の安全柵", "Парк 2026", "가로등 3개"):
        assert domain.clean_title(title) == title
    for title in ("😀😀😀😀😀😀", "12345", "!!! ??? ...", "★ 1 ★ 2 ★", "😀 가 😀"):
        with pytest.raises(ProposalError) as wordless:
            domain.clean_title(title)
        assert wordless.value.message == domain.TITLE_WORDLESS, title
        assert wordless.value.params == {"min": domain.TITLE_LETTERS}
    body = "CCTV 2대 설치: 놀이터 123-45"
    assert domain.clean_description(body) == body
    for body in ("👍" * 20, "12345678901234567890123", "가나다라 123456789012345678"):
        with pytest.raises(ProposalError) as wordless:
            domain.clean_description(body)
        assert wordless.value.message == domain.DESCRIPTION_WORDLESS, body
        assert wordless.value.params == {"min": domain.DESCRIPTION_LETTERS}
    # too short says so first: the length is the first thing to fix
    with pytest.raises(ProposalError) as short:
        domain.clean_title("😀")
    assert short.value.message == domain.TITLE_SHORT


def test_description_bounds():
    assert domain.clean_description("a\r\n\r\n\r\n\r\nb" + "c" * 20) == "a\n\nb" + "c" * 20
    with pytest.raises(ProposalError):
        domain.clean_description("너무 짧아요")
    with pytest.raises(ProposalError) as long:
        domain.clean_description("가" * 2001)
    assert long.value.message == domain.DESCRIPTION_LONG
    assert domain.clean_description("가" * 2000) == "가" * 2000


def test_answer_is_optional_but_bounded():
    assert domain.clean_answer("   ") is None
    assert domain.clean_answer(" 좋아요 ") == "좋아요"
    with pytest.raises(ProposalError):
        domain.clean_answer("가" * 1001)


def test_the_day_of_the_rate_limit_is_the_configured_zones():
    # 23:30 in Seoul is 14:30 UTC: still the same Seoul day until 15:00 UTC
    start, end = domain.local_day(datetime(2026, 11, 22, 14, 30, tzinfo=UTC), SEOUL)
    assert start == datetime(2026, 11, 22, 0, 0, tzinfo=SEOUL)
    assert end == datetime(2026, 11, 23, 0, 0, tzinfo=SEOUL)
    start, _ = domain.local_day(datetime(2026, 11, 22, 15, 30, tzinfo=UTC), SEOUL)
    assert start == datetime(2026, 11, 23, 0, 0, tzinfo=SEOUL)


# --- similarity ---------------------------------------------------------------------------

PARAPHRASES = [
    (
        (
            "놀이터에 CCTV를 설치해 주세요",
            "밤마다 놀이터에 청소년들이 모여 불안합니다. CCTV를 달아 주세요.",
        ),
        ("어린이 놀이터 CCTV 설치 요청", "놀이터 안전을 위해 방범용 CCTV가 필요합니다."),
    ),
    (
        (
            "골목길 가로등을 늘려 주세요",
            "새터동 3길 골목이 밤에 너무 어두워서 귀갓길이 무섭습니다.",
        ),
        (
            "어두운 골목에 가로등 추가 설치",
            "골목이 어두워 밤에 다니기 무서워요. 가로등을 더 달아 주세요.",
        ),
    ),
    (
        (
            "경로당 옆 공터에 주민 텃밭을 만들어요",
            "경로당 옆 빈 공터를 주민들이 함께 가꾸는 텃밭으로 만들면 좋겠습니다.",
        ),
        (
            "공터를 마을 텃밭으로",
            "방치된 공터를 주민 공동 텃밭으로 조성해서 어르신과 아이들이 함께 농사를 지었으면 합니다.",
        ),
    ),
    (
        (
            "1인가구 반찬 나눔 모임",
            "혼자 사는 이웃들이 모여 반찬을 만들고 나누는 모임을 만들고 싶어요.",
        ),
        ("혼자 사는 주민 반찬 나눔", "1인가구 이웃끼리 한 달에 한 번 반찬을 함께 만들어 나눠요."),
    ),
    (
        (
            "아파트 단지 앞 횡단보도 신호등 설치",
            "초등학생들이 신호등 없는 횡단보도를 건너 위험합니다.",
        ),
        (
            "횡단보도에 신호등을 설치해 주세요",
            "학교 앞 횡단보도에 신호등이 없어 아이들이 위험해요.",
        ),
    ),
    (
        (
            "Install more street lights in the alley",
            "The alley behind the school is too dark at night.",
        ),
        (
            "More lights for the dark alley",
            "Please add street lights; walking home at night is scary.",
        ),
    ),
]

UNRELATED = [
    (
        (
            "놀이터에 CCTV를 설치해 주세요",
            "밤마다 놀이터에 청소년들이 모여 불안합니다. CCTV를 달아 주세요.",
        ),
        ("주민 텃밭을 만들어 주세요", "빈 공터를 주민 텃밭으로 만들어 함께 가꾸면 좋겠습니다."),
    ),
    (
        (
            "골목길 가로등을 늘려 주세요",
            "새터동 3길 골목이 밤에 너무 어두워서 귀갓길이 무섭습니다.",
        ),
        ("골목 축제를 열어요", "가을에 골목에서 이웃이 함께하는 작은 축제를 열면 좋겠습니다."),
    ),
    (
        (
            "1인가구 반찬 나눔 모임",
            "혼자 사는 이웃들이 모여 반찬을 만들고 나누는 모임을 만들고 싶어요.",
        ),
        ("청년 취업 스터디 공간", "동네 청년들이 모여 공부할 수 있는 공간이 필요합니다."),
    ),
    (
        (
            "경로당 옆 공터에 주민 텃밭을 만들어요",
            "경로당 옆 빈 공터를 주민들이 함께 가꾸는 텃밭으로 만들면 좋겠습니다.",
        ),
        (
            "경로당 어르신 스마트폰 교실",
            "경로당에서 어르신들께 스마트폰 사용법을 가르쳐 드리면 좋겠습니다.",
        ),
    ),
    (
        (
            "Install more street lights in the alley",
            "The alley behind the school is too dark at night.",
        ),
        ("Weekend library for children", "Please open the small library on weekends for the kids."),
    ),
]


@pytest.mark.parametrize(("a", "b"), PARAPHRASES)
def test_paraphrases_are_similar(a, b):
    assert similarity(*a, *b) >= THRESHOLD
    assert similarity(*b, *a) == pytest.approx(similarity(*a, *b))


@pytest.mark.parametrize(("a", "b"), UNRELATED)
def test_different_ideas_in_the_same_words_are_not(a, b):
    assert similarity(*a, *b) < THRESHOLD


def test_spacing_and_politeness_do_not_matter():
    assert features("안전펜스 설치") == features("안전 펜스 설치해 주세요")
    assert similarity("가로등", "", "가로등", "") == pytest.approx(1.0)
    assert similarity("", "", "가로등", "") == 0.0


# --- small helpers ------------------------------------------------------------------------


def test_callback_keys_stay_short_and_resolve():
    long_id = "a-very-long-category-id-that-would-not-fit-into-callback-data-x"
    assert key_for("safety") == "safety"
    assert len(key_for(long_id)) == 13
    assert resolve_key(key_for(long_id), ["safety", long_id]) == long_id
    assert resolve_key("atlantis", ["safety"]) is None


def test_plain_length_counts_what_telegram_counts():
    assert plain_length("<b>a &amp; b</b>") == 5


def test_export_defuses_formulas_and_writes_text_cells():
    row = [
        1,
        "saeteo",
        "새터동",
        "safety",
        "안전",
        '=HYPERLINK("x")',
        "-5 위험",
        "submitted",
        "visible",
        3,
        "2026-11-22 10:00",
        None,
        None,
        None,
        None,
    ]
    table = Table(COLUMNS, [row])
    text = csv_bytes(table).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'-5 위험" in text
    assert text.splitlines()[0] == ",".join(COLUMNS)

    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx_bytes(table))).active
    assert sheet["F2"].value == '=HYPERLINK("x")'
    assert sheet["F2"].data_type == "s"
    assert sheet["J2"].value == 3
