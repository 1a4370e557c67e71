"""The SQLite adapter of bot/core/sqlite_driver.py: one trip to aiosqlite's thread a statement,
with the same results, row counts, ids and errors as SQLAlchemy's own adapter."""

from __future__ import annotations

import collections
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.db import begin_for_writing, create_engine, make_sessionmaker
from bot.core.sqlite_driver import OneTripConnection

meta = MetaData()
things = Table(
    "things",
    meta,
    Column("id", Integer, primary_key=True),
    Column("name", String(20), unique=True, nullable=False),
)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'd.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(meta.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> collections.Counter[str]:
    """Every function aiosqlite runs on its thread, by name."""
    counted: collections.Counter[str] = collections.Counter()
    run = aiosqlite.Connection._execute

    async def _execute(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        counted[getattr(fn, "__name__", repr(fn))] += 1
        return await run(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", _execute)
    return counted


async def test_the_engine_uses_it(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.dbapi_connection, OneTripConnection)


async def test_one_trip_a_statement(engine: AsyncEngine, trips: collections.Counter[str]) -> None:
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker() as session:
        await begin_for_writing(session)
        await session.execute(insert(things).values(name="a"))
        rows = (await session.execute(select(things.c.name))).scalars().all()
        await session.commit()
    assert rows == ["a"]
    # BEGIN IMMEDIATE, the insert, the select: a trip each; the commit; no rollback when
    # the connection goes back to the pool (nothing is open then)
    assert trips == {"_run": 3, "commit": 1}, trips


async def test_results_counts_and_ids(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        first = await conn.execute(insert(things).values(name="a"))
        second = await conn.execute(insert(things).values(name="b"))
        assert (first.inserted_primary_key[0], second.inserted_primary_key[0]) == (1, 2)
        many = await conn.execute(insert(things), [{"name": "c"}, {"name": "d"}])
        assert many.rowcount == 2
        changed = await conn.execute(
            update(things).where(things.c.id > 2).values(name=things.c.name + "!")
        )
        assert changed.rowcount == 2
        returned = await conn.execute(
            update(things).where(things.c.id == 1).values(name="z").returning(things.c.id)
        )
        assert returned.scalars().all() == [1]
        none = await conn.execute(update(things).where(things.c.id == 99).values(name="q"))
        assert none.rowcount == 0
        names = (await conn.execute(select(things.c.name).order_by(things.c.id))).scalars()
        assert list(names) == ["z", "b", "c!", "d!"]
        assert (await conn.execute(select(things).where(things.c.id == 99))).first() is None


async def test_errors_and_rollback(engine: AsyncEngine) -> None:
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker() as session:
        await session.execute(insert(things).values(name="a"))
        await session.commit()
    async with sessionmaker() as session:
        await session.execute(insert(things).values(name="b"))
        with pytest.raises(IntegrityError):
            await session.execute(insert(things).values(name="a"))
        await session.rollback()  # b goes with it
    async with sessionmaker() as session:
        names = (await session.execute(text("SELECT name FROM things ORDER BY id"))).scalars()
        assert list(names) == ["a"]
