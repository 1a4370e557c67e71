"""Issue 9 §4: /check must not list a grant as fitting answers its own eligibility text
rules out (주민자치활동 지원사업 "fitted" a one-person group, while individuals cannot
apply). For every grant of the demo district: representative answers against its text;
and the engine applies every rule the schema has — none is ignored, none fits silently."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.kb import eligibility as el
from bot.kb.eligibility import GROUP_AGE_BUCKETS as B
from bot.kb.eligibility import Answers, GroupAge
from bot.kb.records import GrantRules, GrantSpec
from tests.conftest import SEOUL
from tests.e2e import message_of
from tests.kbdemo import demo_kb as demo

TODAY = date(2027, 2, 5)


def grant(grant_id: str) -> GrantSpec:
    return next(g for g in demo().grants if g.id == grant_id)


def ask(age=30, members=4, since=B["1to3y"], prior=()) -> Answers:
    return Answers(age=age, members=members, group_age=since, prior_grants=frozenset(prior))


ALONE = ask(members=1)
FOUR = ask()
FOUR_NEW = ask(since=B["new"])
SIX_OLD = ask(age=45, members=6, since=B["3yplus"])
# (grant, answers, the reasons it does not fit — () when it fits, the confirm codes)
TABLE = [
    # 한빛구에 살거나 일하는 주민 3명 이상으로 구성된 모임
    ("neighbour-making", ALONE, ("members",), ("residency",)),
    ("neighbour-making", FOUR_NEW, (), ("residency",)),
    # 구성원 5명 이상, 1년 이상 함께 활동, 이웃만들기를 한 번 이상 수행
    ("community-growth", FOUR, ("members", "prior_grant"), ()),
    ("community-growth", ask(members=6, since=B["6to12m"], prior=["neighbour-making"]),
     ("group_age",), ()),
    ("community-growth", ask(members=5, prior=["neighbour-making"]), (), ()),
    # 같은 골목에 사는 3가구 이상
    ("alley-making", ALONE, ("members",), ("residency",)),
    ("alley-making", FOUR, (), ("residency",)),
    # 한빛구에서 6개월 이상 활동한 주민 3명 이상의 마을 모임
    ("village-exhibition", FOUR_NEW, ("group_age_months",), ("residency",)),
    ("village-exhibition", ask(since=B["lt6m"]), ("group_age_months",), ("residency",)),
    ("village-exhibition", ask(since=GroupAge(8, 8)), (), ("residency",)),
    ("village-exhibition", ask(members=1, since=B["3yplus"]), ("members",), ("residency",)),
    # 구성원 5명 이상, 1년 이상 활동한 주민 모임 또는 비영리단체
    ("social-problem-solving", FOUR, ("members",), ()),
    ("social-problem-solving", ask(members=6, since=GroupAge(8, 8)), ("group_age",), ()),
    ("social-problem-solving", SIX_OLD, (), ()),
    # 열린 공간을 6개월 이상 운영한 3명 이상의 모임이나 단체
    ("village-space", ALONE, ("members",), ("condition",)),
    ("village-space", FOUR_NEW, ("group_age_months",), ("condition",)),
    ("village-space", FOUR, (), ("condition",)),
    # 만 18~39세 청년 2명 이상의 팀, 한빛구에 살거나 일하거나 다니는
    ("youth-idea", ask(members=1), ("members",), ("residency",)),
    ("youth-idea", ask(age=40), ("max_age",), ("team_ages", "residency")),
    ("youth-idea", ask(age=17), ("min_age",), ("team_ages", "residency")),
    ("youth-idea", ask(age=25), (), ("team_ages", "residency")),
    # 1년 이상 활동한 지역단체 또는 주민자치회, 5년 이상 경력 활동가 2명 소속
    ("local-lab", ask(members=1, since=B["3yplus"]), ("applicants", "members"), ("condition",)),
    ("local-lab", FOUR_NEW, ("group_age",), ("applicants", "condition")),
    ("local-lab", FOUR, (), ("applicants", "condition")),
    # 공동주택(50세대 이상) 주민 5명 이상, 입주자대표회의·관리사무소 동의서
    ("apartment-community", FOUR, ("members",), ("residency", "condition")),
    ("apartment-community", SIX_OLD, (), ("residency", "condition")),
    # 각 동 주민자치회(분과): 개인이나 일반 모임은 신청할 수 없고, 주민총회에서 선정
    ("resident-council-activity", ALONE, ("applicants",), ("condition",)),
    ("resident-council-activity", ask(members=1, since=B["3yplus"]), ("applicants",),
     ("condition",)),
    ("resident-council-activity", SIX_OLD, (), ("applicants", "condition")),
    # 한빛구 주민 누구나 마을의제를 제안
    ("participatory-budget", ALONE, (), ("residency", "condition")),
    ("participatory-budget", FOUR_NEW, (), ("residency", "condition")),
    # 주민 모임, 협동조합, 비영리단체로서 2년 이상 활동, 자산화 계획
    ("space-assetization", ask(members=1, since=B["3yplus"]), ("applicants",), ("condition",)),
    ("space-assetization", FOUR_NEW, ("group_age",), ("condition",)),
    ("space-assetization", FOUR, (), ("group_age", "condition")),
    ("space-assetization", SIX_OLD, (), ("condition",)),
]  # fmt: skip


@pytest.mark.parametrize(("grant_id", "answers", "reasons", "confirm"), TABLE)
def test_each_grant_against_its_text(grant_id, answers, reasons, confirm):
    verdict = el.judge(grant(grant_id), answers, TODAY)
    assert tuple(r.code for r in verdict.reasons) == reasons
    assert tuple(r.code for r in verdict.confirm) == confirm


def test_every_grant_is_in_the_table():
    assert {row[0] for row in TABLE} == {g.id for g in demo().grants}
    for g in demo().grants:  # each has at least one answer it refuses and one it accepts
        rows = [row for row in TABLE if row[0] == g.id]
        if g.id != "participatory-budget":  # "any resident": nothing to refuse
            assert any(row[2] for row in rows), g.id
        assert any(not row[2] for row in rows), g.id


def test_one_person_never_fits_a_grant_whose_text_excludes_individuals():
    alone = el.check(ALONE, demo(), TODAY)
    fitting = {v.grant.id for v in alone.fitting}
    assert fitting == {"participatory-budget"}  # "한빛구 주민 누구나"


RESTRICTIVE: dict[str, object] = {
    "min_members": 3,
    "min_age": 18,
    "max_age": 5,
    "min_group_age_years": 1,
    "min_group_age_months": 6,
    "residency": {"ko": "한빛구 거주"},
    "prior_grant_required": "neighbour-making",
    "applicants": ["resident_council"],
    "conditions": [{"ko": "동의서"}],
}


@pytest.mark.parametrize("field", sorted(GrantRules.model_fields))
def test_no_rule_of_the_schema_is_ignored(field):
    """Each rule alone, against answers it should catch: the verdict says something —
    a reason, or a thing to confirm. (A new rule in the schema fails here until judged.)"""
    assert field in RESTRICTIVE, f"add {field} to RESTRICTIVE and judge it"
    assert field in el.JUDGED_RULES
    base = grant("neighbour-making").model_dump()
    one = GrantSpec.model_validate({**base, "rules": {field: RESTRICTIVE[field]}})
    verdict = el.judge(one, ask(age=10, members=1, since=B["new"]), TODAY)
    assert verdict.reasons or verdict.confirm, field


BOT_OPTIONS = {"polling_errors": False}  # a failed getUpdates call may pass


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("ko", "❌ 주민자치활동 지원사업 — 주민자치회만 신청 가능"),
        ("en", "❌ Resident Council Activity Fund — only resident councils can apply"),
    ],
)
async def test_check_as_one_person(bot, lang, line):
    bot.runtime.clock.set(datetime(2027, 2, 5, 10, 0, tzinfo=SEOUL))
    chat = bot.chat(5701, "Su", lang)
    await chat.send("/check")
    await chat.send("30")
    await chat.press("1")
    await chat.press("3년 이상" if lang == "ko" else "3 years or more")
    await chat.press("없음" if lang == "ko" else "None")
    events = await chat.press("새터동" if lang == "ko" else "Saeteo-dong")
    text = message_of(events).text
    fits = text.partition("❌")[0]
    assert "주민자치활동" not in fits and "Resident Council Activity" not in fits
    assert line in text
