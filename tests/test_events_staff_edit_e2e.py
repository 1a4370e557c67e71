"""A secretary edits an event field by field from Telegram, in Korean — its kind, dong,
registration and English title as well as its place — with the CLI's rules and audit; a
new place reaches the registrant's chat by the dispatcher; nobody registered is said in
words, not "0명"; the attendance list arrives as an xlsx document with a row per person;
and forged buttons of residents and of another dong's staff change nothing.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.events import registrations as R
from models import Event, Registration
from models.audit import AuditLog
from tests.conftest import SEOUL
from tests.e2e import TOKEN, buttons, sent_sheet, texts
from tests.staff_helpers import add_class, alert, latest, make_staff, open_card, staff_events
from tests.test_events_staff_e2e import arrives, keep, sent_with

SECRETARY = 6211  # staff of 새터동 and 한빛1동
OTHER = 6311  # staff of 솔빛동 only
START = datetime(2026, 11, 24, 19, 0, tzinfo=SEOUL)
REFUSED = "이 행사를 여는 동의 담당자만 할 수 있어요."
STALE = "더 이상 쓸 수 없는 버튼이에요. 메뉴에서 다시 시작해 주세요."


async def course(bot, *, registration: bool = True) -> str:
    await add_class(
        bot.runtime, "compost-2026", ("퇴비 만들기 교육", "Composting class"), START,
        place={"ko": "새터 마을회관"}, dong="saeteo", capacity=12,
        registration_required=registration,
    )  # fmt: skip
    return "compost-2026"


async def row(bot, event_id: str) -> Event:
    async with bot.runtime.sessionmaker() as s:
        return await s.get(Event, event_id)


async def edits(bot) -> list[dict]:
    async with bot.runtime.sessionmaker() as s:
        found = await s.scalars(
            select(AuditLog)
            .where(AuditLog.action == "event.edit", AuditLog.actor_telegram_id == SECRETARY)
            .order_by(AuditLog.id)
        )
        return [entry.details for entry in found]


async def the_secretary(bot):
    """김주무관's chat, staff of 새터동 (the course's dong)."""
    await make_staff(bot, SECRETARY, "saeteo")
    return bot.chat(SECRETARY, "김주무관", "ko")


async def sign_up(chat, event_id: str, button: str = "✅ 신청하기") -> None:
    """``chat`` starts the bot and presses ``button`` on the card of the course's date."""
    await chat.send("/start")
    await open_card(chat, "20261124", event_id)
    await chat.press(button)


async def _checkin_code(bot, secretary) -> str:
    await staff_events(secretary, "퇴비 만들기 교육")
    await secretary.press("📷 출석 QR")
    poster = await sent_with(bot, secretary.chat_id, "photo", "출석 코드")
    return poster["caption"].split("출석 코드: ")[1].split()[0]


async def open_edit(secretary) -> str:
    await staff_events(secretary, "퇴비 만들기 교육")
    events = await secretary.press("✏️ 수정")
    return latest(events).text


