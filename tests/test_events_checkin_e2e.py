"""/checkin end to end (SQLite and PostgreSQL): the code typed with the command, or typed
next after a bare /checkin; the Korean texts name an example code, not a placeholder."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.events import attendance
from models import Registration
from tests.conftest import SEOUL
from tests.e2e import TOKEN, running_bot, texts
from tests.staff_helpers import add_class

SMALL = datetime(2027, 1, 12, 19, 0, tzinfo=SEOUL)


@pytest.fixture
async def bot(runtime):
    async with running_bot(runtime) as under_test:
        await add_class(runtime, "small-class", ("작은 교실", "Small class"), SMALL, capacity=5)
        yield under_test
        assert under_test.emu.api_errors(TOKEN) == []
        assert not under_test.errors


async def code_of(bot) -> str:
    async with bot.runtime.sessionmaker() as s, s.begin():
        return await attendance.checkin_code(s, "small-class", SMALL, bot.runtime.clock.now())


async def test_an_unknown_code_is_refused_in_korean_with_an_example(bot):
    chat = bot.chat(8801)
    await chat.send("/start")
    events = await chat.send("/checkin 1234")
    [reply] = texts(events)
    assert reply.startswith("“1234”는 모르는 코드예요.")
    assert "/checkin K7P2QX" in reply and "CODE" not in reply
    events = await chat.send("/checkin bad")  # a word in small letters: read as the code
    assert texts(events)[0].startswith("“BAD”는 모르는 코드예요."), texts(events)


async def test_a_bare_checkin_takes_the_next_text_as_the_code(bot):
    code = await code_of(bot)
    bot.runtime.clock.set(SMALL - timedelta(minutes=10))
    chat = bot.chat(8802)
    await chat.send("/start")
    events = await chat.send("/checkin")
    assert "코드를 입력해 주세요" in texts(events)[-1] and "K7P2QX" in texts(events)[-1]
    # a typo: said so, in Korean, and asked again (not answered as a question)
    events = await chat.send("ZZZZ")
    [reply] = texts(events)
    assert reply.startswith("“ZZZZ”는 모르는 코드예요.") and "다시 입력해 주세요" in reply
    assert "Sorry" not in reply
    events = await chat.send(code.lower())
    assert texts(events) == ["✅ 출석 확인: “작은 교실”. 어서 오세요!"]
    async with bot.runtime.sessionmaker() as s:
        [walk_in] = (await s.execute(select(Registration))).scalars()
        assert walk_in.attended_at is not None
    # the conversation is over: the next text is a question again
    events = await chat.send("작은 교실 어디서 해요?")
    assert "모르는 코드" not in texts(events)[-1]


async def test_a_bare_checkin_can_be_cancelled(bot):
    chat = bot.chat(8803, "Tom", "en")
    await chat.send("/start")
    events = await chat.send("/checkin")
    assert "Type the code shown at the event" in texts(events)[-1]
    events = await chat.send("/cancel")
    assert texts(events) == ["Cancelled. Nothing was changed."]
