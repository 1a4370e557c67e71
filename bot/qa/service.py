"""The engine per knowledge-base snapshot, and the log of unanswered questions."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.knowledge import KnowledgeStore
from bot.qa.engine import QAEngine
from bot.qa.text import normalize
from models.qa import UnansweredQuestion


class EngineCache:
    """Builds the engine once per snapshot version of a :class:`KnowledgeStore`.

    Building takes a few milliseconds for a district and about a second for a KB of
    thousands of records; it runs in a worker thread so the bot keeps serving meanwhile.
    """

    def __init__(self, default_language: str = "ko") -> None:
        self.default_language = default_language
        self._engine: QAEngine | None = None
        self._version: int | None = None
        self._lock = asyncio.Lock()

    async def get(self, store: KnowledgeStore) -> QAEngine | None:
        snapshot = await store.get()
        if snapshot is None:
            return None
        if self._engine is not None and self._version == store.version:
            return self._engine
        async with self._lock:
            if self._engine is None or self._version != store.version:
                version = store.version
                self._engine = await asyncio.to_thread(
                    QAEngine, snapshot, default_language=self.default_language
                )
                self._version = version
        return self._engine


async def log_unanswered(
    session: AsyncSession, text: str, language: str | None, asked_at: datetime
) -> None:
    """Record a question nobody answered (no user id: text, language and time only)."""
    session.add(
        UnansweredQuestion(
            asked_at=asked_at,
            text=text[:1000],
            normalized=normalize(text)[:1000] or text.strip()[:1000],
            language=(language or None) and language[:8],
        )
    )
    await session.flush()


@dataclass(frozen=True)
class UnansweredGroup:
    normalized: str
    example: str
    count: int
    languages: tuple[str, ...]
    first_asked: datetime
    last_asked: datetime


async def list_unanswered(session: AsyncSession, limit: int = 50) -> list[UnansweredGroup]:
    """Unanswered questions grouped by normalised text, most frequent (then latest) first."""
    q = UnansweredQuestion
    count = func.count(q.id).label("n")
    last = func.max(q.asked_at).label("last")
    query = (
        select(q.normalized, count, func.min(q.asked_at), last)
        .group_by(q.normalized)
        .order_by(count.desc(), last.desc(), q.normalized)
        .limit(limit)
    )
    groups: list[UnansweredGroup] = []
    rows = (await session.execute(query)).all()
    for normalized, n, first, latest in rows:
        details = (
            await session.execute(
                select(q.text, q.language, q.asked_at)
                .where(q.normalized == normalized)
                .order_by(q.asked_at.desc())
            )
        ).all()
        languages = tuple(sorted({lang for _, lang, _ in details if lang}))
        groups.append(
            UnansweredGroup(
                normalized=normalized,
                example=details[0][0] if details else normalized,
                count=int(n),
                languages=languages,
                first_asked=_aware(first),
                last_asked=_aware(latest),
            )
        )
    return groups


def _aware(value: datetime) -> datetime:
    """Aggregates bypass the column type on SQLite: restore the UTC offset."""
    from datetime import UTC

    if isinstance(value, str):  # SQLite returns text for MIN/MAX of a datetime column
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
