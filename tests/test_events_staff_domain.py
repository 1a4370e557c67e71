"""The domain under the staff's event screens and ``maeul events edit`` (both databases):
the new editable fields and their refusals (nothing written, nothing audited), the notice
of a new place (one per person, in their language, dropped once the place changed again),
and every attendance mark audited."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.core.i18n import Translator
from bot.events import attendance as A
from bot.events import registrations as R
from bot.events import reminders as events_reminders
from bot.kb import schedule
from bot.reminders.registry import Drop, RenderContext
from models import AuditLog, Event, Registration, Reminder, User
from tests.conftest import SEOUL, TEST_NOW
from tests.staff_helpers import add_class

START = datetime(2027, 3, 2, 19, 0, tzinfo=SEOUL)  # a Tuesday


@pytest.fixture
async def world(runtime):
    await add_class(
        runtime, "series", ("마을기록가 과정", "Village recorders"), START, with_kb=True,
        dong="saeteo", capacity=1, rrule="FREQ=WEEKLY;COUNT=3",
    )  # fmt: skip
    async with runtime.sessionmaker() as s, s.begin():
        for tid in (8801, 8802):
            s.add(User(telegram_id=tid, first_name=f"u{tid}", created_at=TEST_NOW, active=True,
                       language="en" if tid == 8802 else "ko"))  # fmt: skip
    return runtime


async def person(runtime, tid: int) -> User:
    async with runtime.sessionmaker() as s:
        return (await s.execute(select(User).where(User.telegram_id == tid))).scalar_one()


async def register(runtime, tid: int, when: datetime) -> str:
    async with runtime.sessionmaker() as s, s.begin():
        spec = await R.event_spec(s, "series", SEOUL)
        occurrence = schedule.find_original(spec, when, SEOUL)
        user = await s.get(User, (await person(runtime, tid)).id)
        return (await R.register(s, user, spec, occurrence, runtime.clock.now(), SEOUL)).status


async def edit(runtime, values: dict) -> R.Reconciled:
    async with runtime.sessionmaker() as s, s.begin():
        return await R.edit_event(
            s, "series", values, actor="test", now=runtime.clock.now(), tz=SEOUL
        )


async def count(runtime, model, *where) -> int:
    async with runtime.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"kind": "party"}, "kind"),
        ({"dong": "atlantis"}, "dong"),
        ({"title_ko": ""}, "empty"),
        ({"capacity": 0}, "capacity"),
        ({"starts_at": "2027-01-01"}, "field"),
        ({"kind": "meeting", "title_ko": ""}, "empty"),  # a good value before a bad one
    ],
)
async def test_a_refused_edit_writes_nothing(world, values, code):
    async with world.sessionmaker() as s:
        with pytest.raises(R.EventChangeError) as refused:
            await R.edit_event(s, "series", values, actor="test", now=world.clock.now(), tz=SEOUL)
        assert refused.value.code == code
        await s.commit()  # as a handler's update commits after a refusal
    async with world.sessionmaker() as s:
        row = await s.get(Event, "series")
        assert (row.kind, row.dong_id, row.title["ko"], row.registration_capacity) == (
            "training", "saeteo", "마을기록가 과정", 1,
        )  # fmt: skip
    assert await count(world, AuditLog, AuditLog.action == "event.edit") == 0


async def test_kind_dong_registration_and_english_title(world):
    assert await register(world, 8801, START) == "registered"
    assert await register(world, 8802, START) == "waitlisted"
    found = await edit(
        world,
        {"kind": "meeting", "dong": "hanbit1", "registration_required": False,
         "title_en": "Recorders' circle"},
    )  # fmt: skip
    assert found.promoted == 1  # no registration any more: nobody waits
    async with world.sessionmaker() as s:
        spec = await R.event_spec(s, "series", SEOUL)
        audit = (
            await s.execute(select(AuditLog).where(AuditLog.action == "event.edit"))
        ).scalar_one()
    assert (spec.kind, spec.dong, spec.registration.required) == ("meeting", "hanbit1", False)
    assert R.capacity_of(spec) is None and spec.title.get("en") == "Recorders' circle"
    assert audit.details["old"]["dong"] == "saeteo" and audit.details["new"]["dong"] == "hanbit1"

    # district-wide, and a new Korean title alone drops the English one
    await edit(world, {"dong": None, "title_ko": "마을기록가 모임"})
    async with world.sessionmaker() as s:
        row = await s.get(Event, "series")
        assert row.dong_id is None and row.title == {"ko": "마을기록가 모임"}
        last = (
            await s.execute(select(AuditLog).order_by(AuditLog.id.desc()).limit(1))
        ).scalar_one()
    assert last.details["old"]["title_en"] == "Recorders' circle"
    assert last.details["new"]["title_en"] is None


async def render(runtime, row: Reminder, lang: str):
    async with runtime.sessionmaker() as s:
        ctx = RenderContext(session=s, now=runtime.clock.now(), tz=SEOUL, users={})
        return await events_reminders._notice(ctx, row, Translator(lang, SEOUL))


async def test_a_new_place_is_told_once_to_each_person(world):
    second = START + timedelta(days=7)
    assert await register(world, 8801, START) == "registered"
    assert await register(world, 8801, second) == "registered"  # two dates, one person
    assert await register(world, 8802, START) == "waitlisted"

    assert (await edit(world, {"place_en": "Room 2"})).told == 0  # a translation: nobody told
    found = await edit(world, {"place_ko": "2층 강당", "place_en": "Hall, 2nd floor"})
    assert found.told == 2
    async with world.sessionmaker() as s:
        notices = list(
            (await s.execute(select(Reminder).where(Reminder.kind == "notice"))).scalars()
        )
    assert sorted(n.chat_id for n in notices) == [8801, 8802]
    by_chat = {n.chat_id: n for n in notices}
    assert by_chat[8801].payload["type"] == "place"
    assert by_chat[8801].payload["starts_at"] == START.isoformat()  # their soonest date

    korean = await render(world, by_chat[8801], "ko")
    assert "장소가 바뀌었어요. 신청은 그대로예요." in korean.text
    assert "📍 <b>2층 강당</b>" in korean.text and "(원래 장소: 회의실)" in korean.text
    english = await render(world, by_chat[8802], "en")
    assert "The place has changed. You stay on the waitlist." in english.text
    assert "Hall, 2nd floor" in english.text and "(The place was Room 2.)" in english.text

    # changed again before it went out: the older notice is dropped, the newer one says it
    await edit(world, {"place_ko": "3층 강당"})
    with pytest.raises(Drop):
        await render(world, by_chat[8801], "ko")
    assert await count(world, Reminder, Reminder.kind == "notice") == 4


async def test_every_mark_is_audited(world):
    assert await register(world, 8801, START) == "registered"
    world.clock.set(START)
    async with world.sessionmaker() as s, s.begin():
        registration = (await s.execute(select(Registration))).scalar_one()
        occurrence = schedule.find_original(await R.event_spec(s, "series", SEOUL), START, SEOUL)
        await A.mark(s, registration, True, "staff:6201", world.clock.now(), occurrence=occurrence,
                     actor="tg:6201", actor_telegram_id=6201)  # fmt: skip
        await A.mark(s, registration, False, "staff:6201", world.clock.now(),
                     occurrence=occurrence)  # fmt: skip
    async with world.sessionmaker() as s:
        marks = list(
            (
                await s.execute(
                    select(AuditLog)
                    .where(AuditLog.action == "event.attendance.mark")
                    .order_by(AuditLog.id)
                )
            ).scalars()
        )
    assert [(m.actor, m.actor_telegram_id, m.details["attended"]) for m in marks] == [
        ("tg:6201", 6201, True),
        ("staff:6201", None, False),
    ]
    assert all(m.target_id == "series" for m in marks)


async def test_planning_again_in_one_state_adds_no_reminder(world):
    """The generation in an event reminder's key makes a new registration's rows new, and
    a second plan of the same registration (a retry, another instance) a duplicate."""
    from bot.events.reminder_rows import plan_event

    async def plan_again() -> int:
        async with world.sessionmaker() as s, s.begin():
            spec = await R.event_spec(s, "series", SEOUL)
            occurrence = schedule.find_original(spec, START, SEOUL)
            (registration,) = (await s.execute(select(Registration))).scalars()
            return await plan_event(s, registration, occurrence, world.clock.now())

    assert await register(world, 8801, START) == "registered"
    assert await plan_again() == 0
    async with world.sessionmaker() as s, s.begin():
        (registration,) = (await s.execute(select(Registration))).scalars()
        await R.cancel(s, registration, None, None, world.clock.now())
    assert await register(world, 8801, START) == "registered"
    assert await plan_again() == 0
    assert await count(world, Reminder, Reminder.kind == "event") == 4
    assert await count(world, Reminder, Reminder.status == "pending") == 2


async def test_a_date_with_attendance_is_not_moved_by_any_caller(world):
    """move_event itself refuses a date somebody is marked present for, and a whole event
    with such a date — whoever calls it — and writes nothing; the other dates still move."""
    from sqlalchemy import update

    assert await register(world, 8801, START) == "registered"
    async with world.sessionmaker() as s, s.begin():
        await s.execute(update(Registration).values(attended=True, attended_at=START))
    later = START + timedelta(weeks=5)
    for day in (START.date(), None):
        async with world.sessionmaker() as s:
            with pytest.raises(R.EventChangeError) as refused:
                await R.move_event(s, "series", to=later, day=day, actor="test",
                                   now=world.clock.now(), tz=SEOUL)  # fmt: skip
            assert refused.value.code == "attended"
            assert "1 person(s) are marked present" in str(refused.value)
            await s.commit()
    assert await count(world, AuditLog, AuditLog.action == "event.move") == 0
    async with world.sessionmaker() as s:
        assert (await s.get(Event, "series")).changes in (None, [])

    # the next week's date, nobody present: it moves
    async with world.sessionmaker() as s, s.begin():
        await R.move_event(s, "series", to=later, day=(START + timedelta(weeks=1)).date(),
                           actor="test", now=world.clock.now(), tz=SEOUL)  # fmt: skip
    assert await count(world, AuditLog, AuditLog.action == "event.move") == 1
