"""Grant programmes as residents browse them: status relative to today, and who follows which.

A grant's application window is ``opens`` … ``closes`` (both dates inclusive, in the
configured time zone). Relative to a day it is, in this order of checks:

* **closed** after ``closes``;
* **upcoming** before ``opens``;
* **closing soon** when open and at most :data:`CLOSING_SOON_DAYS` days are left;
* **open** otherwise.

Following a grant (``GrantFollow``) is how a resident asks for its deadline reminder; the
reminders feature reads :func:`followers` and :func:`follows`. Nothing here knows Telegram.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kb.records import EventSpec, GrantSpec, KnowledgeBase
from bot.reminders.rows import GRANT_DAYS_BEFORE
from models.follow import GrantFollow
from models.user import User

CLOSING_SOON_DAYS = 7
"""An open grant with this many days left or fewer (closing day included) is closing soon."""

REMINDER_DAYS_BEFORE = GRANT_DAYS_BEFORE
"""Followers get the deadline reminder this many days before ``closes`` (bot.kb.reminders)."""


class GrantStatus(enum.StrEnum):
    OPEN = "open"
    CLOSING = "closing"
    UPCOMING = "upcoming"
    CLOSED = "closed"


SECTIONS: tuple[GrantStatus, ...] = (
    GrantStatus.OPEN,
    GrantStatus.CLOSING,
    GrantStatus.UPCOMING,
    GrantStatus.CLOSED,
)
"""The order the sections are shown in."""


def days_left(grant: GrantSpec, today: date) -> int:
    """Days until the closing date: 0 on the closing day, negative once closed."""
    return (grant.application.closes - today).days


def days_until_open(grant: GrantSpec, today: date) -> int:
    """Days until the opening date: 0 on the opening day, negative once opened."""
    return (grant.application.opens - today).days


def status(grant: GrantSpec, today: date) -> GrantStatus:
    if today > grant.application.closes:
        return GrantStatus.CLOSED
    if today < grant.application.opens:
        return GrantStatus.UPCOMING
    if days_left(grant, today) <= CLOSING_SOON_DAYS:
        return GrantStatus.CLOSING
    return GrantStatus.OPEN


def is_open(grant: GrantSpec, today: date) -> bool:
    return status(grant, today) in (GrantStatus.OPEN, GrantStatus.CLOSING)


def _order(grant: GrantSpec, section: GrantStatus) -> tuple[object, ...]:
    app = grant.application
    if section is GrantStatus.UPCOMING:
        return (app.opens, app.closes)
    if section is GrantStatus.CLOSED:  # most recently closed first
        return (-app.closes.toordinal(), app.opens)
    return (app.closes, app.opens)  # open: soonest deadline first


def grouped(grants: Iterable[GrantSpec], today: date) -> dict[GrantStatus, list[GrantSpec]]:
    """The sections residents browse, each sorted the way they need it.

    **Open** lists every grant that can be applied for today, the ones closing soon
    included (a resident who taps "open now" must see them all); **closing soon** is the
    part of those that closes within :data:`CLOSING_SOON_DAYS` days. Upcoming and closed
    hold the others. Open and closing soon: nearest deadline first; upcoming: opening
    soonest first; closed: most recently closed first. Ties keep the knowledge base's
    order.
    """
    sections: dict[GrantStatus, list[GrantSpec]] = {section: [] for section in SECTIONS}
    for grant in grants:
        state = status(grant, today)
        sections[state].append(grant)
        if state is GrantStatus.CLOSING:
            sections[GrantStatus.OPEN].append(grant)
    for section, items in sections.items():
        items.sort(key=functools.partial(_order, section=section))
    return sections


def get_grant(kb: KnowledgeBase, grant_id: str) -> GrantSpec | None:
    return next((g for g in kb.grants if g.id == grant_id), None)


def related_events(kb: KnowledgeBase, grant_id: str) -> list[EventSpec]:
    """Events that name this grant in their ``related_grants``, in the KB's order."""
    return [e for e in kb.events if grant_id in e.related_grants]


# ---------------------------------------------------------------------------------------
# Following
# ---------------------------------------------------------------------------------------


async def is_following(session: AsyncSession, user: User, grant_id: str) -> bool:
    query = select(GrantFollow.id).where(
        GrantFollow.user_id == user.id, GrantFollow.grant_id == grant_id
    )
    return (await session.execute(query)).first() is not None


async def follow(session: AsyncSession, user: User, grant_id: str, now: datetime) -> bool:
    """Follow a grant; False when the user already did. The grant id must exist."""
    if await is_following(session, user, grant_id):
        return False
    session.add(GrantFollow(user_id=user.id, grant_id=grant_id, created_at=now))
    await session.flush()
    return True


async def unfollow(session: AsyncSession, user: User, grant_id: str) -> bool:
    """Stop following; False when the user did not follow it."""
    result = await session.execute(
        delete(GrantFollow).where(GrantFollow.user_id == user.id, GrantFollow.grant_id == grant_id)
    )
    await session.flush()
    return bool(getattr(result, "rowcount", 0))


async def followers(session: AsyncSession, grant_id: str) -> list[User]:
    """The active users following a grant, in the order they started following."""
    query = (
        select(User)
        .join(GrantFollow, GrantFollow.user_id == User.id)
        .where(GrantFollow.grant_id == grant_id, User.active.is_(True))
        .order_by(GrantFollow.created_at, GrantFollow.id)
    )
    return list((await session.execute(query)).scalars())


async def follows(session: AsyncSession, user: User) -> list[str]:
    """The ids of the grants a user follows, oldest follow first."""
    query = (
        select(GrantFollow.grant_id)
        .where(GrantFollow.user_id == user.id)
        .order_by(GrantFollow.created_at, GrantFollow.id)
    )
    return list((await session.execute(query)).scalars())


__all__ = [
    "CLOSING_SOON_DAYS",
    "REMINDER_DAYS_BEFORE",
    "SECTIONS",
    "GrantStatus",
    "days_left",
    "days_until_open",
    "follow",
    "followers",
    "follows",
    "get_grant",
    "grouped",
    "is_following",
    "is_open",
    "related_events",
    "status",
    "unfollow",
]
