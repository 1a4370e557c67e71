"""Staff attendance stays honest: a name cannot be marked present before the date's
check-in window opens, nor on a cancelled date; the report counts only dates that were
held; and a date people already checked in for is not moved away from their attendance."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.core import users
from bot.events import attendance as A
from bot.events import registrations as R
from models import Event
from models.events import Registration
from tests.conftest import SEOUL
from tests.e2e import TOKEN, ChatDriver, sent_sheet
from tests.staff_helpers import add_class, alert, latest, make_staff, staff_events

SECRETARY = 6401
START = datetime(2026, 12, 21, 18, 0, tzinfo=SEOUL)


async def garden_meeting(bot, *resident_ids: int) -> ChatDriver:
    """동네 텃밭 겨울 모임 (a meeting of 새터동) with ``resident_ids`` registered; returns the
    chat of 김주무관, made staff of 새터동 first."""
    await make_staff(bot, SECRETARY, "saeteo")
    await add_class(
        bot.runtime, "garden-2026", "동네 텃밭 겨울 모임", START, kind="meeting", dong="saeteo"
    )
    for telegram_id in resident_ids:  # they use the bot: its reminders reach them
        await bot.chat(telegram_id, f"주민{telegram_id}", "ko").send("/start")
    async with bot.runtime.sessionmaker() as s, s.begin():
        spec = await R.event_spec(s, "garden-2026", SEOUL)
        occurrence = next(iter(R.schedule.occurrences(spec, SEOUL, limit=1)))
        for telegram_id in resident_ids:
            chat = bot.chat(telegram_id, f"주민{telegram_id}", "ko")
            user = await users.touch_user(s, chat.user, bot.runtime.clock.utcnow())
            await R.register(s, user, spec, occurrence, bot.runtime.clock.now(), SEOUL)
    return bot.chat(SECRETARY, "김주무관", "ko")


async def attended(bot) -> list[bool]:
    async with bot.runtime.sessionmaker() as s:
        return [bool(r.attended) for r in (await s.scalars(select(Registration))).all()]


async def test_attendance_is_marked_only_from_the_check_in_window(bot):
    secretary = await garden_meeting(bot, 7401)
    await staff_events(secretary, "동네 텃밭 겨울 모임")
    await secretary.press("👥 출석 현황")
    events = await secretary.press("주민7401")
    said = alert(events)
    assert "출석은 2026년 12월 21일 (월) 오후 5:00부터 표시할 수 있어요" in said, said
    assert await attended(bot) == [False]

    bot.runtime.clock.set(START - timedelta(minutes=30))
    events = await secretary.press("주민7401")
    assert latest(events).text.count("출석: 1명 중 1명") == 1
    assert await attended(bot) == [True]
    events = await secretary.press("주민7401")  # unmarking is always possible
    assert await attended(bot) == [False]


async def test_a_cancelled_date_is_not_in_the_report(bot):
    secretary = await garden_meeting(bot, 7401)
    bot.runtime.clock.set(START - timedelta(minutes=30))
    await staff_events(secretary, "동네 텃밭 겨울 모임")
    await secretary.press("👥 출석 현황")
    await secretary.press("주민7401")
    assert await attended(bot) == [True]
    await secretary.press("◀ 행사로 돌아가기")
    await secretary.press("❌ 취소")
    await secretary.press("네, 취소할게요")

    bot.runtime.clock.set(START + timedelta(days=1))
    async with bot.runtime.sessionmaker() as s:
        rows = await A.report(s, SEOUL, year=2026, now=bot.runtime.clock.now())
    assert rows == []
    await staff_events(secretary, "📊 2026년 보고서")
    chart = [m for m in bot.emu.messages(TOKEN, secretary.chat_id) if "photo" in m][-1]
    assert "동네 텃밭" not in chart["caption"] and "아직 참여 기록이 없어요" in chart["caption"]


async def test_a_date_with_check_ins_is_not_moved(bot):
    secretary = await garden_meeting(bot, 7401)
    resident = bot.chat(7402, "이영희", "ko")
    bot.runtime.clock.set(START - timedelta(minutes=30))
    async with bot.runtime.sessionmaker() as s, s.begin():
        code = await A.checkin_code(s, "garden-2026", START, bot.runtime.clock.now())
    events = await resident.send(f"/checkin {code}")
    assert events[0].text.startswith("✅ 출석 확인")

    await staff_events(secretary, "동네 텃밭 겨울 모임")
    events = await secretary.press("🕒 일정 변경")
    said = alert(events)
    assert "이미 1명이 출석 확인했어요" in said, said
    async with bot.runtime.sessionmaker() as s:
        row = await s.get(Event, "garden-2026")
        assert row.starts_at.astimezone(SEOUL) == START and not row.changes

    # … and a check-in that comes after the move was started is caught at the confirmation
    # a check-in by mistake is unmarked first (what the refusal says to do) …
    await secretary.press("👥 출석 현황")
    await secretary.press("이영희")
    assert await attended(bot) == [False, False]
    resident2 = bot.chat(7403, "최철수", "ko")
    await secretary.press("◀ 행사로 돌아가기")
    events = await secretary.press("🕒 일정 변경")
    await secretary.send("내일 오후 7시")
    events = await resident2.send(f"/checkin {code}")
    assert events[0].text.startswith("✅ 출석 확인")
    events = await secretary.press("✅ 일정 변경하기")
    assert "이미 1명이 출석 확인했어요" in (alert(events) if any(
        e.kind == "callback_answer" and e.params.get("show_alert") for e in events
    ) else latest(events).text)  # fmt: skip
    async with bot.runtime.sessionmaker() as s:
        row = await s.get(Event, "garden-2026")
        assert row.starts_at.astimezone(SEOUL) == START and not row.changes

    # the report of the held date keeps everyone on its date
    bot.runtime.clock.set(START + timedelta(days=1))
    await staff_events(secretary, "📊 2026년 보고서")
    document = [m for m in bot.emu.messages(TOKEN, secretary.chat_id) if "document" in m][-1]
    sheet = sent_sheet(bot.emu, document["document"])
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = values[0]
    session = values[1]
    assert session[header.index("종류")] == "모임"
    assert session[header.index("일자")].date() == START.date()
    assert session[header.index("신청")] == 1 and session[header.index("참석")] == 1


async def test_the_move_confirmation_is_two_sentences(bot):
    secretary = await garden_meeting(bot, 7401)
    await staff_events(secretary, "동네 텃밭 겨울 모임")
    await secretary.press("🕒 일정 변경")
    await secretary.send("12월 22일 오후 7시")
    events = await secretary.press("✅ 일정 변경하기")
    assert latest(events).text == (
        "일정을 옮겼어요: 2026년 12월 22일 (화) 오후 7:00 ~ 9:00. 신청한 1명에게 알려요."
    )
