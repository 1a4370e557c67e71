"""bot.kb.eligibility: parsing the wizard's answers and judging every grant by its rules."""

from __future__ import annotations

from datetime import date

import pytest

from bot.kb import eligibility as el
from bot.kb.eligibility import GROUP_AGE_BUCKETS, AnswerError, Answers, GroupAge, Reason
from bot.kb.grants import GrantStatus
from tests.kbdemo import demo_kb as demo

BEFORE_THE_CALLS = date(2026, 11, 22)


def answers(**overrides) -> Answers:
    base = {
        "age": 25,
        "members": 4,
        "group_age": GROUP_AGE_BUCKETS["1to3y"],
        "prior_grants": frozenset(),
        "dong": "saeteo",
    }
    return Answers(**{**base, **overrides})


def verdicts(result: el.Result) -> dict[str, el.Verdict]:
    return {v.grant.id: v for v in [*result.fitting, *result.not_fitting]}


# --- parsing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("25", 25),
        ("25살", 25),
        ("만 25세", 25),
        ("I am 25", 25),
        (" ２５ ", 25),
        ("0", 0),
        ("120", 120),
    ],
)
def test_ages(text, age):
    assert el.parse_age(text) == age


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("스물다섯", "not_a_number"),
        ("", "not_a_number"),
        ("121", "out_of_range"),
        ("-3", "out_of_range"),
        ("25.5", "not_whole"),
        ("25 or 26", "several_numbers"),
    ],
)
def test_bad_ages(text, code):
    with pytest.raises(AnswerError) as caught:
        el.parse_age(text)
    assert caught.value.code == code


def test_members():
    assert el.parse_members("5명") == 5
    assert el.parse_members("우리 모임은 12명이에요") == 12
    for text, code in (
        ("0", "out_of_range"),
        ("많아요", "not_a_number"),
        ("10001", "out_of_range"),
    ):
        with pytest.raises(AnswerError) as caught:
            el.parse_members(text)
        assert caught.value.code == code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8개월", GroupAge(8, 8)),
        ("2년", GroupAge(24, 24)),
        ("1년 6개월", GroupAge(18, 18)),
        ("1년 반", GroupAge(18, 18)),
        ("1.5년", GroupAge(18, 18)),
        ("18 months", GroupAge(18, 18)),
        ("2 years", GroupAge(24, 24)),
        ("1 year 3 months", GroupAge(15, 15)),
        ("3년 이상", GroupAge(36, None)),
        ("more than 2 years", GroupAge(24, None)),
        ("6개월 미만", GroupAge(0, 5)),
        ("처음 시작해요", GroupAge(0, 0)),
        ("just starting", GroupAge(0, 0)),
    ],
)
def test_group_ages(text, expected):
    assert el.parse_group_age(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [("8", "unit"), ("2 3년", "unit"), ("오래됐어요", "not_a_number"), ("200년", "out_of_range")],
)
def test_bad_group_ages(text, code):
    with pytest.raises(AnswerError) as caught:
        el.parse_group_age(text)
    assert caught.value.code == code


# --- judging -------------------------------------------------------------------------


def test_every_grant_is_judged_exactly_once():
    result = el.check(answers(), demo(), BEFORE_THE_CALLS)
    judged = [v.grant.id for v in [*result.fitting, *result.not_fitting]]
    assert sorted(judged) == sorted(g.id for g in demo().grants)
    assert all(v.fits for v in result.fitting)
    assert all(not v.fits and v.reasons for v in result.not_fitting)


