"""The knowledge base's part of a person's data (:mod:`bot.core.privacy`): the grant
programmes they follow (for the deadline reminder). Forget deletes them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.i18n import N_
from bot.core.privacy import Forgotten, Registry, Section, Subject, delete_rows, row_dict
from bot.core.text import localized
from models.follow import GrantFollow
from models.kb import Grant


async def export_user(session: AsyncSession, subject: Subject) -> Section:
    section = Section()
    if subject.user_id is None:
        return section
    rows = (
        await session.execute(
            select(GrantFollow, Grant.name)
            .join(Grant, Grant.id == GrantFollow.grant_id)
            .where(GrantFollow.user_id == subject.user_id)
            .order_by(GrantFollow.id)
        )
    ).all()
    section.records["grant_follows"] = [row_dict(follow) for follow, _ in rows]
    t = subject.t
    for follow, name in rows:
        section.lines.append(
            t._(
                "You follow the grant “{name}” (since {when}).",
                name=localized(name, t.lang),
                when=t.format_date(follow.created_at),
            )
        )
    return section


async def forget_user(session: AsyncSession, subject: Subject, now: datetime) -> Forgotten:
    done = Forgotten()
    if subject.user_id is not None:
        done.deleted["grant_follows"] = await delete_rows(
            session, GrantFollow, GrantFollow.user_id == subject.user_id
        )
    return done


def register(registry: Registry) -> None:
    registry.provide(
        "kb",
        title=N_("Grant programmes you follow"),
        covers=("grant_follows.user_id",),
        export=export_user,
        forget=forget_user,
    )
