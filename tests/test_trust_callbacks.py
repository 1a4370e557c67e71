"""Issue 9 §4: every press of an inline button is answered (or the client's spinner runs
until it gives up) — in a group the bot does not serve, on a stale or unknown button, and
when a handler took the press but said nothing."""

from __future__ import annotations

import pytest
from telegram.ext import CallbackQueryHandler

from bot.emulator import Chat, User
from tests.e2e import TOKEN

BOT_OPTIONS = {"polling_errors": False}  # a failed getUpdates call may pass


async def press_in(bot, user, chat_id: int, data: str):
    message_id = max(bot.emu._bot(TOKEN).chats[chat_id].messages)
    since = bot.emu.last_seq(TOKEN)
    bot.emu.press(TOKEN, user, chat_id, message_id, data, forge=True)
    return await bot.emu.wait_for_events(
        TOKEN, chat_id=chat_id, since=since, timeout=5, quiet=0.3, kinds={"callback_answer"}
    )


@pytest.mark.parametrize(
    ("lang", "said"),
    [("ko", "더 이상 쓸 수 없는 버튼이에요."), ("en", "This button is no longer valid.")],
)
async def test_a_press_in_a_group_the_bot_does_not_serve_is_answered(bot, lang, said):
    member = User(id=8801, first_name="Su", language_code=lang)
    group = Chat.group(-100991, "Neighbours", supergroup=True)
    bot.emu.add_to_group(TOKEN, member, group)
    bot.emu.send_text(TOKEN, member, "hello", chat=group)
    for data in ("menu:grants", "props:v:1", "rev:o:1", "vote:c:1:y", "nonsense"):
        (answer,) = await press_in(bot, member, group.id, data)
        assert answer.text == said, data


async def test_a_handler_that_says_nothing_still_gets_its_press_answered(bot):
    """/review's queue in a private chat of a non-staff resident is refused; the staff
    screens in a group are not served — every press ends with an answer."""
    member = User(id=8802, first_name="Su", language_code="en")
    group = Chat.group(-100992, "Committee", supergroup=True)
    bot.emu.add_to_group(TOKEN, member, group)
    since = bot.emu.last_seq(TOKEN)
    bot.emu.send_text(TOKEN, member, "/subscribe", chat=group)  # served: subs: buttons
    await bot.emu.wait_for_events(TOKEN, chat_id=group.id, since=since, kinds={"message"})
    (answer,) = await press_in(bot, member, group.id, "subs:bogus")
    assert answer.text  # some answer, not a spinner

    async def silent(update, context):  # a feature that took the press and said nothing
        return None

    bot.app.handlers[0].insert(0, CallbackQueryHandler(silent, pattern=r"^silent$"))
    chat = bot.chat(8803, "Tom", "en")
    (menu,) = await chat.send("/start")
    for data in ("silent", "rev:m", "nonsense:1", "props:v:999999"):
        events = await chat.press_data(menu.message_id, data)
        assert [e.kind for e in events].count("callback_answer") == 1, (data, events)
