"""Issue 9 §4: an event card says its capacity once ("25 of 25 places left"), not also
"25 places" beside it, in Korean and English."""

from __future__ import annotations

import pytest


async def open_card(chat, day: str, event_id: str):
    message_id = chat.last_message_with_buttons()["message_id"]
    events = await chat.press_data(message_id, f"events:occ:{event_id}@{day}")
    return next(e for e in events if e.kind in ("message", "edit")).text


@pytest.mark.parametrize(
    ("lang", "seats", "capacity"),
    [("ko", "정원 25명 중 25자리 남음", "25명"), ("en", "25 of 25 places left", "25 place")],
)
async def test_the_capacity_is_said_once(bot, lang, seats, capacity):
    chat = bot.chat(8301, "Tom", lang)
    await chat.send("/start")
    card = await open_card(chat, "20270209", "secretary-training")  # capacity 25
    (registration,) = [line for line in card.split("\n") if seats in line]
    assert registration.count(capacity) == 1, registration
