"""Database engine, sessions and the helpers that keep SQLite and PostgreSQL on one path."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

IMMEDIATE = "maeul_sqlite_begin_immediate"
"""Execution option: on SQLite, begin the transaction with ``BEGIN IMMEDIATE``."""


async def begin_for_writing(session: AsyncSession) -> None:
    """Start ``session``'s transaction holding SQLite's write lock (a no-op elsewhere).

    Call it first: the option applies when the session's connection is procured."""
    await session.connection(execution_options={IMMEDIATE: True})


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create an async engine; SQLite gets WAL, foreign keys and a busy timeout.

    SQL parameters are hidden from SQLAlchemy's log and exception messages: they carry
    residents' free text, user ids and code hashes, and an error log must not.
    """
    kwargs.setdefault("hide_parameters", True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _create_private(Path(parsed.database))
        connect_args = kwargs.pop("connect_args", {})
        connect_args.setdefault("timeout", 30)
        if parsed.get_driver_name() == "aiosqlite" and "module" not in kwargs:
            from bot.core import sqlite_driver  # one trip to aiosqlite's thread a statement

            if (dbapi := sqlite_driver.module()) is not None:
                kwargs["module"] = dbapi
        engine = create_async_engine(url, connect_args=connect_args, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            if parsed.database and parsed.database != ":memory:":
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            # deleted rows are overwritten, not left in free space (the rewritten ballot box);
            # explicit because not every SQLite build has SECURE_DELETE on by default
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin_immediate(conn: Any) -> None:
            # An update's transaction reads first (the user) and may write later. A
            # transaction that read cannot become a writer once another connection (the
            # reminder dispatcher, a CLI command, the persistence job) has committed:
            # SQLite answers "database is locked" at once, whatever the busy timeout. So
            # a session that asks for it (IMMEDIATE, see bot.app) takes the write lock
            # when it begins and waits its turn. Others keep the driver's own way (its
            # BEGIN comes right before the first write).
            if conn.get_execution_options().get(IMMEDIATE):
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def _create_private(path: Path) -> None:
    """Create a missing SQLite file empty and 0600 before SQLite does (it would use 0644):
    the database holds the poll book and residents' messages. SQLite gives its ``-wal`` and
    ``-shm`` files the database file's mode. An existing file keeps the mode it has."""
    if path.name.startswith("file:") or path.exists():
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:  # created meanwhile by another process
        pass
    except OSError:  # e.g. no such directory: SQLite reports it when it connects
        pass


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def upsert(
    session: AsyncSession,
    model: type[Any],
    rows: Sequence[dict[str, Any]],
    key: Sequence[str],
    update: Sequence[str] | None = None,
) -> None:
    """INSERT … ON CONFLICT (key) DO UPDATE on both SQLite and PostgreSQL."""
    if not rows:
        return
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(model).values(list(rows))
    columns = update if update is not None else [c for c in rows[0] if c not in key]
    if columns:
        stmt = stmt.on_conflict_do_update(
            index_elements=list(key),
            set_={c: stmt.excluded[c] for c in columns},
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(key))
    await session.execute(stmt)
