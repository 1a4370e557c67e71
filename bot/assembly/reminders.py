"""The assembly's non-voter reminder, as a reminder row.

Kind ``vote`` — ``voter_id``, ``vote_id``: in the last 24 hours of a vote, to people who
redeemed a code but have not voted; dropped once they voted or the vote closed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.assembly.service import claim_reminder, due_nonvoter_reminders
from bot.core.i18n import Translator
from bot.core.runtime import Runtime
from bot.core.text import esc, localized
from bot.reminders.registry import Drop, Registry, RenderContext
from bot.reminders.rows import OutMessage, Planned, enqueue
from models.assembly import AssemblyVote, Voter
from models.events import Reminder
from models.user import User

VOTE = "vote"


async def plan_nonvoters(session: AsyncSession, now: datetime) -> int:
    """The assembly's reminder to people who redeemed a code but have not voted, in the
    last 24 hours of a vote (:func:`bot.assembly.service.due_nonvoter_reminders`).

    Once only, as before: each voter is claimed (``reminded = true``, a conditional update)
    and its row inserted in the same transaction, so a restart, a second instance or a
    second planning never reminds anyone twice; the row's unique key guards as well.
    """
    due = await due_nonvoter_reminders(session, now)
    items = []
    for reminder in due:
        if not await claim_reminder(session, reminder.voter_id):
            continue
        user_id = (
            await session.execute(select(User.id).where(User.telegram_id == reminder.telegram_id))
        ).scalar_one()
        items.append(
            Planned(
                kind=VOTE,
                key=f"vote:{reminder.voter_id}",
                chat_id=reminder.telegram_id,
                user_id=user_id,
                due_at=now,
                expires_at=reminder.closes_at,
                ref=f"vote:{reminder.vote_id}",
                payload={"voter_id": reminder.voter_id, "vote_id": reminder.vote_id},
            )
        )
    return await enqueue(session, items, now)


async def _vote(ctx: RenderContext, row: Reminder, t: Translator) -> OutMessage:
    found = (
        await ctx.session.execute(
            select(Voter, AssemblyVote)
            .join(AssemblyVote, AssemblyVote.id == Voter.vote_id)
            .where(Voter.id == int(row.payload.get("voter_id", 0)))
        )
    ).first()
    if found is None:
        raise Drop("no such voter")
    voter, vote = found
    if voter.voted or voter.onsite:
        raise Drop("voted meanwhile")
    if vote.tallied_at is not None or ctx.now >= vote.closes_at:
        raise Drop("the vote has closed")
    text = t._(
        "🗳 “{title}” closes at {closes}. You registered with a voting code but have not "
        "voted yet. Send /vote to vote.",
        title=localized(vote.title, t.lang),
        closes=t.format_datetime(vote.closes_at),
    )
    return OutMessage(esc(text))


async def _plan(session: AsyncSession, runtime: Runtime, now: datetime) -> int:
    return await plan_nonvoters(session, now)


def register(registry: Registry) -> None:
    registry.kind(VOTE, _vote)
    registry.planner("vote", _plan)


__all__ = ["VOTE", "plan_nonvoters", "register"]
