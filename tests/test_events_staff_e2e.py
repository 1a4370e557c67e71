"""A secretary runs a training course from Telegram only, in Korean: creates it, a
resident registers, the date moves (the resident is told), residents check in by the QR
poster's deep link, the attendance list, and the satisfaction report as a picture and an
xlsx in the secretary's language — per event and per year. Every step is in the audit log.
"""

from __future__ import annotations

import asyncio
import io
import os
from datetime import datetime, timedelta

import zxingcpp
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from bot.core import users
from bot.events import attendance as A
from models import Event
from models.audit import AuditLog
from models.events import Registration
from tests.conftest import SEOUL
from tests.e2e import TOKEN, buttons, texts
from tests.staff_helpers import add_class, draft_event, latest, make_staff, open_card, staff_events

SECRETARY = 6201  # staff of 새터동 (saeteo)
OUT = os.environ.get("MAEUL_TEST_OUT")  # set to keep the pictures and workbooks to look at


def sent(bot, chat_id: int, key: str) -> list[dict]:
    return [m for m in bot.emu.messages(TOKEN, chat_id) if key in m]


async def arrives(bot, chat_id: int, needle: str, timeout: float = 10.0) -> str:
    """The text of the first message in the chat containing ``needle`` (sent by the
    reminder dispatcher, which works on its own time)."""
    for _ in range(int(timeout / 0.1)):
        for message in bot.emu.messages(TOKEN, chat_id):
            if needle in (message.get("text") or ""):
                return message["text"]
        await asyncio.sleep(0.1)
    raise AssertionError([m.get("text") for m in bot.emu.messages(TOKEN, chat_id)])


async def sent_with(bot, chat_id: int, key: str, needle: str = "", timeout: float = 10.0) -> dict:
    """The newest message with ``key`` (photo, document) whose caption or file name has
    ``needle`` (a picture can be made and sent after the press's answer)."""
    for _ in range(int(timeout / 0.1)):
        for message in reversed(sent(bot, chat_id, key)):
            where = message.get("caption", "") + str(message.get("document", {}).get("file_name"))
            if needle in where:
                return message
        await asyncio.sleep(0.1)
    raise AssertionError(f"no {key} with {needle!r}")


def keep(name: str, data: bytes) -> None:
    if OUT:
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


async def the_event(bot) -> Event:
    async with bot.runtime.sessionmaker() as s:
        return (await s.execute(select(Event).where(Event.origin == "staff"))).scalar_one()


async def create_course(bot, secretary) -> Event:
    events = await draft_event(
        secretary, "🎓 교육", None, "퇴비 만들기 교육", "다음 주 화요일 19:00", "오후 9시",
        "새터 마을회관", "12",
    )  # fmt: skip
    assert "퇴비 만들기 교육" in latest(events).text
    events = await secretary.press("✅ 게시하기")
    assert any("게시" in text for text in texts(events))
    return await the_event(bot)


