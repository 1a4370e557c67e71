"""One rate budget per bot token (bot/core/ratebudget.py), measured on the emulator's side.

* on a virtual clock: reminders never use the replies' share, a waiting reply goes first;
* two instances (two engines, two budgets, two dispatchers) on one PostgreSQL database:
  no breach of the limits in all, per chat, per group, and a 429 seen by one pauses both;
* the running bot with TELEGRAM_RATE_LIMIT: a resident's replies are not starved by a
  fan-out, and replies plus reminders stay within 30 a second;
* 5 % of sends failing: every row delivered once, the failed ones rescheduled, not lost.

No assertion here is on how long the test took; rates are bench/'s subject.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from bot.core.db import make_sessionmaker
from bot.core.ratebudget import Limits, LocalBudget, SharedBudget, make_budget
from bot.core.runtime import Runtime
from models import RateSend, Reminder
from tests import test_reminders_support as support
from tests.conftest import engine_for
from tests.e2e import running_bot
from tests.test_reminders_limiter import VirtualClock


async def test_reminders_leave_the_replies_share_and_a_waiting_reply_goes_first():
    clock = VirtualClock()
    budget = LocalBudget(
        Limits(total=10, bulk=7, window=1.0, chat_count=1, chat_window=1.0),
        monotonic=clock.monotonic,
        sleep=clock.sleep,
    )
    sends: list[SimpleNamespace] = []

    async def fan_out(first: int) -> None:
        for chat_id in range(first, first + 60):
            permit = await budget.take(chat_id, bulk=True)
            assert permit is not None
            sends.append(SimpleNamespace(chat_id=chat_id, mono=clock.now, bulk=True))
            await clock.sleep(0.05)
            await budget.release(permit)

    async def reply(chat_id: int, at: float) -> None:
        await clock.sleep(at)
        asked = clock.now
        permit = await budget.acquire(chat_id)
        sends.append(SimpleNamespace(chat_id=chat_id, mono=clock.now, bulk=False, asked=asked))
        await clock.sleep(0.05)
        await budget.release(permit)

    tasks = [asyncio.ensure_future(fan_out(1000)), asyncio.ensure_future(fan_out(2000))]
    tasks += [asyncio.ensure_future(reply(5, 2.3)), asyncio.ensure_future(reply(6, 2.31))]
    await clock.drive(tasks)
    bulk = [s for s in sends if s.bulk]
    replies = [s for s in sends if not s.bulk]
    assert len(bulk) == 120 and len(replies) == 2
    # reminders alone never pass 7 a second; with the replies never 10
    assert support.violations(bulk, Limits(total=7, chat_count=2)) == []
    assert support.violations(sends, Limits(total=10, chat_count=2)) == []
    # the replies found room at once: the fan-out never takes their share
    assert all(r.mono == r.asked for r in replies)


async def test_a_reply_waiting_for_room_goes_before_every_reminder():
    clock = VirtualClock()
    budget = LocalBudget(
        Limits(total=3, bulk=3, window=1.0), monotonic=clock.monotonic, sleep=clock.sleep
    )
    order: list[str] = []
    held = [await budget.take(c, bulk=True) for c in (1, 2, 3)]  # all in use

    async def remind(chat_id: int) -> None:
        permit = await budget.acquire(chat_id, bulk=True)
        order.append(f"reminder {chat_id}")
        await budget.release(permit)

    async def reply() -> None:
        await clock.sleep(0.01)  # asks after the reminders queued
        permit = await budget.acquire(99)
        order.append("reply")
        await budget.release(permit)

    async def give_back() -> None:
        await clock.sleep(0.5)
        for permit in held:
            assert permit is not None
            await budget.release(permit)

    tasks = [asyncio.ensure_future(remind(c)) for c in (10, 11, 12, 13)]
    tasks += [asyncio.ensure_future(reply()), asyncio.ensure_future(give_back())]
    await clock.drive(tasks)
    assert order[0] == "reply" and sorted(order[1:]) == [f"reminder {c}" for c in (10, 11, 12, 13)]


def _two_runtimes(runtime: Runtime, db_url: str) -> Runtime:
    other_engine = engine_for(db_url)
    return Runtime(
        settings=runtime.settings,
        clock=runtime.clock,
        engine=other_engine,
        sessionmaker=make_sessionmaker(other_engine),
    )


SHORT = Limits(
    total=20, bulk=20, window=0.5, chat_count=1, chat_window=0.3, group_count=4, group_window=2.0
)
"""Telegram's shape with shorter windows, so every limit binds in a short test."""


