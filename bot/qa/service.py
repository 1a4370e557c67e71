"""The engine per knowledge-base snapshot, and the log of unanswered questions."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kb.edits import OpenQuestion, grouped
from bot.kb.records import KnowledgeBase
from bot.kb.store import KnowledgeStore
from bot.qa.embedding import load_default
from bot.qa.engine import QAEngine
from bot.qa.text import normalize
from bot.qa.vectors import VectorCache, default_cache_dir
from models.qa import UnansweredQuestion, followed_ref
from models.qa_counts import QuestionCount

log = logging.getLogger(__name__)


def build_engine(
    kb: KnowledgeBase,
    *,
    default_language: str = "ko",
    semantic: bool = True,
    cache_dir: Path | None = None,
    background: bool = False,
) -> QAEngine:
    """The engine with the embedding model when it is installed (lexical otherwise).

    Vectors come from the on-disk cache in ``cache_dir`` (default
    :func:`~bot.qa.vectors.default_cache_dir`); missing ones are encoded at once, or in a
    background thread with ``background`` (the bot: answers go on meanwhile).
    """
    embedder = load_default(semantic)
    cache: VectorCache | None = None
    if embedder is not None:
        try:
            cache = VectorCache(cache_dir or default_cache_dir())
        except (OSError, sqlite3.Error) as exc:  # read-only home: encode, keep nothing
            log.warning("Q&A vector cache unavailable (%s): vectors are not kept", exc)
    return QAEngine(
        kb,
        default_language=default_language,
        embedder=embedder,
        vectors=cache,
        background=background,
    )


class EngineCache:
    """Builds the engine once per snapshot version of a :class:`KnowledgeStore`.

    Building takes a few milliseconds for a district and about a second for a KB of
    thousands of records; it runs in a worker thread so the bot keeps serving meanwhile.
    """

    def __init__(
        self,
        default_language: str = "ko",
        *,
        semantic: bool = True,
        cache_dir: Path | None = None,
    ) -> None:
        self.default_language = default_language
        self.semantic = semantic
        self.cache_dir = cache_dir
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
                previous = self._engine
                if previous is not None and previous.semantic is not None:
                    # its snapshot is gone: stop encoding it (what it wrote stays cached)
                    previous.semantic.stop()
                    await asyncio.to_thread(previous.semantic.wait, 10.0)
                self._engine = await asyncio.to_thread(
                    build_engine,
                    snapshot,
                    default_language=self.default_language,
                    semantic=self.semantic,
                    cache_dir=self.cache_dir,
                    background=True,
                )
                self._version = version
        return self._engine


async def count_question(
    session: AsyncSession, day: date, dong_id: str | None, *, answered: bool
) -> None:
    """Add one to the day's answered or unanswered questions for ``dong_id`` (the asker's
    home dong, None: none set) in the caller's transaction — models/qa_counts.py.

    One upsert (``INSERT … ON CONFLICT DO UPDATE``, on both databases), so two instances
    counting the same day and dong at once both count and neither fails."""
    counted = QuestionCount.answered if answered else QuestionCount.unanswered
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(QuestionCount).values(
        day=day,
        dong_id=(dong_id or "")[:64],
        answered=1 if answered else 0,
        unanswered=0 if answered else 1,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[QuestionCount.day, QuestionCount.dong_id],
            set_={counted.key: counted + 1},
        )
    )


async def log_unanswered(
    session: AsyncSession,
    text: str,
    language: str | None,
    asked_at: datetime,
    dong_id: str | None = None,
    *,
    followed: tuple[str, str] | None = None,
) -> None:
    """Record a question nobody answered (no user id: text, language and the day only, in
    the zone of ``asked_at`` — see models/qa.py), and count it for the day and the asker's
    home dong ``dong_id`` (:func:`count_question`; the log itself keeps no dong).
    ``followed``: the ``(kind, id)`` of the record the question was asked after (the
    engine's ``follow``), kept so staff see what a follow-up asks about."""
    await count_question(session, asked_at.date(), dong_id, answered=False)
    session.add(
        UnansweredQuestion(
            asked_on=asked_at.date(),
            text=text[:1000],
            normalized=normalize(text)[:1000] or text.strip()[:1000],
            language=(language or None) and language[:8],
            followed=followed_ref(*followed) if followed is not None else None,
        )
    )
    await session.flush()


UnansweredGroup = OpenQuestion
"""A group of unanswered questions written the same way after the same record (the
staff's /unanswered list has the same groups, less the asks answered since)."""


async def list_unanswered(session: AsyncSession, limit: int = 50) -> list[UnansweredGroup]:
    """Unanswered questions grouped by normalised text and the record a follow-up was asked
    after, most frequent (then latest) first — :func:`bot.kb.edits.grouped`, as the bot's
    list groups them."""
    q = UnansweredQuestion
    rows = await session.execute(select(q.normalized, q.text, q.language, q.asked_on, q.followed))
    return grouped([tuple(r) for r in rows.all()])[:limit]  # type: ignore[misc]
