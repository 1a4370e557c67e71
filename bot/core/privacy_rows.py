"""Row steps the features' privacy providers share (:mod:`bot.core.privacy`), beside its
``delete_rows`` and ``count_rows``: anonymising rows in place, and deleting what a
retention period has outlived.

A provider's ``purge`` is usually one table's rows older than one setting's days::

    async def purge(session, settings, now):
        return await purge_older(
            session, ProposalDraft.updated_at, settings.retention_conversation_days, now
        )
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute

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
    session: AsyncSession, column: InstrumentedAttribute[Any], days: int, now: datetime, *where: Any
) -> dict[str, int]:
    """A ``purge`` step: delete the rows whose ``column`` (``ProposalDraft.updated_at``) is
    before the instant a ``days`` retention ends at (and that match ``where``, when given);
    how many went, under their table's name. Nothing, ``{}``, when ``days`` keeps them for
    ever."""
    before = cutoff(now, days)
    if before is None:
        return {}
    model = cast(type[DeclarativeBase], column.class_)  # a mapped class, never an alias
    return {model.__tablename__: await delete_rows(session, model, *where, column < before)}
