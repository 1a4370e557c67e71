"""The unanswered-questions log and the engine cache, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from bench.qa_kbgen import make_kb
from bot.kb import records as kb
from bot.kb.store import KnowledgeStore
from bot.qa import EngineCache, list_unanswered, log_unanswered
from models import UnansweredQuestion


async def test_unanswered_are_grouped_most_frequent_first(session, clock):
    now = clock.utcnow()
    await log_unanswered(session, "오늘 날씨 어때요?", "ko", now)
    await log_unanswered(session, "오늘  날씨 어때요", "ko", now + timedelta(minutes=1))
    await log_unanswered(session, "Is it raining?", "en", now + timedelta(minutes=2))
    await log_unanswered(session, "오늘 날씨 어때요!!", None, now + timedelta(minutes=3))
    await session.commit()
    groups = await list_unanswered(session, limit=10)
    assert [g.count for g in groups] == [3, 1]
    assert groups[0].normalized == "오늘 날씨 어때요"
    assert groups[0].example in {"오늘 날씨 어때요?", "오늘  날씨 어때요", "오늘 날씨 어때요!!"}
    assert groups[0].languages == ("ko",)
    assert groups[0].last_asked == (now + timedelta(minutes=3)).date()  # days only (issue 9)
    assert groups[0].first_asked == now.date()
    assert groups[1].example == "Is it raining?"
    assert len(await list_unanswered(session, limit=1)) == 1
    rows = (await session.execute(UnansweredQuestion.__table__.select())).all()
    assert {"user_id", "telegram_id", "chat_id"}.isdisjoint(rows[0]._mapping.keys())


async def test_engine_is_built_once_per_snapshot(sessionmaker, clock):
    store = KnowledgeStore(sessionmaker)
    cache = EngineCache()
    assert await cache.get(store) is None  # nothing imported yet
    parsed, _ = kb.load_and_validate(kb.demo_kb_path())
    assert parsed is not None
    async with sessionmaker() as session, session.begin():
        await kb.import_kb(session, parsed, clock.utcnow())
    store.invalidate()
    first = await cache.get(store)
    assert first is not None and "neighbour-making" in first.grants
    assert await cache.get(store) is first
    smaller, problems = kb.validate(make_kb(grants=2, faq=1, events=1))
    assert smaller is not None, problems
    async with sessionmaker() as session, session.begin():
        await kb.import_kb(session, smaller, clock.utcnow() + timedelta(seconds=5))
    store.invalidate()
    second = await cache.get(store)
    assert second is not first and len(second.grants) == 2


async def test_the_same_text_after_two_records_is_two_questions(session, clock):
    now = clock.utcnow()
    after_a, after_b = ("grant", "neighbour-making"), ("grant", "alley-making")
    await log_unanswered(session, "경쟁률은요?", "ko", now, followed=after_a)
    await log_unanswered(session, "경쟁률은요", "ko", now, followed=after_a)
    await log_unanswered(session, "경쟁률은요?", "ko", now, followed=after_b)
    await log_unanswered(session, "경쟁률은요?", "ko", now)
    await log_unanswered(session, "경쟁률은요!", "ko", now)
    await session.commit()
    groups = await list_unanswered(session, limit=10)
    assert sorted((g.count, g.followed or "") for g in groups) == [
        (1, "grant:alley-making"),
        (2, ""),
        (2, "grant:neighbour-making"),
    ]
    assert {g.normalized for g in groups} == {"경쟁률은요"}
    assert len({g.key for g in groups}) == 3  # each its own button
    alone = next(g for g in groups if g.followed is None)
    from bot.kb.edits import open_questions, question_key

    assert alone.key == question_key("경쟁률은요")  # as before: old buttons still name it
    assert [(g.key, g.count) for g in await open_questions(session)] == [
        (g.key, g.count) for g in groups
    ]  # the staff's list in the bot has the same groups, in the same order
