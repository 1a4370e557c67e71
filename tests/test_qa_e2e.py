"""Free-text questions end to end through the emulator (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from models import UnansweredQuestion
from tests.conftest import SEOUL
from tests.e2e import buttons

pytestmark = pytest.mark.usefixtures("warm_vectors")  # answers independent of timing


def data_of(event) -> list[str]:
    rows = (event.reply_markup or {}).get("inline_keyboard") or []
    return [b["callback_data"] for row in rows for b in row]


BOT_NOW = datetime(2027, 1, 25, 10, 0, tzinfo=SEOUL)  # the clock when `bot` starts


async def test_a_resident_asks_in_korean_and_in_english(bot):
    chat = bot.chat()
    events = await chat.send("이웃만들기 신청 언제까지예요?")
    assert len(events) == 1
    reply = events[0]
    assert "이웃만들기 지원사업" in reply.text and "2027년 2월 12일 (금)" in reply.text
    assert "D-18" in reply.text
    markup = reply.reply_markup["inline_keyboard"]
    assert markup[0][0]["callback_data"] == "grants:show:neighbour-making"

    english = bot.chat(6001, "Tom", "en")
    events = await english.send("Where is the secretaries training next week?")
    assert "Training room, 2F Hanbit Village Platform" in events[0].text
    events = await english.send("How much money can we get from the alley grant?")
    assert "₩5,000,000" in events[0].text
    # a Korean question from the English user is answered in Korean
    events = await english.send("골목만들기 서류 뭐 내요?")
    assert "골목 현황 사진" in events[0].text


async def test_markup_in_questions_is_escaped_and_filters_list_buttons(bot):
    chat = bot.chat()
    events = await chat.send("천만 원 넘게 주는 사업 <b>있어요?</b>")
    text = events[0].text
    assert "동네발전소 지원사업" in text and "9,000만 원" in text
    assert len(buttons(events[0])) == 3


async def test_unsure_question_gets_three_buttons_that_open_cards(bot):
    chat = bot.chat()
    events = await chat.send("만들기 사업 마감")
    reply = events[0]
    labels = buttons(reply)
    assert len(labels) == 3
    assert {"이웃만들기 지원사업", "골목만들기 지원사업"} <= set(labels)
    data = [row[0]["callback_data"] for row in reply.reply_markup["inline_keyboard"]]
    assert all(d.startswith("grants:show:") for d in data)
    events = await chat.press("골목만들기 지원사업")  # the browsing feature's card
    assert any("골목만들기" in (e.text or "") for e in events)


async def test_out_of_scope_gets_the_contact_and_is_logged(bot):
    chat = bot.chat()
    events = await chat.send("오늘 날씨 어때요?")
    assert "02-555-0140" in events[0].text and "maeul@hanbit.example.org" in events[0].text
    assert all(d.startswith("menu:") for d in data_of(events[0]))  # the main menu
    await chat.send("안녕하세요")  # a greeting is answered, not logged
    async with bot.runtime.sessionmaker() as session:
        rows = (await session.execute(select(UnansweredQuestion))).scalars().all()
    assert [(r.text, r.language) for r in rows] == [("오늘 날씨 어때요?", "ko")]
    assert rows[0].asked_on == bot.runtime.clock.now().date()  # the day only (issue 9)


async def test_conversations_and_long_texts_keep_their_handlers(bot):
    chat = bot.chat()
    await chat.send("/mydong")
    events = await chat.send("새터동")  # typed inside a conversation: not a question
    assert any("새터동" in (e.text or "") and "설정할까요" in (e.text or "") for e in events)
    await chat.send("/cancel")
    events = await chat.send("가" * 1500)
    assert "1,000" in events[0].text  # the fallback's length refusal


async def test_the_centres_phone_number_comes_from_the_region_and_is_not_logged(bot):
    chat = bot.chat()
    await chat.send("오늘 날씨 어때요?")  # logged: the check below can see the log
    events = await chat.send("센터 전화번호 뭐예요")
    text = events[0].text
    assert "한빛구 마을자치센터" in text and "02-555-0140" in text
    assert "maeul@hanbit.example.org" in text and "운영위원회" not in text
    async with bot.runtime.sessionmaker() as session:
        rows = (await session.execute(select(UnansweredQuestion))).scalars().all()
    assert [r.text for r in rows] == ["오늘 날씨 어때요?"]


async def test_the_own_dong_answers_which_dongs_vote_and_our_dong(bot):
    chat = bot.chat()
    events = await chat.send("우리 동 온라인 투표 언제까지예요?")  # no dong set yet
    assert "/mydong 에서 우리 동을 정해 두시면" in events[-1].text
    events = await chat.send("온라인 투표는 언제까지예요?")
    assert events[0].text.startswith("어느 것을 말씀하시는지")  # each dong has its vote
    await chat.send("/mydong")
    await chat.send("새터동")
    await chat.press("네, 저장")
    events = await chat.send("온라인 투표는 언제까지예요?")
    assert "새터동" in events[0].text and "한빛1동" not in events[0].text, events[0].text
    assert not events[0].text.startswith("어느 것을")
    events = await chat.send("우리 동 온라인 투표 언제까지예요?")
    assert "새터동" in events[0].text and "/mydong" not in events[0].text