async def test_the_kind_dong_registration_and_english_title_field_by_field(bot):
    event_id = await course(bot)
    await make_staff(bot, SECRETARY, "saeteo")
    await make_staff(bot, SECRETARY, "hanbit1")
    secretary = bot.chat(SECRETARY, "김주무관", "ko")

    preview = await open_edit(secretary)
    for line in ("제목: 퇴비 만들기 교육", "영어 제목: Composting class", "종류: 🎓 교육",
                 "동: 새터동", "장소: 새터 마을회관", "신청: 필요", "정원: 12명"):  # fmt: skip
        assert line in preview, preview

    # the kind: a choice, the current one marked
    events = await secretary.press("✏️ 종류")
    question = latest(events)
    assert question.text == "어떤 종류의 행사인가요?"
    assert "✓ 🎓 교육" in buttons(question)
    events = await secretary.press("🤝 모임")
    assert "종류: 🤝 모임 ✏️ (바뀜)" in latest(events).text

    # the dong: only the two dongs this secretary manages (not district-wide)
    events = await secretary.press("✏️ 동")
    choice = latest(events)
    assert choice.text == "어느 동의 행사인가요?"
    assert set(buttons(choice)) == {"✓ 새터동", "한빛1동", "취소"}
    events = await secretary.press("한빛1동")
    assert "동: 한빛1동 ✏️ (바뀜)" in latest(events).text

    # registration off: the seats line and button go
    events = await secretary.press("📝 신청 받기 켜기/끄기")
    preview = latest(events)
    assert "신청: 필요 없음(누구나 참여) ✏️ (바뀜)" in preview.text
    assert "정원" not in preview.text and "✏️ 정원" not in buttons(preview)

    # the English title, typed
    await secretary.press("✏️ 영어 제목")
    events = await secretary.send("Home composting workshop")
    assert "영어 제목: Home composting workshop ✏️ (바뀜)" in latest(events).text

    events = await secretary.press("💾 저장")
    assert latest(events).text == "저장했어요."
    saved = await row(bot, event_id)
    assert saved.kind == "meeting" and saved.dong_id == "hanbit1"
    assert saved.registration_required is False
    assert saved.title == {"ko": "퇴비 만들기 교육", "en": "Home composting workshop"}
    (details,) = await edits(bot)
    assert details["old"] == {
        "kind": "training",
        "dong": "saeteo",
        "registration_required": True,
        "title_en": "Composting class",
    }
    assert details["new"] == {
        "kind": "meeting",
        "dong": "hanbit1",
        "registration_required": False,
        "title_en": "Home composting workshop",
    }

    # the event's screen shows it as it now is
    events = await secretary.press("◀ 행사로 돌아가기")
    screen = latest(events).text
    assert "🤝 모임 · 한빛1동" in screen and "신청 없이 참여" in screen

    # a new Korean title without an English one: the English goes (it said the old title)
    preview = await open_edit(secretary)
    await secretary.press("✏️ 제목")
    events = await secretary.send("우리 집 퇴비 만들기")
    preview = latest(events).text
    assert "제목: 우리 집 퇴비 만들기 ✏️ (바뀜)" in preview
    assert "영어 제목: 없음 ✏️ (바뀜)" in preview
    await secretary.press("💾 저장")
    assert (await row(bot, event_id)).title == {"ko": "우리 집 퇴비 만들기"}
    assert not bot.errors


async def test_a_new_place_reaches_the_registrant(bot):
    event_id = await course(bot)
    secretary = await the_secretary(bot)
    resident = bot.chat(7211, "박민수", "ko")
    await sign_up(resident, event_id)

    await open_edit(secretary)
    await secretary.press("✏️ 장소")
    events = await secretary.send("새터 마을회관 2층 강당")
    preview = latest(events).text
    assert "장소: 새터 마을회관 2층 강당 ✏️ (바뀜)" in preview
    assert "신청한 1명에게 새 장소를 알려요." in preview
    events = await secretary.press("💾 저장")
    assert latest(events).text == "저장했어요. 신청한 1명에게 새 장소를 알려요."

    notice = await arrives(bot, resident.chat_id, "장소가 바뀌었어요")
    assert "장소가 바뀌었어요. 신청은 그대로예요." in notice
    assert "📍 새터 마을회관 2층 강당" in notice
    assert "(원래 장소: 새터 마을회관)" in notice
    assert "11월 24일" in notice
    (details,) = await edits(bot)
    assert details == {
        "old": {"place_ko": "새터 마을회관"},
        "new": {"place_ko": "새터 마을회관 2층 강당"},
    }


async def test_nobody_registered_is_said_in_words(bot):
    await course(bot)
    secretary = await the_secretary(bot)
    events = await staff_events(secretary, "퇴비 만들기 교육")
    screen = latest(events).text
    assert "아직 신청한 사람이 없어요." in screen and "0명" not in screen

    # a new place with nobody to tell: no notice line
    await secretary.press("✏️ 수정")
    await secretary.press("✏️ 장소")
    events = await secretary.send("새터 작은도서관")
    assert "알려요" not in latest(events).text
    events = await secretary.press("💾 저장")
    assert latest(events).text == "저장했어요."

    # moving it: the confirmation says nobody registered; the result says nothing of people
    await secretary.press("◀ 행사로 돌아가기")
    await secretary.press("🕒 일정 변경")
    events = await secretary.send("다음 주 목요일 19:00")
    confirm = latest(events).text
    assert confirm.endswith("\n아직 신청한 사람이 없어요.") and "0명" not in confirm
    events = await secretary.press("✅ 일정 변경하기")
    done = latest(events).text
    assert done.startswith("일정을 옮겼어요") and "명" not in done

    # the attendance screen of a date nobody registered for
    await secretary.press("◀ 행사로 돌아가기")
    events = await secretary.press("👥 출석 현황")
    roll = latest(events).text
    assert "아직 신청한 사람이 없어요." in roll and "0명 중" not in roll

    # and in English
    await make_staff(bot, SECRETARY + 1, "saeteo")
    english = bot.chat(SECRETARY + 1, "Kim", "en")
    events = await staff_events(english, "Composting class")
    assert "Nobody has registered yet." in latest(events).text


