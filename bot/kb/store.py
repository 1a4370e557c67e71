"""The knowledge base as the bot reads it: a validated in-memory snapshot of the KB tables.

Readers (browsing, the Q&A engine, cards) use the pydantic :class:`bot.kb.records.KnowledgeBase`
returned by :meth:`KnowledgeStore.get`, never raw rows. The snapshot is rebuilt when the
tables change: at once after an edit in this process (:meth:`invalidate`), and within a
second after an import by another process (``maeul kb import`` while the bot runs), found
by a cheap fingerprint query.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.kb import records as kb
from models.kb import Assembly, AssemblyItem, Category, Dong, Event, FaqEntry, Grant, Region

_TABLES = (Region, Dong, Category, Grant, FaqEntry, Event, Assembly, AssemblyItem)
RECHECK_SECONDS = 1.0


def _fingerprint_query() -> Any:
    parts = [select(func.count(), func.max(m.updated_at)) for m in _TABLES]
    return union_all(*parts)


class KnowledgeStore:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._monotonic = monotonic
        self._snapshot: kb.KnowledgeBase | None = None
        self._fingerprint: tuple[Any, ...] | None = None
        self._checked_at = float("-inf")
        self._lock = asyncio.Lock()
        self.version = 0  # increases whenever a new snapshot is built

    def invalidate(self) -> None:
        self._fingerprint = None
        self._checked_at = float("-inf")

    async def _current_fingerprint(self, session: AsyncSession) -> tuple[Any, ...]:
        rows = (await session.execute(_fingerprint_query())).all()
        return tuple((n, str(at)) for n, at in rows)

    async def get(self) -> kb.KnowledgeBase | None:
        """The current KB, or None before anything was imported."""
        if self._monotonic() - self._checked_at < RECHECK_SECONDS and self._fingerprint:
            return self._snapshot
        async with self._lock:
            async with self._sessionmaker() as session:
                fingerprint = await self._current_fingerprint(session)
                self._checked_at = self._monotonic()
                if fingerprint == self._fingerprint:
                    return self._snapshot
                try:
                    document = await kb.export_kb(session)
                except LookupError:
                    snapshot = None
                else:
                    snapshot, problems = kb.validate(document)
                    if snapshot is None:  # cannot happen for data that came through import
                        raise RuntimeError(
                            "the stored KB does not validate: " + "; ".join(problems)
                        )
            self._snapshot = snapshot
            self._fingerprint = fingerprint
            self.version += 1
            return snapshot