def test_a_young_group_of_four():
    found = verdicts(el.check(answers(), demo(), BEFORE_THE_CALLS))
    neighbour = found["neighbour-making"]
    assert neighbour.fits
    assert [r.code for r in neighbour.confirm] == ["residency"]
    assert neighbour.confirm[0].text.ko == "한빛구 거주 또는 직장·학교 소재"
    youth = found["youth-idea"]
    assert youth.fits
    assert Reason("team_ages", number=18, upper=39) in youth.confirm
    growth = found["community-growth"]
    assert not growth.fits
    assert growth.reasons == (
        Reason("members", number=5),
        Reason("prior_grant", grant_id="neighbour-making"),
    )
    assert found["social-problem-solving"].reasons == (Reason("members", number=5),)
    assert found["apartment-community"].reasons == (Reason("members", number=5),)
    assert found["local-lab"].fits  # 1–3 years is at least one year
    # "1 to 3 years" cannot tell whether the group is two years old: confirm, not refuse
    space = found["space-assetization"]
    assert space.fits and Reason("group_age", number=2) in space.confirm
    assert found["resident-council-activity"].fits  # no machine-checkable rule


def test_ages_outside_the_youth_range():
    too_old = verdicts(el.check(answers(age=40), demo(), BEFORE_THE_CALLS))["youth-idea"]
    assert too_old.reasons == (Reason("max_age", number=39),)
    too_young = verdicts(el.check(answers(age=17), demo(), BEFORE_THE_CALLS))["youth-idea"]
    assert too_young.reasons == (Reason("min_age", number=18),)
    edges = verdicts(el.check(answers(age=39), demo(), BEFORE_THE_CALLS))
    assert edges["youth-idea"].fits
    alone = verdicts(el.check(answers(age=30, members=1), demo(), BEFORE_THE_CALLS))
    assert alone["youth-idea"].reasons == (Reason("members", number=2),)
    assert all(r.code != "team_ages" for r in alone["youth-idea"].confirm)


def test_group_age_rules():
    new = verdicts(
        el.check(answers(members=6, group_age=GROUP_AGE_BUCKETS["new"]), demo(), BEFORE_THE_CALLS)
    )
    assert Reason("group_age", number=1) in new["community-growth"].reasons
    assert new["social-problem-solving"].reasons == (Reason("group_age", number=1),)
    assert new["space-assetization"].reasons == (Reason("group_age", number=2),)
    old = verdicts(
        el.check(
            answers(members=6, group_age=GROUP_AGE_BUCKETS["3yplus"]), demo(), BEFORE_THE_CALLS
        )
    )
    space = old["space-assetization"]  # old enough: only its plan is left to confirm
    assert space.fits and [r.code for r in space.confirm] == ["condition"]
    eleven_months = verdicts(
        el.check(answers(members=6, group_age=GroupAge(11, 11)), demo(), BEFORE_THE_CALLS)
    )
    assert eleven_months["local-lab"].reasons == (Reason("group_age", number=1),)
    a_year = verdicts(
        el.check(answers(members=6, group_age=GroupAge(12, 12)), demo(), BEFORE_THE_CALLS)
    )
    assert a_year["local-lab"].fits


def test_prior_grant_and_the_growth_path():
    found = verdicts(
        el.check(
            answers(members=5, prior_grants=frozenset({"neighbour-making"})),
            demo(),
            BEFORE_THE_CALLS,
        )
    )
    assert found["community-growth"].fits


def test_windows_are_reported_and_closed_grants_kept():
    # 13 Feb 2027: the 12 Feb calls have closed; others are open or upcoming
    result = el.check(answers(members=5), demo(), date(2027, 2, 13))
    found = verdicts(result)
    assert found["neighbour-making"].fits
    assert found["neighbour-making"].window is GrantStatus.CLOSED
    assert found["social-problem-solving"].window is GrantStatus.OPEN
    assert found["youth-idea"].window is GrantStatus.UPCOMING
    windows = [v.window for v in result.fitting]
    ranks = {GrantStatus.OPEN: 0, GrantStatus.CLOSING: 0, GrantStatus.UPCOMING: 1}
    ranks[GrantStatus.CLOSED] = 2
    assert [ranks[w] for w in windows] == sorted(ranks[w] for w in windows)
    assert windows[-1] is GrantStatus.CLOSED  # shown last, not hidden
    assert result.fitting[0].grant.id == "social-problem-solving"  # open, nearest deadline


def test_closing_soon_counts_as_open():
    result = el.check(answers(), demo(), date(2027, 2, 10))
    assert result.fitting[0].window is GrantStatus.CLOSING