async def test_a_secretary_runs_a_training_course_from_telegram(bot):
    await make_staff(bot, SECRETARY, "saeteo")
    secretary = bot.chat(SECRETARY, "김주무관", "ko")
    resident = bot.chat(7001, "박민수", "ko")
    walk_in = bot.chat(7002, "이영희", "ko")
    event = await create_course(bot, secretary)
    tuesday = datetime(2026, 11, 24, 19, 0, tzinfo=SEOUL)
    assert event.starts_at.astimezone(SEOUL) == tuesday

    # a resident registers from the event's card
    await resident.send("/start")
    await open_card(resident, "20261124", event.id)
    events = await resident.press("✅ 신청하기")

    # the secretary's events, then this one
    events = await secretary.send("/staffevents")
    listing = latest(events)
    assert listing.text.startswith("담당 행사")
    assert any("퇴비 만들기 교육" in b for b in buttons(listing))
    events = await secretary.press("퇴비 만들기 교육")
    screen = latest(events)
    assert "신청·대기 1명" in screen.text and "새터 마을회관" in screen.text
    for label in ("✏️ 수정", "🕒 일정 변경", "📷 출석 QR", "👥 출석 현황", "❌ 취소", "📊 보고서"):
        assert label in buttons(screen)

    # edit field by field: the place, then save
    events = await secretary.press("✏️ 수정")
    assert "행사 수정" in latest(events).text
    await secretary.press("✏️ 장소")
    events = await secretary.send("새터 마을회관 2층 강당")
    preview = latest(events)
    assert "새터 마을회관 2층 강당" in preview.text and "(바뀜)" in preview.text
    events = await secretary.press("💾 저장")
    assert "저장했어요" in latest(events).text or "저장" in latest(events).text

    # move the date: Thursday, same length; the registrant is told
    await secretary.press("◀ 행사로 돌아가기")
    await secretary.press("🕒 일정 변경")
    events = await secretary.send("다음 주 목요일 19:00")
    confirm = latest(events)
    assert "신청한 1명에게 알려요." in confirm.text
    thursday = datetime(2026, 11, 26, 19, 0, tzinfo=SEOUL)
    events = await secretary.press("✅ 일정 변경하기")
    assert latest(events).text.startswith("일정을 옮겼어요")
    notice = await arrives(bot, resident.chat_id, "행사 일정이 바뀌었어요")
    assert "11월 26일" in notice
    async with bot.runtime.sessionmaker() as s:
        registration = (await s.execute(select(Registration))).scalar_one()
        assert registration.starts_at.astimezone(SEOUL) == thursday

    # the evening of the course: the QR poster, scanned by the registrant and a walk-in
    bot.runtime.clock.set(thursday - timedelta(minutes=30))
    await secretary.press("◀ 행사로 돌아가기")
    events = await secretary.press("📷 출석 QR")
    photos = [await sent_with(bot, secretary.chat_id, "photo", "출석 코드")]
    poster = bot.emu.file_bytes(TOKEN, photos[-1]["photo"][-1]["file_id"])
    keep("checkin-poster.png", poster)
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(poster)))]
    assert len(decoded) == 1 and decoded[0].startswith("https://t.me/maeul_test_bot?start=checkin_")
    payload = decoded[0].split("?start=", 1)[1]
    assert "출석 확인은 시작 1시간 전부터" in photos[-1]["caption"]
    events = await resident.send(f"/start {payload}")
    assert texts(events) == ["✅ 출석 확인: “퇴비 만들기 교육”. 어서 오세요!"]
    events = await walk_in.send(f"/start {payload}")
    assert texts(events)[0].startswith("✅ 출석 확인")

    # the attendance list
    events = await secretary.press("👥 출석 현황")
    roll = latest(events)
    assert "출석: 2명 중 2명" in roll.text
    assert any("박민수" in b and b.startswith("✅") for b in buttons(roll))
    assert any("이영희" in b and "(현장 참석)" in b for b in buttons(roll))

    # the next day both rate it (the survey itself is tested with /survey's own tests)
    bot.runtime.clock.set(thursday + timedelta(days=1, hours=-9))
    async with bot.runtime.sessionmaker() as s, s.begin():
        for telegram_id, rating in ((7001, 5), (7002, 4)):
            user = await users.get_user(s, telegram_id)
            token = await A._invitation(s, user, event.id, thursday, bot.runtime.clock.now())
            assert await A.rate(s, user, token, rating) == "ok"

    # the event's report: picture and xlsx, in Korean
    events = await secretary.press("📊 보고서")
    assert not bot.errors, bot.errors
    chart = await sent_with(bot, secretary.chat_id, "photo", "실인원")
    assert "실인원 2명, 연인원 2명" in chart["caption"] and "만족도 4.5점" in chart["caption"]
    keep("report-event.png", bot.emu.file_bytes(TOKEN, chart["photo"][-1]["file_id"]))
    document = await sent_with(bot, secretary.chat_id, "document", ".xlsx")
    assert document["document"]["file_name"].endswith(".xlsx")
    data = bot.emu.file_bytes(TOKEN, document["document"]["file_id"])
    keep("report-event.xlsx", data)
    sheet = load_workbook(io.BytesIO(data)).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["구분", "행사 ID", "행사명"] and "실인원" in header and "연인원" in header
    assert "unique_people" not in [c.value for c in sheet[2]]  # no English key row
    course = [c.value for c in sheet[sheet.max_row]]
    assert course[0] == "과정 합계" and course[2] == "퇴비 만들기 교육"
    assert course[header.index("실인원")] == 2 and course[header.index("연인원")] == 2
    assert course[header.index("만족도 (1~5)")] == 4.5

    # the year's report from the list
    events = await staff_events(secretary, "📊 2026년 보고서")
    year_chart = await sent_with(bot, secretary.chat_id, "photo", "(2026)")
    assert "(2026)" in year_chart["caption"] and "퇴비 만들기 교육" in year_chart["caption"]
    keep("report-2026.png", bot.emu.file_bytes(TOKEN, year_chart["photo"][-1]["file_id"]))
    year_book = await sent_with(bot, secretary.chat_id, "document", "report-2026")
    keep("report-2026.xlsx", bot.emu.file_bytes(TOKEN, year_book["document"]["file_id"]))

    # everything the secretary did is in the audit log, under their name
    async with bot.runtime.sessionmaker() as s:
        actions = (
            await s.scalars(select(AuditLog.action).where(AuditLog.actor_telegram_id == SECRETARY))
        ).all()
    for action in ("event.create", "event.edit", "event.move", "event.checkin_qr",
                   "event.attendance.view", "event.report"):  # fmt: skip
        assert action in actions, actions


async def test_cancel_one_date_of_a_series_and_then_all(bot):
    await make_staff(bot, SECRETARY, "saeteo")
    secretary = bot.chat(SECRETARY, "김주무관", "ko")
    await add_class(
        bot.runtime, "recorders-2026", "마을기록가 양성과정", datetime(2026, 12, 1, 19, 0, tzinfo=SEOUL),
        place={"ko": "새터 작은도서관"}, dong="saeteo", rrule="FREQ=WEEKLY;COUNT=4",
    )  # fmt: skip
    await staff_events(secretary, "마을기록가 양성과정")
    events = await secretary.press("❌ 취소")
    picker = latest(events)
    assert "어느 날짜를 취소할까요?" in picker.text and "모든 일정" in buttons(picker)
    events = await secretary.press("12월 8일")
    question = latest(events).text
    assert "일정을 취소할까요?" in question
    # nobody registered: said so, never "0명에게 알려요"
    assert question.endswith("\n아직 신청한 사람이 없어요.") and "0명" not in question
    events = await secretary.press("네, 취소할게요")
    assert latest(events).text == "취소됐어요."
    events = await secretary.press("◀ 행사로 돌아가기")
    assert latest(events).text.count("❌") == 1
    await secretary.press("❌ 취소")
    await secretary.press("모든 일정")
    events = await secretary.press("네, 취소할게요")
    async with bot.runtime.sessionmaker() as s:
        row = await s.get(Event, "recorders-2026")
        assert row.cancelled
        assert [c["status"] for c in row.changes] == ["cancelled"]
