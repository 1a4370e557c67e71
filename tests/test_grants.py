"""bot.kb.grants: status and sections relative to a fixed clock, days left, follows."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.core.clock import ManualClock
from bot.kb import grants as g
from bot.kb import records as kb
from bot.kb.grants import GrantStatus
from models import GrantFollow, User
from tests.conftest import SEOUL
from tests.kbdemo import demo_kb as demo


def ids(grants: list[kb.GrantSpec]) -> list[str]:
    return [grant.id for grant in grants]


def at(clock: ManualClock, *args: int) -> date:
    clock.set(datetime(*args, tzinfo=SEOUL))
    return clock.today()


def test_before_the_calls_everything_is_upcoming_soonest_first(clock):
    sections = g.grouped(demo().grants, clock.today())  # 2026-11-22
    assert sections[GrantStatus.OPEN] == sections[GrantStatus.CLOSING] == []
    assert sections[GrantStatus.CLOSED] == []
    upcoming = ids(sections[GrantStatus.UPCOMING])
    assert upcoming[0] == "participatory-budget"  # opens 4 Jan
    assert upcoming[-1] == "space-assetization"  # opens 3 May
    assert len(upcoming) == 12


def test_sections_on_5_february(clock):
    sections = g.grouped(demo().grants, at(clock, 2027, 2, 5, 9))
    # the 12 February calls have 7 days left: closing soon (the threshold is inclusive)
    assert ids(sections[GrantStatus.CLOSING]) == [
        "neighbour-making",
        "community-growth",
        "alley-making",
        "village-space",
        "apartment-community",
    ]
    assert ids(sections[GrantStatus.OPEN]) == [  # every open grant, closing soon included
        "neighbour-making",
        "community-growth",
        "alley-making",
        "village-space",
        "apartment-community",
        "social-problem-solving",  # 26 Feb
        "resident-council-activity",  # 26 Feb, later in the file
        "participatory-budget",  # 30 Apr
    ]
    assert ids(sections[GrantStatus.UPCOMING]) == [
        "local-lab",
        "youth-idea",
        "village-exhibition",
        "space-assetization",
    ]
    assert sections[GrantStatus.CLOSED] == []


def test_threshold_edges(clock):
    grant = next(x for x in demo().grants if x.id == "neighbour-making")  # 18 Jan – 12 Feb
    assert g.CLOSING_SOON_DAYS == 7
    assert g.status(grant, at(clock, 2027, 1, 17, 23, 59)) is GrantStatus.UPCOMING
    assert g.status(grant, at(clock, 2027, 1, 18, 0, 0)) is GrantStatus.OPEN  # opening day
    assert g.status(grant, date(2027, 2, 4)) is GrantStatus.OPEN  # 8 days left
    assert g.days_left(grant, date(2027, 2, 4)) == 8
    assert g.status(grant, date(2027, 2, 5)) is GrantStatus.CLOSING
    assert g.status(grant, date(2027, 2, 12)) is GrantStatus.CLOSING  # the closing day
    assert g.days_left(grant, date(2027, 2, 12)) == 0
    assert g.status(grant, date(2027, 2, 13)) is GrantStatus.CLOSED
    assert g.days_left(grant, date(2027, 2, 13)) == -1
    assert g.days_until_open(grant, date(2027, 1, 8)) == 10
    assert g.is_open(grant, date(2027, 2, 12)) and not g.is_open(grant, date(2027, 2, 13))


def test_today_is_taken_in_seoul_not_utc(clock):
    grant = next(x for x in demo().grants if x.id == "neighbour-making")
    # 12 Feb 23:30 in Seoul is still 12 Feb 14:30 UTC; 13 Feb 00:30 in Seoul is 12 Feb in UTC
    clock.set(datetime(2027, 2, 13, 0, 30, tzinfo=SEOUL))
    assert clock.utcnow().date() == date(2027, 2, 12)
    assert g.status(grant, clock.today()) is GrantStatus.CLOSED


def test_closed_most_recent_first(clock):
    sections = g.grouped(demo().grants, at(clock, 2027, 12, 1, 10))
    closed = ids(sections[GrantStatus.CLOSED])
    assert len(closed) == 12
    assert closed[0] == "space-assetization"  # closed 28 May
    assert closed[1:3] == ["participatory-budget", "village-exhibition"]  # both 30 Apr
    assert closed[-5:] == [  # closed 12 Feb; ties keep the file's order
        "neighbour-making",
        "community-growth",
        "alley-making",
        "village-space",
        "apartment-community",
    ]


def test_lookup_and_related_events():
    assert g.get_grant(demo(), "youth-idea").name.ko == "청년 마을 아이디어 지원사업"
    assert g.get_grant(demo(), "atlantis") is None
    related = [e.id for e in g.related_events(demo(), "neighbour-making")]
    assert related == ["grant-info-session", "consultation-week", "accounting-class"]
    assert g.related_events(demo(), "space-assetization") == []


async def _seed(session, clock) -> tuple[User, User, User]:
    await kb.import_kb(session, demo(), clock.utcnow())
    users = [
        User(telegram_id=tid, first_name=name, created_at=clock.utcnow(), active=active)
        for tid, name, active in ((1, "가", True), (2, "나", True), (3, "다", False))
    ]
    session.add_all(users)
    await session.flush()
    return users[0], users[1], users[2]


async def test_follow_unfollow_followers_and_follows(session, clock):
    first, second, gone = await _seed(session, clock)
    assert await g.follow(session, first, "neighbour-making", clock.utcnow())
    assert not await g.follow(session, first, "neighbour-making", clock.utcnow())  # once
    clock.advance(minutes=1)
    assert await g.follow(session, second, "neighbour-making", clock.utcnow())
    assert await g.follow(session, first, "youth-idea", clock.utcnow())
    assert await g.follow(session, gone, "neighbour-making", clock.utcnow())
    await session.commit()

    followers = await g.followers(session, "neighbour-making")
    assert [u.telegram_id for u in followers] == [1, 2]  # the inactive user gets nothing
    assert await g.follows(session, first) == ["neighbour-making", "youth-idea"]
    assert await g.is_following(session, second, "neighbour-making")

    assert await g.unfollow(session, first, "neighbour-making")
    assert not await g.unfollow(session, first, "neighbour-making")
    await session.commit()
    assert [u.telegram_id for u in await g.followers(session, "neighbour-making")] == [2]
    assert await g.follows(session, first) == ["youth-idea"]
    assert await g.follows(session, second) == ["neighbour-making"]


async def test_one_follow_per_user_and_grant_and_only_known_grants(session, clock):
    first, _, _ = await _seed(session, clock)
    await session.commit()
    user_id = first.id  # (a rollback expires the objects)
    session.add(GrantFollow(user_id=user_id, grant_id="youth-idea", created_at=clock.utcnow()))
    session.add(GrantFollow(user_id=user_id, grant_id="youth-idea", created_at=clock.utcnow()))
    with pytest.raises(IntegrityError):
        await session.flush()
    await session.rollback()
    session.add(GrantFollow(user_id=user_id, grant_id="atlantis", created_at=clock.utcnow()))
    with pytest.raises(IntegrityError):  # a foreign key to kb_grants
        await session.flush()
    await session.rollback()
    assert (await session.execute(select(GrantFollow))).first() is None
