"""tests/shared_sql_cache.py: engines of one dialect kind share compiled SQL; others do not."""

from __future__ import annotations

import json

from sqlalchemy import literal, select

from bot.core.db import create_engine
from tests.shared_sql_cache import kind


async def _run(engine, stmt) -> tuple[object, str]:
    """Whether the statement's compiled SQL came from the cache, and the SQL run."""
    async with engine.connect() as conn:
        result = await conn.execute(stmt)
        assert result.scalar_one() == 41
        return result.context.cache_hit, str(result.context.compiled)


async def test_a_second_engine_of_the_same_kind_reuses_the_first_ones_compiled_sql(tmp_path):
    stmt = select((literal(40) + literal(1)).label("answer"))
    first = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'first.db'}")
    second = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'second.db'}")
    own = create_engine(
        f"sqlite+aiosqlite:///{tmp_path / 'own.db'}", json_serializer=lambda v: json.dumps(v)
    )
    try:
        _, sql = await _run(first, stmt)
        again, same_sql = await _run(second, stmt)
        assert again == second.dialect.CACHE_HIT and same_sql == sql
        assert kind(first.dialect) == kind(second.dialect)
        assert first.dialect is not second.dialect
        # a dialect with a setting that cannot be described keys by itself: compiled anew
        mine, _ = await _run(own, stmt)
        assert kind(own.dialect) is own.dialect
        assert mine == own.dialect.CACHE_MISS
    finally:
        for engine in (first, second, own):
            await engine.dispose()
