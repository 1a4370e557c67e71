"""Grant deadlines: followers are reminded three days before a grant closes.

Kind ``grant`` — ``grant_id``, ``closes`` (ISO date). Planned when due, from the follows
table; dropped after unfollowing, when the grant is archived or its deadline changed.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.i18n import Translator
from bot.core.runtime import Runtime
from bot.core.text import esc, localized
from bot.kb import cards
from bot.kb import grants as grant_rules
from bot.kb.records import KnowledgeBase
from bot.reminders.registry import Drop, Registry, RenderContext
from bot.reminders.rows import (
    GRANT_TOPIC,
    REMIND_AT,
    OutMessage,
    Planned,
    enqueue,
    local_at,
    offsets_for,
)
from models.events import Reminder
from models.follow import GrantFollow
from models.kb import Grant
from models.user import User

GRANT = "grant"


def grant_due(closes: date, tz: tzinfo, days_before: int) -> datetime:
    return local_at(closes - timedelta(days=days_before), REMIND_AT, tz)


def grant_days_before(minutes: int) -> int:
    """A reminder setting's offset (minutes) as the days before a deadline it is sent."""
    return max(1, minutes // (24 * 60))


async def plan_grant_deadlines(
    session: AsyncSession, kb: KnowledgeBase, now: datetime, tz: tzinfo
) -> int:
    """Followers of a grant get a reminder three days before its deadline (per person:
    their ``grant`` setting; off turns it off).

    Planned when due, from the follows table — the source of truth — so a bot that was
    down on the day still sends it afterwards, until the deadline passes. Someone who
    started following after that moment gets none (they just looked at it).
    """
    today = now.astimezone(tz).date()
    window = [
        g
        for g in kb.grants
        if 0 <= (g.application.closes - today).days <= grant_rules.REMINDER_DAYS_BEFORE + 14
    ]
    if not window:
        return 0
    rows = await session.execute(
        select(GrantFollow, User)
        .join(User, User.id == GrantFollow.user_id)
        .where(GrantFollow.grant_id.in_([g.id for g in window]), User.active.is_(True))
    )
    settings: dict[int, tuple[int, ...]] = {}
    items = []
    for follow, user in rows.all():
        grant = next(g for g in window if g.id == follow.grant_id)
        closes = grant.application.closes
        if user.id not in settings:
            settings[user.id] = await offsets_for(session, user.id, GRANT_TOPIC)
        for minutes in settings[user.id]:
            days = grant_days_before(minutes)
            due = grant_due(closes, tz, days)
            expires = local_at(closes + timedelta(days=1), time(0, 0), tz)
            if not (due <= now < expires) or follow.created_at >= due:
                continue
            items.append(
                Planned(
                    kind=GRANT,
                    key=f"grant:{user.id}:{grant.id}:{closes.isoformat()}:{days}",
                    chat_id=user.telegram_id,
                    user_id=user.id,
                    due_at=due,
                    expires_at=expires,
                    ref=f"grant:{user.id}:{grant.id}",
                    payload={"grant_id": grant.id, "closes": closes.isoformat()},
                )
            )
    return await enqueue(session, items, now)


async def _grant(ctx: RenderContext, row: Reminder, t: Translator) -> OutMessage:
    grant_id = str(row.payload.get("grant_id"))
    following = await ctx.session.scalar(
        select(GrantFollow.id).where(
            GrantFollow.user_id == row.user_id, GrantFollow.grant_id == grant_id
        )
    )
    if following is None:
        raise Drop("no longer following")
    grant = await ctx.session.get(Grant, grant_id)  # as stored now, not a snapshot
    if grant is None or grant.archived:
        raise Drop("grant no longer listed")
    closes = grant.closes_on
    if closes.isoformat() != row.payload.get("closes"):
        raise Drop("the deadline changed")
    today = ctx.now.astimezone(ctx.tz).date()
    left = (closes - today).days
    if left < 0:
        raise Drop("closed")
    if left == 0:
        when = t._("closes today")
    else:
        when = t.n_("{n} day left", "{n} days left", left)
    text = "\n".join(
        [
            "⏰ " + f"<b>{esc(localized(grant.name, t.lang))}</b>",
            esc(
                t._(
                    "Applications close on {date} ({left}).",
                    date=t.format_date(closes),
                    left=when,
                )
            ),
            esc(localized(grant.how_to_apply, t.lang)),
        ]
    )
    return OutMessage(text, (((t._("📋 Grant details"), cards.show_data("grants", grant.id)),),))


async def _plan(session: AsyncSession, runtime: Runtime, now: datetime) -> int:
    kb = await runtime.knowledge.get()
    if kb is None:
        return 0
    return await plan_grant_deadlines(session, kb, now, runtime.settings.tz)


def register(registry: Registry) -> None:
    registry.kind(GRANT, _grant)
    registry.planner("grant", _plan)


__all__ = ["GRANT", "grant_days_before", "grant_due", "plan_grant_deadlines", "register"]
