"""Reminders in the running bot (both databases): the JobQueue wakes the dispatcher on its
own, grant deadlines for followers, a group that removed the bot."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.emulator import Chat, User
from bot.events import subscriptions as S
from bot.events.reminder_rows import ANNOUNCE
from bot.reminders import rows as R
from models import Reminder, Subscription
from tests.conftest import SEOUL
from tests.e2e import TOKEN, running_bot
from tests.staff_helpers import reminders_off

CLOSES = date(2027, 2, 12)  # neighbour-making
DUE = datetime(2027, 2, 9, 10, 0, tzinfo=SEOUL)  # three days before, 10:00


@pytest.fixture
async def bot(runtime):
    runtime.settings = runtime.settings.model_copy(
        update={"reminder_wake_seconds": 0.3, "reminder_first_wake_seconds": 0.1}
    )
    async with running_bot(runtime) as under_test:
        yield under_test
        assert under_test.emu.api_errors(TOKEN) == []
        assert not under_test.errors


async def follow(chat, grant_id="neighbour-making"):
    await chat.send("/start")
    message_id = chat.last_message_with_buttons()["message_id"]
    await chat.press_data(message_id, f"grants:show:{grant_id}")
    await chat.press("🔔 Follow")


async def test_the_jobqueue_wakes_the_dispatcher_for_a_followed_grant(bot):
    chat = bot.chat(9501, "Ara", "en")
    await follow(chat)
    assert bot.app.job_queue.get_jobs_by_name("reminder-dispatcher")
    bot.runtime.clock.set(DUE - timedelta(minutes=1))
    since = bot.emu.last_seq(TOKEN)
    assert await bot.emu.wait_for_events(TOKEN, chat_id=chat.chat_id, since=since, timeout=1) == []
    bot.runtime.clock.set(DUE)
    # no pass run by the test: the JobQueue's wake-up does it
    (reminder,) = await bot.emu.wait_for_events(
        TOKEN, chat_id=chat.chat_id, since=since, timeout=10, kinds={"message"}
    )
    assert reminder.text.startswith("⏰ Neighbour-Making Grant")
    assert "Applications close on Fri 12 Feb 2027 (3 days left)." in reminder.text
    await bot.app.dispatcher.run_pass()
    await bot.app.dispatcher.run_pass()  # once only
    assert len(bot.emu.events(TOKEN, chat_id=chat.chat_id, since=since, kinds={"message"})) == 1


async def test_grant_reminder_after_downtime_and_not_after_unfollowing(bot):
    staying, leaving = bot.chat(9502, "Bo", "en"), bot.chat(9503, "Cy", "en")
    await follow(staying)
    await follow(leaving)
    await leaving.press("🔕 Unfollow")
    bot.runtime.clock.set(DUE + timedelta(days=2))  # down for two days; still before the end
    since = bot.emu.last_seq(TOKEN)
    await bot.app.dispatcher.run_pass()
    (late,) = bot.emu.events(TOKEN, chat_id=staying.chat_id, since=since, kinds={"message"})
    assert "(1 day left)" in late.text
    assert bot.emu.events(TOKEN, chat_id=leaving.chat_id, since=since) == []
    bot.runtime.clock.set(datetime(2027, 2, 13, 9, 0, tzinfo=SEOUL))  # after the deadline
    since = bot.emu.last_seq(TOKEN)
    await bot.app.dispatcher.run_pass()
    assert bot.emu.events(TOKEN, since=since, kinds={"message"}) == []


async def test_grant_reminders_can_be_turned_off(bot):
    chat = bot.chat(9504, "Dal", "en")
    await follow(chat)
    await reminders_off(chat, "📋 Grant deadlines")
    bot.runtime.clock.set(DUE)
    await bot.app.dispatcher.run_pass()
    async with bot.runtime.sessionmaker() as s:
        assert (await s.execute(select(Reminder).where(Reminder.kind == "grant"))).first() is None


async def test_a_group_that_removed_the_bot_loses_its_subscriptions(bot):
    admin = User(id=9601, first_name="Jin", language_code="en")
    group = Chat.group(-100888, "old group", supergroup=True)
    bot.emu.add_to_group(TOKEN, admin, group)
    async with bot.runtime.sessionmaker() as s, s.begin():
        await S.toggle(
            s,
            chat_id=group.id,
            chat_type="supergroup",
            topic="kind",
            value="trainings",
            now=bot.runtime.clock.now(),
            language="en",
        )
        await R.enqueue(
            s,
            [
                R.Planned(
                    kind=ANNOUNCE,
                    key="a1",
                    chat_id=group.id,
                    due_at=bot.runtime.clock.now(),
                    payload={"text": "hi", "lang": "en"},
                )
            ],
            bot.runtime.clock.now(),
        )
    bot.emu.remove_from_group(TOKEN, admin, group.id)
    await bot.app.dispatcher.run_pass()
    assert [e.error_code for e in bot.emu.api_errors(TOKEN)] == [403]
    bot.emu._bot(TOKEN).errors.clear()
    async with bot.runtime.sessionmaker() as s:
        assert (await s.execute(select(Subscription))).first() is None
        (row,) = (await s.execute(select(Reminder))).scalars()
    assert row.status == "skipped"
    assert "not a member" in row.last_error or "kicked" in row.last_error


async def test_with_the_rate_budget_on_replies_and_the_dispatcher_share_one(runtime):
    """TELEGRAM_RATE_LIMIT: the bot's replies and the dispatcher take permits of the same
    budget (no PTB limiter to queue or retry a send a second time); the dispatcher sends
    through the application's bot with its permit already held."""
    runtime.settings = runtime.settings.model_copy(update={"telegram_rate_limit": True})
    async with running_bot(runtime) as bot:
        handle = bot.app.dispatcher_handle
        assert getattr(bot.app.bot, "rate_limiter", None) is None
        assert bot.app.bot.budget is not None
        assert handle.dispatcher.budget is bot.app.bot.budget
        assert handle.dispatcher.sender.bot is bot.app.bot
        taken = bot.app.bot.budget.stats.taken
        chat = bot.chat(9701, "Eve", "en")
        await chat.send("/start")  # its reply: one permit per new message
        await bot.emu.wait_for_events(TOKEN, chat_id=chat.chat_id, since=0, quiet=1.5)
        now = bot.runtime.clock.now()
        async with bot.runtime.sessionmaker() as s:
            await R.enqueue(
                s,
                [
                    R.Planned(
                        kind=ANNOUNCE,
                        key="budget:1",
                        chat_id=chat.chat_id,
                        due_at=now,
                        payload={"text": "hello", "lang": "en"},
                    )
                ],
                now,
            )
            await s.commit()
        since = bot.emu.last_seq(TOKEN)
        await bot.app.dispatcher.run_pass()
        (reminder,) = bot.emu.events(TOKEN, chat_id=chat.chat_id, since=since, kinds={"message"})
        assert "hello" in reminder.text
        assert bot.emu.api_errors(TOKEN) == [] and not bot.errors
        # every new message took one permit: the replies to /start, the reminder
        sent = bot.emu.events(TOKEN, kinds={"message"})
        assert bot.app.bot.budget.stats.taken - taken == len(sent) > 1
