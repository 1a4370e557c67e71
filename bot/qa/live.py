"""The live state of an assembly's online vote, for answers about it (kind ``assembly``).

The KB says when a vote was planned to run; staff may move its window, close it early or add
items, and :mod:`bot.assembly` keeps the vote as it stands. The Q&A feature does not import
the assembly feature (features are independent: ``make lint``'s import contracts), so the
composition (:mod:`bot.features`) registers a source here at start-up and answers read the
vote through it — in the bot (``handlers/qa/ask.py``) and in ``maeul ask`` on the database.
Without a source (``maeul ask --kb FILE``: a KB file, no database) an answer says the plan.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.qa.render import VoteState

VoteSource = Callable[[AsyncSession, str, datetime], Awaitable[VoteState | None]]

_source: VoteSource | None = None


def register(source: VoteSource) -> None:
    """Where the votes as they stand come from (registering again replaces it)."""
    global _source
    _source = source


async def vote_state(session: AsyncSession, assembly_id: str, now: datetime) -> VoteState | None:
    """The vote of ``assembly_id`` as it stands; None without a source or without the vote."""
    if _source is None:
        return None
    return await _source(session, assembly_id, now)


__all__ = ["VoteSource", "register", "vote_state"]
