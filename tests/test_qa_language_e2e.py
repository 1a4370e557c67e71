"""The language of an answer (handlers/qa/ask.py): a Korean or English question is answered
as asked, but Latin text that is no English sentence — "ok", a code, a lone word, a token
with digits — in the user's interface language (with that language's menu)."""

from __future__ import annotations

import pytest

from tests.e2e import texts

pytestmark = pytest.mark.usefixtures("warm_vectors")  # answers independent of timing


def menu_labels(event) -> list[str]:
    return [b["text"] for row in (event.reply_markup or {}).get("inline_keyboard", []) for b in row]


@pytest.mark.parametrize("typed", ["ok", "ZZZZ", "K7P2QX", "abc123"])
async def test_latin_text_that_is_no_sentence_gets_the_interface_language(bot, typed):
    chat = bot.chat()  # a Korean interface
    events = await chat.send(typed)
    reply = events[-1]
    assert "Sorry" not in reply.text and "Hanbit-gu" not in reply.text, reply.text
    assert any("\uac00" <= ch <= "\ud7a3" for ch in reply.text), reply.text
    labels = menu_labels(reply)
    assert all(not label.isascii() for label in labels), labels


async def test_an_english_question_from_a_korean_interface_is_answered_in_english(bot):
    chat = bot.chat()
    events = await chat.send("How much money can we get from the alley grant?")
    assert "₩5,000,000" in texts(events)[-1]
    events = await chat.send("where is the office?")
    assert not any("\uac00" <= ch <= "\ud7a3" for ch in texts(events)[-1]), texts(events)[-1]