async def test_two_instances_share_one_budget(runtime, db_url):
    """Two dispatchers, each with its own connection pool and its own budget object, send
    one fan-out: on PostgreSQL they share the budget and stay within it together; on
    SQLite (one process) the budget is in memory."""
    now = runtime.clock.now()
    postgres = runtime.engine.dialect.name == "postgresql"
    other = _two_runtimes(runtime, db_url)
    try:
        async with support.harness(runtime) as h:
            chats = [30_000 + i for i in range(40)]
            groups = [-1_000_000_300, -1_000_000_301]
            for chat_id in chats:
                support.open_private_chat(h.emu, chat_id)
            for group in groups:
                support.open_group(h.emu, group)
            targets = [chats[i % 40] for i in range(120)] + [groups[i % 2] for i in range(12)]
            await support.enqueue(
                runtime, [support.announcement(i, c, now) for i, c in enumerate(targets)]
            )
            if postgres:
                first_budget: LocalBudget = SharedBudget(runtime.engine, support.TOKEN, SHORT)
                second_budget: LocalBudget = SharedBudget(other.engine, support.TOKEN, SHORT)
            else:
                first_budget = second_budget = LocalBudget(SHORT)
            first = await h.dispatcher(budget=first_budget, lanes=3, batch=20, instance="a")
            second = await h.dispatcher(
                runtime=other, budget=second_budget, lanes=3, batch=20, instance="b"
            )
            await asyncio.gather(first.run_pass(), second.run_pass())
            sent = h.sent()
            texts = Counter(e.text for e in sent)
            assert len(texts) == len(targets) and set(texts.values()) == {1}
            assert first.stats.sent > 0 and second.stats.sent > 0  # both sent
            assert support.violations(sent, SHORT) == []
            assert await support.statuses(runtime) == {"sent": len(targets)}
            if postgres:  # the permits really were shared rows
                async with runtime.sessionmaker() as s:
                    taken = await s.scalar(select(func.count()).select_from(RateSend))
                assert taken == len(targets)
    finally:
        await other.engine.dispose()


async def test_a_429_pauses_every_instance(runtime, db_url):
    """One instance meets a 429 (retry after 1 s): no instance starts a send during that
    second."""
    now = runtime.clock.now()
    postgres = runtime.engine.dialect.name == "postgresql"
    other = _two_runtimes(runtime, db_url)
    try:
        async with support.harness(runtime) as h:
            await support.due_in_private_chats(runtime, h.emu, 31_000, 30, now)
            if postgres:
                budgets: tuple[LocalBudget, LocalBudget] = (
                    SharedBudget(runtime.engine, support.TOKEN, SHORT),
                    SharedBudget(other.engine, support.TOKEN, SHORT),
                )
            else:
                one = LocalBudget(SHORT)
                budgets = (one, one)
            h.emu.fail_next(support.TOKEN, "sendMessage", 1, error_code=429, retry_after=1)
            first = await h.dispatcher(budget=budgets[0], batch=5, instance="a")
            second = await h.dispatcher(runtime=other, budget=budgets[1], batch=5, instance="b")
            await asyncio.gather(first.run_pass(), second.run_pass())
            (refused,) = h.emu.api_errors(support.TOKEN)
            sent = h.sent()
            assert len({e.text for e in sent}) == 30 == len(sent)
            # nothing *started* in the second it asked for, from either instance: what
            # reached Telegram then is at most the other instance's one send (one lane)
            # already on its way when the 429 came
            during = [e for e in sent if refused.time <= e.time < refused.time + 1.0]
            assert len(during) <= 1
            assert [e for e in sent if refused.time + 0.2 <= e.time < refused.time + 1.0] == []
            assert first.stats.sent > 0 and second.stats.sent > 0
    finally:
        await other.engine.dispose()


