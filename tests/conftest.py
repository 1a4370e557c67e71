"""Shared fixtures: databases (SQLite and PostgreSQL), runtime, clock.

Tests that take the ``db_url`` / ``engine`` / ``runtime`` fixtures run twice: on SQLite and
on PostgreSQL at 127.0.0.1:5432 (database ``test``; override with TEST_POSTGRES_URL). Each
PostgreSQL test gets its own schema. Where PostgreSQL is absent those runs are skipped
with the reason shown, unless REQUIRE_POSTGRES=1, where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core import migrate
from bot.core.clock import ManualClock
from bot.core.config import Settings
from bot.core.db import create_engine, make_sessionmaker
from bot.core.runtime import Runtime

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
SEOUL = ZoneInfo("Asia/Seoul")
# A fixed instant for tests: Sunday 22 November 2026, 10:00 in Seoul.
TEST_NOW = datetime(2026, 11, 22, 10, 0, tzinfo=SEOUL)

_pg_status: tuple[bool, str] | None = None


async def postgres_available() -> tuple[bool, str]:
    global _pg_status
    if _pg_status is None:
        import asyncpg

        url = make_url(PG_URL)
        try:
            conn = await asyncpg.connect(
                host=url.host, port=url.port or 5432, user=url.username,
                database=url.database, timeout=3,
            )
            await conn.close()
            _pg_status = (True, "")
        except Exception as exc:  # any failure means "not available here"
            _pg_status = (False, f"PostgreSQL not available at {url.host}:{url.port}: {exc!r}")
    return _pg_status


async def need_postgres() -> None:
    ok, reason = await postgres_available()
    if not ok:
        if REQUIRE_POSTGRES:
            pytest.fail(f"REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[str]:
    """A fresh, empty database URL (SQLite file, or a new PostgreSQL schema)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'maeul.db'}"
        return
    await need_postgres()
    import asyncpg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    url = make_url(PG_URL)
    conn = await asyncpg.connect(
        host=url.host, port=url.port or 5432, user=url.username, database=url.database
    )
    await conn.execute(f'CREATE SCHEMA "{schema}"')
    await conn.close()
    try:
        yield f"{PG_URL}?schema={schema}"
    finally:
        conn = await asyncpg.connect(
            host=url.host, port=url.port or 5432, user=url.username, database=url.database
        )
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await conn.close()


def engine_for(url: str) -> AsyncEngine:
    """An engine for a URL from ``db_url`` (the PostgreSQL schema becomes the search path)."""
    parsed = make_url(url)
    schema = parsed.query.get("schema")
    if schema:
        clean = parsed.difference_update_query(["schema"]).render_as_string(hide_password=False)
        return create_engine(clean, connect_args={"server_settings": {"search_path": str(schema)}})
    return create_engine(url)


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """A migrated database."""
    eng = engine_for(db_url)
    await migrate.upgrade(eng)
    yield eng
    await eng.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


@pytest.fixture
async def session(sessionmaker) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as s:
        yield s


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(TEST_NOW)


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=db_url.split("?")[0] if "postgresql" in db_url else db_url,
        bot_token="123456:TEST",
        telegram_rate_limit=False,
        admin_ids=frozenset({900}),
    )


@pytest.fixture
async def runtime(
    settings: Settings, engine: AsyncEngine, clock: ManualClock
) -> AsyncIterator[Runtime]:
    rt = Runtime(
        settings=settings, clock=clock, engine=engine, sessionmaker=make_sessionmaker(engine)
    )
    yield rt
