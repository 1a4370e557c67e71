"""Updates of different chats in parallel, each chat's in order (issue 11).

A reply to chat A hangs at the Bot API (the emulator holds it until chat B is answered, then
fails it with a 502; the bot sends it again). Meanwhile chat B is answered — before A's reply — and A's next
message is answered only after A's first one. Orders of events, not timings, are checked.
"""

from __future__ import annotations

import asyncio

from telegram.ext import MessageHandler, filters

from bot.app import ChatOrderedUpdateProcessor
from bot.telegram.transport import AiohttpRequest
from models.persistence import PtbUserData
from tests.e2e import TOKEN, running_bot


async def test_a_hung_reply_to_one_chat_does_not_hold_up_another(runtime, monkeypatch):
    # The bot may wait a minute for a reply here: the hold below lasts until B is answered,
    # however long a loaded machine takes, and a read timeout would end it first (a timeout
    # is "perhaps sent": the bot would not send A's reply again, rightly)
    monkeypatch.setattr(
        "bot.app.make_request",
        lambda kind, connection_pool_size=1: AiohttpRequest(
            connection_pool_size=connection_pool_size, read_timeout=60
        ),
    )
    async with running_bot(runtime) as bot:
        a = bot.chat(9101, "Ana", "en")
        b = bot.chat(9102, "Bo", "en")
        assert isinstance(bot.app.update_processor, ChatOrderedUpdateProcessor)
        emu = bot.emu
        calls = emu._bot(TOKEN).call_counts
        before = calls["sendmessage"]
        b_answered = asyncio.Event()
        emu.stall_next(TOKEN, "sendMessage", 45, until=b_answered)
        emu.send_text(TOKEN, a.user, "/start")
        emu.send_text(TOKEN, a.user, "/help")
        for _ in range(750):  # A's first reply is now hanging (up to 15 s to get there on
            # a loaded machine: sent before it, B's reply would take the stall instead)
            if calls["sendmessage"] > before:
                break
            await asyncio.sleep(0.02)
        assert calls["sendmessage"] > before, "A's first reply was never sent"
        since = emu.last_seq(TOKEN)
        emu.send_text(TOKEN, b.user, "/help")
        events = await emu.wait_for_events(  # not b.send: it waits for A's update too
            TOKEN, chat_id=b.chat_id, since=since, timeout=40, quiet=0.25, kinds={"message"}
        )
        b_answered.set()
        assert events and events[0].chat_id == b.chat_id
        replies = await emu.wait_for_events(
            TOKEN, chat_id=a.chat_id, since=0, timeout=30, quiet=3.0, kinds={"message"}
        )
        a_texts = [e.text or "" for e in replies]
        assert len(a_texts) >= 2, a_texts
        assert "Welcome" in a_texts[0] or "Hello" in a_texts[0], a_texts  # /start first …
        b_reply = events[0].seq
        assert b_reply < replies[0].seq  # … and B was answered while A's reply hung


async def test_transactions_of_different_chats_run_at_once_and_keep_their_own_state(runtime):
    """PostgreSQL: while A's update holds its transaction open, B's update runs, commits
    and is answered; B's commit writes B's state only, not the state A has changed (and
    marked for writing) but not committed — A then fails, and nothing of A is stored,
    neither by B's transaction nor later by the persistence's timer. SQLite runs one
    update's transaction at a time (one writer)."""
    async with running_bot(runtime) as bot:
        app = bot.app
        if runtime.engine.dialect.name == "sqlite":
            assert app._gate.parallel == 1
            return
        assert app._gate.parallel > 1
        entered, release = asyncio.Event(), asyncio.Event()

        async def hold(update, context):
            context.user_data["half_done"] = "A"
            context.application.mark_data_for_update_persistence(user_ids=update.effective_user.id)
            entered.set()
            await release.wait()
            raise RuntimeError("A fails after B committed")

        async def mark(update, context):
            context.user_data["mine"] = "B"

        app.add_handler(MessageHandler(filters.Regex("^hold$"), hold), group=-10)
        app.add_handler(MessageHandler(filters.Regex("^mark$"), mark), group=-10)
        a = bot.chat(9201, "Ana", "en")
        b = bot.chat(9202, "Bo", "en")

        async def stored(user_id: int) -> dict | None:
            async with runtime.sessionmaker() as session:
                row = await session.get(PtbUserData, user_id)
                return None if row is None else row.data

        bot.emu.send_text(TOKEN, a.user, "hold")
        try:
            await asyncio.wait_for(entered.wait(), 30)
            bot.emu.send_text(TOKEN, b.user, "mark")
            answered = await bot.emu.wait_for_events(  # while A's transaction is open
                TOKEN, chat_id=b.chat_id, since=0, timeout=30, kinds={"message"}
            )
            assert answered, "B was not answered while A's update held its transaction"
            assert not release.is_set()

            assert await stored(b.user.id) == {"mine": "B"}
            assert await stored(a.user.id) is None  # B's commit did not carry A's half
        finally:
            release.set()  # A goes on (and fails) even when an assertion above failed
        for _ in range(500):
            if bot.errors:
                break
            await asyncio.sleep(0.02)
        assert any("A fails" in str(e) for e in bot.errors), bot.errors
        await asyncio.wait_for(app.update_persistence(), 60)  # the timer's pass, outside updates
        assert await stored(a.user.id) is None
        assert dict(app.user_data[a.user.id]) == {}
        assert await stored(b.user.id) == {"mine": "B"}
