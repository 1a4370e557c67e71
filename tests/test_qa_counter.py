"""Questions answered and not answered are counted per day and home dong (no text, no
user) in the answer's transaction, and /stats reports them with the share answered
(both databases)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import pytest
from sqlalchemy import select

from bot.core import users
from bot.core.i18n import Translator
from bot.qa import count_question
from bot.stats import report
from bot.stats.service import Period, compute
from models import QuestionCount, UnansweredQuestion
from tests.conftest import SEOUL

RESIDENT = 6301
NO_DONG = 6302
TODAY = Period(date(2027, 1, 25), date(2027, 1, 25))


pytestmark = pytest.mark.usefixtures("warm_vectors")  # answers independent of timing
BOT_NOW = datetime(2027, 1, 25, 10, 0, tzinfo=SEOUL)  # the clock when `bot` starts


async def test_questions_asked_in_the_chat_are_counted_and_reported(bot):
    resident = bot.chat(RESIDENT, "민수", "ko")
    await resident.send("/start")
    async with bot.runtime.sessionmaker() as s, s.begin():
        user = await users.get_user(s, RESIDENT)
        await users.set_home_dong(s, user, "hanbit1")
    events = await resident.send("이웃만들기 신청 언제까지예요?")
    assert "이웃만들기 지원사업" in events[0].text  # answered
    events = await resident.send("센터 전화번호 뭐예요")
    assert "02-555-0140" in events[0].text  # answered (the centre's contact)
    await resident.send("오늘 날씨 어때요?")  # not answered
    await resident.send("고마워요")  # thanks: not a question
    other = bot.chat(NO_DONG, "Alex", "en")
    await other.send("/start")
    await other.send("오늘 날씨 어때요?")  # not answered, no home dong

    async with bot.runtime.sessionmaker() as s:
        rows = (await s.execute(select(QuestionCount).order_by(QuestionCount.dong_id))).scalars()
        counted = [(r.day, r.dong_id, r.answered, r.unanswered) for r in rows]
        dong = await compute(s, TODAY, "hanbit1", SEOUL)
        district = await compute(s, TODAY, None, SEOUL)
        other_dong = await compute(s, TODAY, "hanbit2", SEOUL)
        before = await compute(s, Period(date(2027, 1, 1), date(2027, 1, 24)), None, SEOUL)
    assert counted == [(date(2027, 1, 25), "", 0, 1), (date(2027, 1, 25), "hanbit1", 2, 1)]
    # the counter holds no text and no person: only these columns
    assert set(QuestionCount.__table__.c.keys()) == {"day", "dong_id", "answered", "unanswered"}
    assert (dong.questions_answered, dong.questions_unanswered) == (2, 1)
    assert dong.answered_share == pytest.approx(200 / 3)
    assert (district.questions_answered, district.questions_unanswered) == (2, 2)
    assert district.answered_share == pytest.approx(50.0)
    assert (other_dong.questions_answered, other_dong.questions_unanswered) == (0, 0)
    assert other_dong.answered_share is None
    assert (before.questions_answered, before.questions_unanswered) == (0, 0)

    ko = Translator("ko", SEOUL)
    summary = dict(report.summary_rows(dong, ko))
    assert summary["답한 질문"] == 2
    assert summary["답하지 못한 질문"] == 1
    assert summary["답한 질문 비율(%)"] == 66.7
    assert dict(report.summary_rows(other_dong, ko))["답한 질문 비율(%)"] == "—"


async def test_staff_see_the_numbers_in_stats(bot):
    resident = bot.chat(RESIDENT, "민수", "ko")
    await resident.send("이웃만들기 신청 언제까지예요?")
    await resident.send("오늘 날씨 어때요?")
    await resident.send("오늘 날씨 어때요?")
    admin = bot.chat(900, "관리자", "ko")  # settings.admin_ids
    events = await admin.send("/stats 2027.1.25 2027.1.25")
    text = " ".join(e.text or "" for e in events)
    if "답한 질문" not in text:  # admins choose the dong (or the district) first
        events = await admin.press("구 전체")
        text = " ".join(e.text or "" for e in events)
    assert "• 답한 질문: 1" in text
    assert "• 답하지 못한 질문: 2" in text
    assert "• 답한 질문 비율(%): 33.3" in text
    assert "기록하지 않음" not in text


async def test_choices_found_by_the_kbs_words_alone_are_offered_and_logged(bot):
    # a description that matches no record on all its words: the bot offers the records the
    # words it knows point to ("is it one of these?") and still logs the question for staff
    described = "할머니들 몇 분이랑 골목 담벼락에 그림 그리고 꽃도 심어서 예쁘게 꾸미려고 하는데 돈 나오나요"
    resident = bot.chat(RESIDENT, "민수", "ko")
    events = await resident.send(described)
    assert "골목만들기" in " ".join(e.text or "" for e in events)
    async with bot.runtime.sessionmaker() as s:
        logged = (await s.execute(select(UnansweredQuestion.text))).scalars().all()
        row = (await s.execute(select(QuestionCount))).scalar_one()
    assert logged == [described]
    assert (row.answered, row.unanswered) == (0, 1)


async def test_concurrent_counts_of_one_day_and_dong_all_land(runtime):
    day = date(2027, 3, 1)

    async def one(answered: bool) -> None:
        async with runtime.sessionmaker() as s, s.begin():
            await count_question(s, day, "hanbit1", answered=answered)

    await asyncio.gather(*(one(n % 3 != 0) for n in range(9)))
    await one(True)
    async with runtime.sessionmaker() as s:
        row = (await s.execute(select(QuestionCount))).scalar_one()
    assert (row.day, row.dong_id, row.answered, row.unanswered) == (day, "hanbit1", 7, 3)
