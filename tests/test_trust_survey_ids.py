"""Issue 9 §3, "review every other table for the same": anonymous survey ratings and
comments carried sequential ids, which ordered them — and the order could be matched with
the order in which invitations were answered. They now take random ids; the migration
rewrites earlier rows (random ids, random order) and keeps every rating and comment."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, text

from bot.core import migrate
from bot.core.db import make_sessionmaker
from bot.kb import records as kb
from models import SurveyComment, SurveyResponse
from tests.conftest import engine_for

STARTS = datetime(2027, 2, 9, 5, 0, tzinfo=UTC)
EVENT = "secretary-training"


async def test_ratings_and_comments_take_random_ids_earlier_ones_too(db_url):
    engine = engine_for(db_url)
    try:
        # the KB is imported with today's models (so at today's schema), then the schema
        # goes back to 0007, the last one before the random ids
        await migrate.upgrade(engine)
        parsed, problems = kb.validate(kb.load_file(kb.demo_kb_path()))
        assert parsed is not None, problems
        async with make_sessionmaker(engine)() as s, s.begin():
            await kb.import_kb(s, parsed, datetime(2026, 11, 22, tzinfo=UTC))
        await migrate.downgrade(engine, "0007")
        async with engine.begin() as conn:  # rows written before: ids 1, 2, 3 …
            for n in range(6):
                await conn.execute(
                    text(
                        "INSERT INTO survey_responses (event_id, occurrence_start, rating) "
                        "VALUES (:e, :s, :r)"
                    ),
                    {"e": EVENT, "s": STARTS, "r": 1 + n % 5},
                )
                await conn.execute(
                    text(
                        "INSERT INTO survey_comments (event_id, occurrence_start, text) "
                        "VALUES (:e, :s, :t)"
                    ),
                    {"e": EVENT, "s": STARTS, "t": f"의견 {n}"},
                )
        await migrate.upgrade(engine)
        async with make_sessionmaker(engine)() as s:
            ratings = (await s.execute(select(SurveyResponse))).scalars().all()
            comments = (await s.execute(select(SurveyComment))).scalars().all()
            assert sorted(r.rating for r in ratings) == sorted(1 + n % 5 for n in range(6))
            assert sorted(c.text for c in comments) == [f"의견 {n}" for n in range(6)]
            assert sorted(r.id for r in ratings) != list(range(1, 7))
            assert sorted(c.id for c in comments) != list(range(1, 7))
            for n in range(6):  # and new ones
                s.add(SurveyResponse(event_id=EVENT, occurrence_start=STARTS, rating=5))
                s.add(SurveyComment(event_id=EVENT, occurrence_start=STARTS, text=f"새 {n}"))
            await s.commit()
            new = (
                (await s.execute(select(SurveyComment.id).where(SurveyComment.text.like("새 %"))))
                .scalars()
                .all()
            )
        assert len(set(new)) == 6 and sum(i > 2**31 for i in new) >= 5  # not 7, 8, 9 …
        await migrate.downgrade(engine, "0007")
        async with engine.connect() as conn:
            back = (await conn.execute(text("SELECT count(*) FROM survey_comments"))).scalar()
        assert back == 12
    finally:
        await engine.dispose()