async def test_the_attendance_list_as_xlsx(bot):
    event_id = await course(bot)
    secretary = await the_secretary(bot)
    registrant = bot.chat(7221, "박민수", "ko", username="minsu")
    absent = bot.chat(7222, "최지우", "ko")
    walk_in = bot.chat(7223, "이영희", "ko")
    for chat in (registrant, absent):
        await sign_up(chat, event_id)

    # the evening: the walk-in checks in by the code; the secretary marks the registrant
    bot.runtime.clock.set(START - timedelta(minutes=20))
    code = await _checkin_code(bot, secretary)
    events = await walk_in.send(f"/checkin {code}")
    assert texts(events)[0].startswith("✅ 출석 확인")
    events = await secretary.press("👥 출석 현황")
    roll = latest(events)
    assert "출석: 3명 중 1명" in roll.text
    assert "📄 출석부 엑셀(xlsx)" in buttons(roll)
    events = await secretary.press("박민수")
    assert "출석: 3명 중 2명" in latest(events).text

    events = await secretary.press("📄 출석부 엑셀(xlsx)")
    document = await sent_with(bot, secretary.chat_id, "document", ".xlsx")
    assert document["document"]["file_name"] == "attendance-compost-2026-20261124.xlsx"
    assert "출석부: 3명 중 2명 참석" in document["caption"]
    data = bot.emu.file_bytes(TOKEN, document["document"]["file_id"])
    keep("attendance.xlsx", data)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "출석부"
    assert sheet["A1"].value == "퇴비 만들기 교육"
    assert sheet["A2"].value == "2026년 11월 24일 (화) 오후 7:00 ~ 9:00"
    assert sheet["A3"].value == "출석: 3명 중 2명"
    header = [c.value for c in sheet[5]]
    assert header == ["번호", "이름", "텔레그램 사용자명", "신청 상태", "참석", "확인한 사람",
                      "확인 시각"]  # fmt: skip
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=6)]
    assert [r[:6] for r in rows] == [
        [1, "박민수", "@minsu", "신청함", "참석", "김주무관"],
        [2, "최지우", None, "신청함", "불참", None],
        [3, "이영희", None, "현장 참석(신청 안 함)", "참석", "출석 코드"],
    ]
    marked_at = (bot.runtime.clock.now()).astimezone(SEOUL).replace(tzinfo=None)
    assert abs(rows[0][6] - marked_at) < timedelta(minutes=2)
    assert rows[1][6] is None and isinstance(rows[2][6], datetime)

    async with bot.runtime.sessionmaker() as s:
        audited = (
            await s.scalars(
                select(AuditLog)
                .where(AuditLog.actor_telegram_id == SECRETARY)
                .order_by(AuditLog.id)
            )
        ).all()
    actions = [a.action for a in audited]
    assert "event.attendance.mark" in actions and "event.attendance.export" in actions
    mark = next(a for a in audited if a.action == "event.attendance.mark")
    assert mark.actor == f"tg:{SECRETARY}" and mark.details["attended"] is True
    export = next(a for a in audited if a.action == "event.attendance.export")
    assert export.target_id == event_id and export.details["people"] == 3


async def test_forged_edit_and_attendance_buttons_are_refused(bot):
    event_id = await course(bot)
    tok = R.occ_token(event_id, START)
    await make_staff(bot, SECRETARY, "saeteo")
    await make_staff(bot, OTHER, "solbit")
    resident = bot.chat(7231, "주민", "ko")
    other = bot.chat(OTHER, "솔빛동 담당자", "ko")
    await sign_up(resident, event_id)
    async with bot.runtime.sessionmaker() as s:
        registration_id = (await s.execute(select(Registration.id))).scalar_one()
    await other.send("/staffevents")
    for chat in (resident, other):
        for data in (f"sev:ax:{tok}", f"sev:ed:{event_id}", f"reg:code:{tok}",
                     f"reg:att:{tok}:0", f"sev:k:{registration_id}:0",
                     f"reg:mark:{registration_id}:0"):  # fmt: skip
            events = await chat.press("", forge_data=data)
            assert alert(events) == REFUSED, data
        # the steps inside an edit, without one of their own: the stale-button answer (which
        # takes the pressed message's buttons away: each press on a fresh message)
        for data in ("sev:kd:meeting", "sev:dg:solbit", "sev:reg", "sev:save:0123abcd"):
            await chat.send("/start")
            events = await chat.press("", forge_data=data)
            assert alert(events) == STALE, data

    # a secretary of 새터동 cannot give the event to a dong they do not manage, nor make it
    # district-wide, even with forged buttons inside their own edit
    secretary = bot.chat(SECRETARY, "김주무관", "ko")
    await open_edit(secretary)
    events = await secretary.press("✏️ 종류")  # a choice step, where dong buttons are read
    for data in ("sev:dg:solbit", "sev:dg:all", "sev:kd:party"):
        events = await secretary.press("", forge_data=data)
        assert alert(events) in (REFUSED, STALE), data

    saved = await row(bot, event_id)
    assert saved.kind == "training" and saved.dong_id == "saeteo"
    async with bot.runtime.sessionmaker() as s:
        assert not (await s.get(Registration, registration_id)).attended
    async with bot.runtime.sessionmaker() as s:
        audited = await s.scalar(
            select(func.count(AuditLog.id)).where(
                AuditLog.actor_telegram_id.in_([7231, OTHER]),
            )
        )
        assert audited == 0
        changed = await s.scalar(
            select(func.count(AuditLog.id)).where(AuditLog.action == "event.edit")
        )
        assert changed == 0
    for chat in (resident, other):  # no document reached them
        assert not [m for m in bot.emu.messages(TOKEN, chat.chat_id) if "document" in m]


