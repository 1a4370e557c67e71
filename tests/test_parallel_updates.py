"""Updates of different chats in parallel, each chat's in order (issue 11).

A reply to chat A hangs at the Bot API (the emulator holds it, then fails it with a 502;
the bot sends it again). Meanwhile chat B is answered — before A's reply — and A's next
message is answered only after A's first one. Orders of events, not timings, are checked.
"""

from __future__ import annotations

import asyncio

from bot.app import ChatOrderedUpdateProcessor
from tests.e2e import TOKEN, running_bot


async def test_a_hung_reply_to_one_chat_does_not_hold_up_another(runtime):
    async with running_bot(runtime) as bot:
        a = bot.chat(9101, "Ana", "en")
        b = bot.chat(9102, "Bo", "en")
        assert isinstance(bot.app.update_processor, ChatOrderedUpdateProcessor)
        emu = bot.emu
        calls = emu._bot(TOKEN).call_counts
        before = calls["sendmessage"]
        emu.stall_next(TOKEN, "sendMessage", 2.0)
        emu.send_text(TOKEN, a.user, "/start")
        emu.send_text(TOKEN, a.user, "/help")
        for _ in range(200):  # A's first reply is now hanging
            if calls["sendmessage"] > before:
                break
            await asyncio.sleep(0.02)
        events = await b.send("/help")
        assert events and events[0].chat_id == b.chat_id
        await asyncio.sleep(0)
        replies = await emu.wait_for_events(
            TOKEN, chat_id=a.chat_id, since=0, timeout=15, quiet=3.0, kinds={"message"}
        )
        a_texts = [e.text or "" for e in replies]
        assert len(a_texts) >= 2, a_texts
        assert "Welcome" in a_texts[0] or "Hello" in a_texts[0], a_texts  # /start first …
        b_reply = events[0].seq
        assert b_reply < replies[0].seq  # … and B was answered while A's reply hung
