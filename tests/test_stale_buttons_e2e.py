"""A button press nobody can serve any more is refused politely, and no Bot API call of the
refusal fails: a message whose buttons were already removed is not edited again."""

from __future__ import annotations

import pytest

from bot.core.i18n import Translator
from tests.conftest import SEOUL
from tests.e2e import TOKEN, running_bot

KO = Translator("ko", SEOUL)
STALE = KO._("This button is no longer valid. Please start again from the menu.")


@pytest.fixture
async def bot(runtime):
    async with running_bot(runtime) as under_test:
        yield under_test


async def test_a_second_stale_press_on_the_same_message_is_refused_without_errors(bot):
    resident = bot.chat(5101, "민지", "ko")
    events = await resident.send("/grants")
    message_id = events[0].message_id
    assert events[0].reply_markup  # the list has buttons to go stale
    for _ in range(2):
        events = await resident.press_data(message_id, "nothing:serves:this")
        answers = [e for e in events if e.kind == "callback_answer"]
        assert [a.text for a in answers] == [STALE]
    message = next(
        m for m in bot.emu.messages(TOKEN, resident.chat_id) if m["message_id"] == message_id
    )
    assert not message.get("reply_markup")  # the first refusal removed the stale buttons
    assert [e for e in bot.emu.api_errors(TOKEN) if e.method != "getUpdates"] == []
    assert not bot.errors
