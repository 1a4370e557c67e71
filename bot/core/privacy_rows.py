"""Row steps the features' privacy providers share (:mod:`bot.core.privacy`), beside its
``delete_rows`` and ``count_rows``: anonymising rows in place, and deleting what a
retention period has outlived.

A provider's ``purge`` is usually one table's rows older than one setting's days::

    async def purge(session, settings, now):
        return await purge_older(
            session, now, settings.retention_conversation_days,
            "proposal_drafts", ProposalDraft, lambda before: ProposalDraft.updated_at < before,
        )
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from bot.core.privacy import cutoff, delete_rows, rowcount


async def update_rows(
    session: AsyncSession, model: type[DeclarativeBase], *where: Any, **values: Any
) -> int:
    """Set ``values`` on the rows of ``model`` that match ``where`` (an anonymised author, a
    forgotten actor's name); how many rows changed. No condition at all is refused, as in
    ``delete_rows``: a forgotten argument must not rewrite a whole table."""
    if not where:
        raise ValueError(f"update_rows({model.__name__}) without a condition")
    return rowcount(
        await session.execute(
            update(model)
            .where(*where)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    )


async def purge_older(
    session: AsyncSession,
    now: datetime,
    days: int,
    table: str,
    model: type[DeclarativeBase],
    older: Callable[[datetime], Any],
    *where: Any,
) -> dict[str, int]:
    """A ``purge`` step: delete the rows of ``model`` that ``older(before)`` selects (and
    ``where``, when given), ``before`` being the instant a ``days`` retention ends at; the
    count under ``table``. Nothing, ``{}``, when ``days`` keeps them for ever."""
    before = cutoff(now, days)
    if before is None:
        return {}
    return {table: await delete_rows(session, model, *where, older(before))}
