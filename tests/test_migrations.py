"""Migrations go up and down on both databases, and match the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import models
from bot.core import migrate
from tests.conftest import engine_for


def _diff(conn):
    ctx = MigrationContext.configure(conn, opts={"compare_type": True})
    return compare_metadata(ctx, models.Base.metadata)


def _tables(conn):
    return set(inspect(conn).get_table_names()) - {"alembic_version"}


async def test_up_down_up(db_url):
    engine = engine_for(db_url)
    try:
        await migrate.upgrade(engine)
        assert await migrate.current_revision(engine) == migrate.head_revision()
        async with engine.connect() as conn:
            assert await conn.run_sync(_tables) == set(models.Base.metadata.tables)
            assert await conn.run_sync(_diff) == []
        await migrate.downgrade(engine, "base")
        assert await migrate.current_revision(engine) is None
        async with engine.connect() as conn:
            assert await conn.run_sync(_tables) == set()
        await migrate.upgrade(engine)
        assert await migrate.current_revision(engine) == migrate.head_revision()
    finally:
        await engine.dispose()


async def test_unanswered_questions_keep_the_record_they_followed_from_0017(db_url):
    """0017 adds qa_unanswered.followed: questions logged before followed nothing known
    (NULL); going back drops it and keeps the questions."""
    from sqlalchemy import text

    engine = engine_for(db_url)
    columns = lambda c: {col["name"] for col in inspect(c).get_columns("qa_unanswered")}  # noqa: E731
    try:
        await migrate.upgrade(engine, "0016")
        async with engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO qa_unanswered (id, asked_on, text, normalized, language) "
                     "VALUES (7, '2027-01-05', '경쟁률은요?', '경쟁률은요', 'ko')")
            )  # fmt: skip
        await migrate.upgrade(engine, "0017")
        async with engine.begin() as conn:
            assert "followed" in await conn.run_sync(columns)
            assert (await conn.execute(text("SELECT followed FROM qa_unanswered"))).all() == [
                (None,)
            ]
            await conn.execute(
                text("INSERT INTO qa_unanswered (id, asked_on, text, normalized, followed) "
                     "VALUES (8, '2027-01-05', '경쟁률은요?', '경쟁률은요', 'grant:alley-making')")
            )  # fmt: skip
        await migrate.downgrade(engine, "0016")
        async with engine.connect() as conn:
            assert "followed" not in await conn.run_sync(columns)
            kept = (await conn.execute(text("SELECT id FROM qa_unanswered ORDER BY id"))).all()
        assert kept == [(7,), (8,)]
    finally:
        await engine.dispose()
