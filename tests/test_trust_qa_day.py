"""Issue 9 §3: an unanswered question keeps the day it was asked, not a time or an order
that ties it to the resident who asked (``users.last_seen_at`` is set in the same update).

Through the emulator on SQLite and PostgreSQL, and the migration of rows logged before.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import inspect, select, text

from bot.core import migrate
from models import UnansweredQuestion, User
from tests.conftest import engine_for
from tests.e2e import running_bot


async def test_a_question_keeps_only_its_day(runtime):
    async with running_bot(runtime) as bot:
        bot.runtime.clock.set(datetime(2027, 3, 4, 23, 30, tzinfo=UTC))  # 5 March in Seoul
        chat = bot.chat(7301, "민지", "ko")
        await chat.send("오늘 날씨 어때요?")
        bot.runtime.clock.advance(minutes=7)
        await bot.chat(7302, "수진", "ko").send("로또 번호 알려줘")
        async with bot.runtime.sessionmaker() as session:
            rows = (await session.execute(select(UnansweredQuestion))).scalars().all()
            users = (await session.execute(select(User))).scalars().all()
            raw = (await session.execute(text("SELECT * FROM qa_unanswered"))).mappings().all()
        assert not bot.errors
    assert sorted(r.text for r in rows) == ["로또 번호 알려줘", "오늘 날씨 어때요?"]
    assert {r.asked_on for r in rows} == {date(2027, 3, 5)}  # the local day
    # nothing in a row is a time, or equals anything of the users' rows
    seen = {u.last_seen_at for u in users} | {u.created_at for u in users}
    for row in raw:
        for column, value in row.items():
            assert not isinstance(value, datetime), column
            assert value not in seen, column
            if isinstance(value, str) and column != "text":
                assert "T" not in value and ":" not in value, (column, value)
    # ids do not count the questions in the order they were asked
    ids = sorted(r.id for r in rows)
    assert ids[0] > 2**31 or ids[1] - ids[0] != 1


async def test_the_migration_keeps_the_day_of_earlier_questions(db_url):
    engine = engine_for(db_url)
    try:
        await migrate.upgrade(engine, "0006")
        asked = datetime(2027, 1, 5, 14, 3, 9, 123000, tzinfo=UTC)
        async with engine.begin() as conn:
            for n in range(5):
                at = asked + timedelta(minutes=n)
                value = at.replace(tzinfo=None) if conn.dialect.name == "sqlite" else at
                await conn.execute(
                    text(
                        "INSERT INTO qa_unanswered (asked_at, text, normalized, language) "
                        "VALUES (:at, :t, :n, 'ko')"
                    ),
                    {"at": value, "t": f"질문 {n}", "n": f"질문 {n}"},
                )
        await migrate.upgrade(engine)
        async with engine.connect() as conn:
            columns = await conn.run_sync(
                lambda c: {col["name"] for col in inspect(c).get_columns("qa_unanswered")}
            )
            rows = (
                await conn.execute(sa.select(UnansweredQuestion).order_by(UnansweredQuestion.text))
            ).all()
        assert columns == {"id", "asked_on", "text", "normalized", "language", "followed"}
        assert [r.text for r in rows] == [f"질문 {n}" for n in range(5)]
        assert {r.asked_on for r in rows} == {date(2027, 1, 5)}
        assert all(r.id > 2**31 for r in rows) or sorted(r.id for r in rows) != [1, 2, 3, 4, 5]
        await migrate.downgrade(engine, "0006")
        async with engine.connect() as conn:
            back = (await conn.execute(text("SELECT text, asked_at FROM qa_unanswered"))).all()
        assert sorted(t for t, _ in back) == [f"질문 {n}" for n in range(5)]
    finally:
        await engine.dispose()