async def test_the_staff_screen_of_an_event_without_sign_up_counts_no_reminder(bot):
    """A "🔔 알림 받기" of an event without sign-up is no registration: the staff screen
    does not count it as one."""
    event_id = await course(bot, registration=False)
    secretary = await the_secretary(bot)
    await sign_up(bot.chat(7231, "박민수", "ko"), event_id, "🔔 알림 받기")

    screen = latest(await staff_events(secretary, "퇴비 만들기 교육")).text
    assert "신청 없이 참여" in screen
    assert "신청·대기" not in screen and "1명" not in screen, screen
    # cancelling it: who asked for a reminder is told, and said to be that, not registrants
    confirm = latest(await secretary.press("❌ 취소")).text
    assert "알림을 신청한 1명에게 알려요." in confirm, confirm


async def test_an_event_without_sign_up_lists_only_who_checked_in(bot):
    """Without sign-up, "🔔 알림 받기" keeps a registration row only to hold the reminders:
    the attendance screen and its xlsx list who checked in, never a reminder as a sign-up."""
    event_id = await course(bot, registration=False)
    secretary = await the_secretary(bot)
    reminded = bot.chat(7241, "박민수", "ko")  # asks for a reminder, then comes
    only_reminded = bot.chat(7242, "최지우", "ko")  # asks for a reminder, does not come
    walk_in = bot.chat(7243, "이영희", "ko")
    for chat in (reminded, only_reminded):
        await sign_up(chat, event_id, "🔔 알림 받기")

    bot.runtime.clock.set(START - timedelta(minutes=20))
    code = await _checkin_code(bot, secretary)
    events = await secretary.press("👥 출석 현황")
    roll = latest(events)
    assert "아직 출석 확인한 사람이 없어요." in roll.text and "신청" not in roll.text
    assert not any(name in " ".join(buttons(roll)) for name in ("박민수", "최지우"))

    for chat in (reminded, walk_in):
        events = await chat.send(f"/checkin {code}")
        assert texts(events)[0].startswith("✅ 출석 확인")
    await secretary.press("◀ 행사로 돌아가기")
    events = await secretary.press("👥 출석 현황")
    roll = latest(events)
    assert "출석: 2명" in roll.text and "중" not in roll.text
    names = " ".join(buttons(roll))
    assert "박민수" in names and "이영희" in names and "최지우" not in names

    await secretary.press("📄 출석부 엑셀(xlsx)")
    document = await sent_with(bot, secretary.chat_id, "document", ".xlsx")
    assert "신청" not in document["caption"] and "2명" in document["caption"]
    sheet = sent_sheet(bot.emu, document["document"])
    assert sheet["A3"].value == "출석: 2명"
    rows = [[c.value for c in r][:5] for r in sheet.iter_rows(min_row=6)]
    assert rows == [
        [1, "박민수", None, "현장 참석(신청 안 함)", "참석"],
        [2, "이영희", None, "현장 참석(신청 안 함)", "참석"],
    ]
    assert not bot.errors


async def test_walk_ins_without_sign_ups_are_said(bot):
    """An event with sign-up that nobody signed up for, where one person walked in: the
    screen says so, not that nobody is there."""
    await course(bot)
    secretary = await the_secretary(bot)
    walk_in = bot.chat(7251, "이영희", "ko")
    bot.runtime.clock.set(START - timedelta(minutes=20))
    code = await _checkin_code(bot, secretary)
    await walk_in.send(f"/checkin {code}")
    events = await secretary.press("👥 출석 현황")
    roll = latest(events).text
    assert "아직 신청한 사람은 없고, 신청 없이 1명이 출석 확인했어요." in roll, roll
    assert not bot.errors
