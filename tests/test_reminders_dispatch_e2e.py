"""The dispatcher through the Bot API emulator (both databases): thousands of reminders
within the limits, 429 / 403 / 5xx handling, two dispatchers claiming concurrently.

Limits are measured on the emulator's side, from the time it received each message."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.core.db import make_sessionmaker
from bot.core.runtime import Runtime
from bot.reminders.dispatch import Limits
from models import Reminder, User
from tests import test_reminders_support as support
from tests.conftest import TEST_NOW, engine_for


@pytest.mark.scale
@pytest.mark.slow
async def test_5000_reminders_due_at_once_within_the_configured_limits(runtime):
    """5,000 rows due at the same moment: 4,000 to 2,000 private chats (two each, far
    apart), 400 in bursts of ten to 40 chats, 600 to ten groups. Configured: 200 a second
    in all (20 per 0.1 s), 1 per 0.1 s per chat, 20 per 2 s per group — Telegram's shape
    with shorter windows, so the run is quick and every kind of limit binds."""
    limits = Limits(
        total=20,
        bulk=20,
        window=0.1,
        chat_count=1,
        chat_window=0.1,
        group_count=20,
        group_window=2.0,
    )
    now = runtime.clock.now()
    async with support.harness(runtime) as h:
        groups = [-1000_000_000 - g for g in range(10)]
        for chat_id in groups:
            support.open_group(h.emu, chat_id)
        for i in range(2040):
            support.open_private_chat(h.emu, 100_000 + i)
        targets: list[int] = []
        bursts = 0
        for _ in range(2):
            for i in range(2000):
                targets.append(100_000 + i)
                if i % 100 == 50:  # 40 bursts: ten rows in a row to one chat
                    targets += [102_000 + bursts] * 10
                    bursts += 1
                if i % 7 == 3:
                    targets.append(groups[i % 10])
        targets += [groups[i % 10] for i in range(5000 - len(targets))]
        assert sum(1 for t in targets if t < 0) == 600
        assert len(targets) == 5000, len(targets)
        await support.enqueue(
            runtime, [support.announcement(i, chat, now) for i, chat in enumerate(targets)]
        )
        dispatcher = await h.dispatcher(limits=limits, lanes=8, batch=100)
        started = time.monotonic()
        await dispatcher.run_pass()
        elapsed = time.monotonic() - started

        sent = h.sent()
        texts = Counter(e.text for e in sent)
        assert len(sent) == 5000 and len(texts) == 5000  # every one, none twice
        assert set(texts) == {f"📢 Announcement\n\nmessage #{i}" for i in range(5000)}
        assert support.violations(sent, limits) == []
        assert h.emu.api_errors(support.TOKEN) == []
        assert await support.statuses(runtime) == {"sent": 5000}
        assert dispatcher.stats.sent == 5000
        # the limits bound the pace: 5,000 at 200 a second take at least 25 seconds
        assert elapsed >= 5000 / 200 * 0.95
        bursty = [e.mono for e in sent if e.chat_id == 102_000]
        assert len(bursty) == 10 and bursty[-1] - bursty[0] >= 0.9  # 1 per 0.1 s


async def test_429_retry_after_is_honoured_for_every_send(runtime):
    now = runtime.clock.now()
    async with support.harness(runtime) as h:
        await support.due_in_private_chats(runtime, h.emu, 7000, 3, now)
        h.emu.fail_next(support.TOKEN, "sendMessage", 1, error_code=429, retry_after=1)
        dispatcher = await h.dispatcher()
        await dispatcher.run_pass()
        sent = h.sent()
        assert sorted(e.chat_id for e in sent) == [7000, 7001, 7002]
        (refused,) = h.emu.api_errors(support.TOKEN)
        assert refused.error_code == 429
        # nothing reached Telegram during the second it asked for
        assert min(e.time for e in sent) - refused.time >= 1.0
        async with runtime.sessionmaker() as s:
            first = (await s.execute(select(Reminder).order_by(Reminder.id))).scalars().first()
        assert first.status == "sent" and first.attempts == 2
        assert "retry after" in first.last_error


async def _row(runtime, chat_id: int) -> Reminder:
    async with runtime.sessionmaker() as s:
        return (await s.execute(select(Reminder).where(Reminder.chat_id == chat_id))).scalar_one()


async def test_server_errors_move_the_rows_due_time_then_give_up(runtime):
    """A 5xx moves that row's due time (doubling), it does not sleep in the lane; after
    ``max_attempts`` the row is failed, not lost without a trace."""
    now = runtime.clock.now()
    async with support.harness(runtime) as h:
        support.open_private_chat(h.emu, 7100)
        support.open_private_chat(h.emu, 7101)
        await support.enqueue(runtime, [support.announcement(0, 7100, now)])
        h.emu.fail_next(support.TOKEN, "sendMessage", 2, error_code=500)
        dispatcher = await h.dispatcher(backoff_seconds=0.2, max_attempts=3)
        await dispatcher.run_pass()
        row = await _row(runtime, 7100)
        assert (row.status, row.attempts, row.claimed_by) == ("pending", 1, None)
        assert row.due_at == now + timedelta(seconds=0.2)
        runtime.clock.advance(seconds=0.2)
        await dispatcher.run_pass()
        row = await _row(runtime, 7100)
        assert (row.status, row.attempts) == ("pending", 2)
        assert row.due_at == now + timedelta(seconds=0.2 + 0.4)  # the backoff doubles
        runtime.clock.advance(seconds=0.4)
        await dispatcher.run_pass()
        assert [e.chat_id for e in h.sent()] == [7100]
        row = await _row(runtime, 7100)
        assert (row.status, row.attempts) == ("sent", 3)

        await support.enqueue(runtime, [support.announcement(1, 7101, runtime.clock.now())])
        h.emu.fail_next(support.TOKEN, "sendMessage", 3, error_code=502)
        for _ in range(3):
            await dispatcher.run_pass()
            runtime.clock.advance(seconds=1)
        row = await _row(runtime, 7101)
        assert row.status == "failed" and "after 3 attempts" in row.last_error
        assert [e.chat_id for e in h.sent()] == [7100]


async def test_a_failing_chat_never_stalls_the_others(runtime):
    """One chat's sends fail (502) with a long back-off: the other 40 chats are served in
    the same pass, and the failing row waits in the table, not in a lane."""
    now = runtime.clock.now()
    async with support.harness(runtime) as h:
        await support.due_in_private_chats(runtime, h.emu, 7500, 41, now)
        h.emu.fail_next(support.TOKEN, "sendMessage", 1, error_code=502)  # the first row's send
        dispatcher = await h.dispatcher(backoff_seconds=3600, max_attempts=5, batch=10)
        await dispatcher.run_pass()  # would sleep an hour if the back-off were a lane's
        assert sorted(e.chat_id for e in h.sent()) == [7500 + i for i in range(1, 41)]
        row = await _row(runtime, 7500)
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.due_at == now + timedelta(seconds=60)  # backoff capped at a minute
        assert "Bad Gateway" in row.last_error
        runtime.clock.advance(seconds=60)
        await dispatcher.run_pass()
        assert h.sent()[-1].chat_id == 7500  # not lost
        assert await support.statuses(runtime) == {"sent": 41}


async def test_403_marks_the_user_inactive_and_skips_their_reminders(runtime):
    now = runtime.clock.now()
    async with runtime.sessionmaker() as s, s.begin():
        s.add(User(telegram_id=7200, first_name="a", created_at=now, active=True))
        s.add(User(telegram_id=7201, first_name="b", created_at=now, active=True))
    async with runtime.sessionmaker() as s:
        ids = dict((await s.execute(select(User.telegram_id, User.id))).all())
    async with support.harness(runtime) as h:
        support.open_private_chat(h.emu, 7200)
        support.open_private_chat(h.emu, 7201)
        h.emu.set_blocked(support.TOKEN, 7200)
        await support.enqueue(
            runtime,
            [
                support.announcement(0, 7200, now, user_id=ids[7200]),
                support.announcement(1, 7201, now, user_id=ids[7201]),
                support.announcement(2, 7200, now + timedelta(minutes=5), user_id=ids[7200]),
            ],
        )
        dispatcher = await h.dispatcher()
        await dispatcher.run_pass()
        assert [e.chat_id for e in h.sent()] == [7201]
        async with runtime.sessionmaker() as s:
            blocked = (await s.execute(select(User).where(User.telegram_id == 7200))).scalar_one()
            assert blocked.active is False
        runtime.clock.advance(minutes=5)
        await dispatcher.run_pass()  # the later one is skipped without asking Telegram
        assert len(h.emu.api_errors(support.TOKEN)) == 1
        assert await support.statuses(runtime) == {"sent": 1, "skipped": 2}


async def test_two_dispatchers_claim_concurrently_and_never_send_twice(runtime, db_url):
    """Two instances with their own connection pools drain one table at the same time
    (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: conditional updates)."""
    now = runtime.clock.now()
    other_engine = engine_for(db_url)
    other = Runtime(
        settings=runtime.settings,
        clock=runtime.clock,
        engine=other_engine,
        sessionmaker=make_sessionmaker(other_engine),
    )
    try:
        async with support.harness(runtime) as h:
            await support.due_in_private_chats(runtime, h.emu, 20_000, 600, now)
            fast = Limits(total=2000, bulk=2000, chat_count=1, chat_window=0.1)
            first = await h.dispatcher(limits=fast, lanes=3, batch=20, instance="first")
            second = await h.dispatcher(
                runtime=other, limits=fast, lanes=3, batch=20, instance="second"
            )
            await asyncio.gather(first.run_pass(), second.run_pass())
            texts = Counter(e.text for e in h.sent())
            assert len(texts) == 600 and set(texts.values()) == {1}
            assert first.stats.sent + second.stats.sent == 600
            assert first.stats.sent > 0 and second.stats.sent > 0  # they really shared it
            assert await support.statuses(runtime) == {"sent": 600}
    finally:
        await other_engine.dispose()


async def test_claimed_rows_of_a_dead_instance_come_back_after_the_lease(runtime):
    now = runtime.clock.now()
    async with support.harness(runtime) as h:
        support.open_private_chat(h.emu, 7300)
        await support.enqueue(runtime, [support.announcement(0, 7300, now)])
        async with runtime.sessionmaker() as s, s.begin():
            row = (await s.execute(select(Reminder))).scalar_one()
            row.status, row.claimed_by, row.lease_until = (
                "sending",
                "dead",
                now + timedelta(seconds=60),
            )
        dispatcher = await h.dispatcher(lease_seconds=60)
        await dispatcher.run_pass()
        assert h.sent() == []  # still leased to the other instance
        runtime.clock.advance(seconds=61)
        await dispatcher.run_pass()
        assert [e.chat_id for e in h.sent()] == [7300]
        assert await support.statuses(runtime) == {"sent": 1}


async def test_expired_rows_are_dropped_not_sent(runtime):
    now = runtime.clock.now()
    async with support.harness(runtime) as h:
        support.open_private_chat(h.emu, 7400)
        await support.enqueue(
            runtime,
            [
                support.announcement(
                    0, 7400, now - timedelta(hours=2), expires_at=now - timedelta(hours=1)
                ),
                support.announcement(
                    1, 7400, now - timedelta(hours=2), expires_at=now + timedelta(hours=1)
                ),
            ],
        )
        dispatcher = await h.dispatcher()
        await dispatcher.run_pass()
        assert [e.text for e in h.sent()] == ["📢 Announcement\n\nmessage #1"]
        assert await support.statuses(runtime) == {"sent": 1, "dropped": 1}
    assert TEST_NOW == runtime.clock.now()