async def test_replies_are_not_starved_by_a_fan_out(runtime):
    """The running bot with the budget on (30 a second, reminders 25 of them): while 300
    reminders go out, a resident's /start is answered before the fan-out ends, and all
    messages together stay within 30 a second and 1 a second per chat."""
    runtime.settings = runtime.settings.model_copy(
        update={"telegram_rate_limit": True, "reminder_first_wake_seconds": 3600}
    )
    now = runtime.clock.now()
    async with running_bot(runtime) as bot:
        for i in range(300):
            support.open_private_chat(bot.emu, 32_000 + i)
        await support.enqueue(
            runtime, [support.announcement(i, 32_000 + i, now) for i in range(300)]
        )
        resident = bot.chat(9801, "Ara", "en")
        fan_out = asyncio.ensure_future(bot.app.dispatcher.run_pass())
        await asyncio.sleep(1.0)  # the fan-out is under way (about 25 a second)
        answer = await resident.send("/start")  # (returns once the bot is quiet)
        assert answer, "no reply during the fan-out"
        await fan_out
        events = bot.emu.events(support.TOKEN, kinds={"message"})
        reminders = [e for e in events if e.chat_id != resident.chat_id]
        assert len(reminders) == 300
        # the reply went out while the fan-out still had most of its way to go: it did
        # not queue behind the reminders
        replied = max(e.seq for e in answer)
        assert len([e for e in reminders if e.seq > replied]) >= 150
        assert support.violations(events, Limits(total=30, chat_count=1)) == []
        assert support.violations(reminders, Limits(total=25, chat_count=1)) == []


async def test_five_percent_of_sends_failing_loses_and_doubles_nothing(runtime):
    """Every 20th send fails with 502: the failed rows are moved (due later), sent on a
    later pass; in the end every row was delivered exactly once."""
    now = runtime.clock.now()
    async with support.harness(runtime) as h:
        await support.due_in_private_chats(runtime, h.emu, 33_000, 200, now)
        budget = make_budget(
            runtime.settings.model_copy(update={"dispatch_rate_global": 1000}), runtime.engine
        )
        dispatcher = await h.dispatcher(budget=budget, backoff_seconds=30, lanes=2, batch=20)
        stop = asyncio.Event()

        async def inject() -> None:  # one failure queued per 19 messages delivered
            queued = 0
            while not stop.is_set():
                if len(h.sent()) // 19 >= queued:
                    h.emu.fail_next(support.TOKEN, "sendMessage", 1, error_code=502)
                    queued += 1
                await asyncio.sleep(0.005)

        injector = asyncio.ensure_future(inject())
        await dispatcher.run_pass()
        stop.set()
        await injector
        h.emu.clear_failures(support.TOKEN)
        failed = len(h.emu.api_errors(support.TOKEN))
        assert failed >= 8  # about one in twenty
        async with runtime.sessionmaker() as s:
            moved = (
                await s.execute(select(Reminder).where(Reminder.status == "pending"))
            ).scalars().all()  # fmt: skip
        assert len(moved) == failed and all(r.attempts == 1 for r in moved)
        assert all(r.due_at == now + timedelta(seconds=30) for r in moved)
        runtime.clock.advance(seconds=30)
        await dispatcher.run_pass()
        texts = Counter(e.text for e in h.sent())
        assert len(texts) == 200 and set(texts.values()) == {1}
        assert await support.statuses(runtime) == {"sent": 200}


@pytest.mark.parametrize("choice", ["auto", "local"])
def test_the_budget_follows_the_database(choice, tmp_path):
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.core.config import Settings

    for url, shared in (
        (f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", False),
        ("postgresql+asyncpg://postgres@127.0.0.1:5432/test", choice == "auto"),
    ):
        settings = Settings(_env_file=None, database_url=url, rate_budget=choice)  # type: ignore[call-arg]
        budget = make_budget(settings, create_async_engine(url))
        assert isinstance(budget, SharedBudget) is shared
        assert (budget.limits.total, budget.limits.bulk) == (30, 25)
