"""Registering for events end to end (both databases): cards with seats, the waitlist,
calendar files, moves and cancellations told to registrants, reminders that follow them,
check-in, the survey and reminder settings. Residents here use English (the messages are
translated centrally)."""

from __future__ import annotations

from datetime import datetime, timedelta

import icalendar
import pytest
from sqlalchemy import inspect, select

from bot.events import registrations as R
from models import Registration, Reminder, SurveyResponse, User
from tests.conftest import SEOUL
from tests.e2e import TOKEN, buttons, running_bot, texts
from tests.staff_helpers import add_class, open_card, reminders_off

TRAINING = datetime(2027, 2, 9, 14, 0, tzinfo=SEOUL)  # secretary-training, first session
SMALL = datetime(2027, 1, 12, 19, 0, tzinfo=SEOUL)


@pytest.fixture
async def bot(runtime):
    async with running_bot(runtime) as under_test:
        await add_class(
            runtime, "small-class", ("작은 교실", "Small class"), SMALL, capacity=1, survey=True
        )
        yield under_test
        assert under_test.emu.api_errors(TOKEN) == []
        assert not under_test.errors


def en(bot, user_id: int, name: str = "Tom"):
    return bot.chat(user_id, name, "en")


async def dispatch(bot) -> None:
    await bot.app.dispatcher.run_pass()


async def move(bot, event_id: str, start: datetime, to: datetime) -> None:
    """Staff move the session of ``event_id`` that starts at ``start`` to ``to``, as
    ``maeul events move`` does; the bot's knowledge cache learns of it."""
    now = bot.runtime.clock.now()
    async with bot.runtime.sessionmaker() as s, s.begin():
        await R.move_event(
            s, event_id, day=start.date(), to=to, actor="cli:staff", now=now, tz=SEOUL
        )
    bot.runtime.knowledge.invalidate()


def message(events):
    return next(e for e in events if e.kind in ("message", "edit"))


def alert(events) -> str:
    return next(e for e in events if e.kind == "callback_answer").text or ""


async def registered_for_training(bot, user_id: int):
    """An English-speaking resident registered for the 9 February secretary training."""
    chat = en(bot, user_id)
    await chat.send("/start")
    await open_card(chat, "20270209", "secretary-training")
    await chat.press("✅ Register")
    return chat


async def test_register_from_the_card_then_cancel(bot):
    chat = en(bot, 8101)
    await chat.send("/start")
    events = await open_card(chat, "20270209", "secretary-training")
    card = message(events)
    assert "25 of 25 places left" in card.text
    assert {"✅ Register", "🗓 Add to calendar"} <= set(buttons(card))
    events = await chat.press("✅ Register")
    assert "You are registered" in alert(events)
    edited = message(events)
    assert "✅ You are registered." in edited.text and "24 of 25 places left" in edited.text
    assert "❌ Cancel my registration" in buttons(edited)
    async with bot.runtime.sessionmaker() as s:
        planned = (await s.execute(select(Reminder).where(Reminder.kind == "event"))).scalars()
        assert sorted(r.due_at for r in planned) == [
            TRAINING - timedelta(days=1),
            TRAINING - timedelta(hours=1),
        ]
    events = await chat.press("❌ Cancel my registration")
    assert (
        "Cancel your registration for “Resident council secretaries' training”" in texts(events)[-1]
    )
    events = await chat.press("Yes, cancel it")
    assert "Cancelled: “Resident council secretaries' training”" in message(events).text
    async with bot.runtime.sessionmaker() as s:
        statuses = {r.status for r in (await s.execute(select(Reminder))).scalars()}
        assert statuses == {"cancelled"}
    # a stale press of the confirmation does nothing
    events = await chat.press_data(
        chat.last_message_with_buttons()["message_id"],
        "reg:outy:" + R.occ_token("secretary-training", TRAINING),
    )
    assert "not registered" in alert(events)


async def test_full_event_waitlist_and_promotion_with_a_message(bot):
    first, second = en(bot, 8201, "Ann"), en(bot, 8202, "Ben")
    await first.send("/start")
    await second.send("/start")
    await open_card(first, "20270112", "small-class")
    await first.press("✅ Register")
    events = await open_card(second, "20270112", "small-class")
    card = message(events)
    assert "Full" in card.text and "⏳ Join the waitlist" in buttons(card)
    events = await second.press("⏳ Join the waitlist")
    assert "number 1 on the waitlist" in alert(events)
    assert "⏳ You are on the waitlist (number 1)." in message(events).text

    await first.press("❌ Cancel my registration")
    since = bot.emu.last_seq(TOKEN)
    await first.press("Yes, cancel it")  # the commit wakes the dispatcher at once
    await dispatch(bot)
    told = bot.emu.events(TOKEN, chat_id=second.chat_id, since=since, kinds={"message"})
    assert len(told) == 1
    assert "A seat opened up: you are now registered." in told[0].text
    assert "Small class" in told[0].text
    async with bot.runtime.sessionmaker() as s:
        regs = {r.user_id: r.status for r in (await s.execute(select(Registration))).scalars()}
    assert sorted(regs.values()) == ["cancelled", "registered"]


async def test_registration_closes_before_the_start(bot):
    chat = en(bot, 8301)
    await chat.send("/start")
    bot.runtime.clock.set(TRAINING - timedelta(hours=47))
    events = await open_card(chat, "20270209", "secretary-training")
    card = message(events)
    assert "registration for this date has closed" in card.text
    assert "✅ Register" not in buttons(card)
    forged = "reg:in:" + R.occ_token("secretary-training", TRAINING)
    events = await chat.press("", forge_data=forged)
    assert alert(events) == "Registration for this date has closed."
    events = await chat.press("", forge_data="reg:in:nope.zzzz")
    assert alert(events) == "This event is no longer in the schedule."


async def test_add_to_calendar_and_my_calendar_file(bot):
    chat = await registered_for_training(bot, 8401)
    events = await chat.press("🗓 Add to calendar")
    document = next(e for e in events if e.kind == "message" and "document" in e.message)
    assert document.message["document"]["file_name"] == "secretary-training-20270209.ics"
    data = bot.emu.file_bytes(TOKEN, document.message["document"]["file_id"])
    assert b"TZID=Asia/Seoul:20270209T140000" in data and b"BEGIN:VTIMEZONE" in data
    (vevent,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert str(vevent["uid"]) == "secretary-training-20270209T050000Z@maeul"
    assert vevent.decoded("dtstart") == TRAINING
    assert str(vevent["summary"]) == "Resident council secretaries' training"

    # /calendar: everything registered for, moved and cancelled dates reflected
    await open_card(chat, "20270112", "small-class")
    await chat.press("✅ Register")
    await move(bot, "small-class", SMALL, SMALL + timedelta(days=1))
    async with bot.runtime.sessionmaker() as s, s.begin():
        await R.cancel_event(
            s,
            "secretary-training",
            day=TRAINING.date(),
            actor="t",
            now=bot.runtime.clock.now(),
            tz=SEOUL,
        )
    bot.runtime.knowledge.invalidate()
    events = await chat.send("/calendar")
    document = next(e for e in events if e.kind == "message" and "document" in e.message)
    cal = icalendar.Calendar.from_ical(
        bot.emu.file_bytes(TOKEN, document.message["document"]["file_id"])
    )
    entries = {str(v["uid"]): v for v in cal.walk("VEVENT")}
    moved = entries["small-class-20270112T100000Z@maeul"]  # same UID, new time
    assert moved.decoded("dtstart") == SMALL + timedelta(days=1)
    assert int(moved["sequence"]) == 1
    cancelled = entries["secretary-training-20270209T050000Z@maeul"]
    assert str(cancelled["status"]) == "CANCELLED"


async def test_a_moved_event_tells_registrants_and_only_new_reminders_fire(bot):
    chat = await registered_for_training(bot, 8501)
    new_start = TRAINING + timedelta(days=2)
    await move(bot, "secretary-training", TRAINING, new_start)
    since = bot.emu.last_seq(TOKEN)
    await dispatch(bot)
    (notice,) = bot.emu.events(TOKEN, chat_id=chat.chat_id, since=since, kinds={"message"})
    assert "This event has moved." in notice.text
    assert "Thu 11 Feb 2027, 2:00 PM" in notice.text and "(It was Tue 9 Feb 2027, 2:00 PM.)" in (
        notice.text
    )
    # the old times pass in silence
    for when in (TRAINING - timedelta(days=1), TRAINING - timedelta(hours=1)):
        bot.runtime.clock.set(when + timedelta(minutes=1))
        since = bot.emu.last_seq(TOKEN)
        await dispatch(bot)
        assert bot.emu.events(TOKEN, chat_id=chat.chat_id, since=since) == []
    # the new ones fire, once
    bot.runtime.clock.set(new_start - timedelta(days=1))
    since = bot.emu.last_seq(TOKEN)
    await dispatch(bot)
    await dispatch(bot)
    (reminder,) = bot.emu.events(TOKEN, chat_id=chat.chat_id, since=since, kinds={"message"})
    assert "Reminder: it starts in 24 hours." in reminder.text
    assert "Thu 11 Feb 2027, 2:00 PM" in reminder.text
    assert buttons(reminder) == ["📅 Event card", "Cancel my registration"]


async def test_after_a_restart_the_pointless_reminder_is_dropped(bot):
    chat = await registered_for_training(bot, 8601)
    # down from before the day-before reminder until 30 minutes before the start
    bot.runtime.clock.set(TRAINING - timedelta(minutes=30))
    since = bot.emu.last_seq(TOKEN)
    await dispatch(bot)
    (sent,) = bot.emu.events(TOKEN, chat_id=chat.chat_id, since=since, kinds={"message"})
    assert "Reminder: it starts in 30 minutes." in sent.text
    async with bot.runtime.sessionmaker() as s:
        rows = {r.payload["offset"]: r for r in (await s.execute(select(Reminder))).scalars()}
    assert rows[1440].status == "dropped" and rows[1440].last_error == "expired"
    assert rows[60].status == "sent"


async def test_checkin_code_staff_list_and_anonymous_survey(bot):
    staff = en(bot, 900, "Staff")  # ADMIN_IDS
    resident = en(bot, 8701, "Eun")
    await staff.send("/start")
    await resident.send("/start")
    await open_card(resident, "20270112", "small-class")
    await resident.press("✅ Register")

    # the card's staff buttons open the staff's screens (one attendance screen for staff)
    events = await open_card(staff, "20270112", "small-class")
    assert {"📷 Check-in QR", "👥 Attendance"} <= set(buttons(message(events)))
    events = await staff.press("📷 Check-in QR")
    (poster,) = [e for e in events if e.kind == "message" and e.message.get("photo")]
    caption = poster.message["caption"]
    code = caption.split("Check-in code: ")[1].split()[0]
    assert len(code) == 6
    # residents do not see the staff buttons, and a forged press is refused — the card's
    # older data too
    events = await open_card(resident, "20270112", "small-class")
    assert "📷 Check-in QR" not in buttons(message(events))
    token = R.occ_token("small-class", SMALL)
    for data in (f"reg:code:{token}", f"sev:q:{token}", f"reg:att:{token}:0"):
        events = await resident.press("", forge_data=data)
        assert alert(events) == "Only the staff of this event's dong can do that.", data

    events = await resident.send(f"/checkin {code}")
    assert "Check-in for “Small class” opens at" in events[0].text
    bot.runtime.clock.set(SMALL - timedelta(minutes=10))
    events = await resident.send(f"/start checkin_{code.lower()}")
    assert events[0].text == "✅ Checked in: “Small class”. Welcome!"
    events = await resident.send(f"/checkin {code}")
    assert "already checked in" in events[0].text
    events = await resident.send("/checkin ZZZZZZ")
    assert "I do not know the code “ZZZZZZ”" in events[0].text

    events = await staff.press("👥 Attendance")
    listing = message(events)
    assert "Present: 1 of 1" in listing.text and "✅ Eun" in buttons(listing)[0]

    # the next day at 10:00 the attendee is asked; the answer is stored without them
    bot.runtime.clock.set(datetime(2027, 1, 13, 10, 0, tzinfo=SEOUL))
    since = bot.emu.last_seq(TOKEN)
    await dispatch(bot)
    (survey,) = bot.emu.events(TOKEN, chat_id=resident.chat_id, since=since, kinds={"message"})
    assert "How was “Small class” on Tue 12 Jan?" in survey.text
    assert buttons(survey) == ["1", "2", "3", "4", "5"]
    events = await resident.press("4")
    assert "You gave 4 out of 5" in message(events).text
    events = await resident.press("💬 Add a comment")
    assert "Please type your comment" in texts(events)[-1]
    events = await resident.send("Very useful, thank you")
    assert events[0].text == "Thank you! Your comment was saved."
    again = survey.reply_markup["inline_keyboard"][0][4]["callback_data"]
    events = await resident.press_data(survey.message_id, again)
    assert "already answered" in alert(events)
    async with bot.runtime.sessionmaker() as s:
        (response,) = (await s.execute(select(SurveyResponse))).scalars()
        assert response.rating == 4
        columns = {c.key for c in inspect(SurveyResponse).columns}
    assert columns == {"id", "event_id", "occurrence_start", "rating"}  # no person, no time


async def test_reminder_times_per_kind(bot):
    chat = await registered_for_training(bot, 8801)
    events = await chat.send("/reminders")
    assert "🎓 Training: 1 day and 1 hour before" in buttons(events[0])
    await chat.press("🎓 Training")
    events = await chat.press("3 hours before")
    assert "🎓 Training: 3 hours before" in buttons(message(events))
    async with bot.runtime.sessionmaker() as s:
        rows = (await s.execute(select(Reminder).where(Reminder.kind == "event"))).scalars().all()
    pending = [r for r in rows if r.status == "pending"]
    assert [r.due_at for r in pending] == [TRAINING - timedelta(hours=3)]
    await chat.press("🎓 Training")
    await chat.press("No reminders")
    async with bot.runtime.sessionmaker() as s:
        rows = (await s.execute(select(Reminder).where(Reminder.status == "pending"))).scalars()
        assert list(rows) == []
        user = (await s.execute(select(User).where(User.telegram_id == 8801))).scalar_one()
        assert user.active


async def test_text_typed_on_the_reminders_screen_asks_for_the_buttons(bot):
    """/reminders waits for a press: typed text ("25:00", "30분 전") is not answered as a
    question; /cancel and Done close the screen, and then text is a question again."""
    chat = bot.chat(8802)  # a Korean interface
    await chat.send("/start")
    await chat.send("/reminders")
    events = await chat.send("25:00")
    assert texts(events) == ["위의 버튼으로 답해 주세요. 그만하려면 /cancel 을 입력하세요."]
    await chat.press("🎓 교육")
    events = await chat.send("30분 전")
    assert texts(events) == ["위의 버튼으로 답해 주세요. 그만하려면 /cancel 을 입력하세요."]
    events = await chat.press("3시간 전")
    assert "🎓 교육: 3시간 전" in buttons(message(events))
    events = await chat.send("/cancel")
    [closed] = texts(events)
    assert "바뀐 것은 없어요" not in closed  # the press above did change it
    assert "저장" in closed
    events = await chat.send("이웃만들기 신청 언제까지예요?")
    assert "이웃만들기 지원사업" in texts(events)[-1]
    # Done closes it too; an old screen's buttons still work
    await chat.send("/reminders")
    await chat.press("완료")
    events = await chat.send("이웃만들기 신청 언제까지예요?")
    assert "이웃만들기 지원사업" in texts(events)[-1]
    await chat.press("🎓 교육")
    events = await chat.press("2일 전과 1일 전")
    assert "🎓 교육: 2일 전과 1일 전" in buttons(message(events))


async def _event_rows(bot, chat_id: int) -> list[Reminder]:
    async with bot.runtime.sessionmaker() as s:
        user = (await s.execute(select(User).where(User.telegram_id == chat_id))).scalar_one()
        query = select(Reminder).where(Reminder.kind == "event", Reminder.user_id == user.id)
        return list((await s.execute(query.order_by(Reminder.id))).scalars())


async def _reminders_delivered(bot, chat, start: datetime) -> None:
    """The day-before and hour-before reminders each arrive once when due."""
    for when, text in (
        (start - timedelta(days=1), "it starts in 24 hours"),
        (start - timedelta(hours=1), "it starts in 60 minutes"),
    ):
        bot.runtime.clock.set(when)
        since = bot.emu.last_seq(TOKEN)
        await dispatch(bot)
        await dispatch(bot)
        (sent,) = bot.emu.events(TOKEN, chat_id=chat.chat_id, since=since, kinds={"message"})
        assert text in sent.text


async def test_registering_again_after_cancelling_plans_reminders_again(bot):
    # the same instant on the clock throughout: the new plan must not reuse the old keys
    chat = await registered_for_training(bot, 8901)
    await chat.press("❌ Cancel my registration")
    await chat.press("Yes, cancel it")
    assert {r.status for r in await _event_rows(bot, chat.chat_id)} == {"cancelled"}
    await open_card(chat, "20270209", "secretary-training")
    events = await chat.press("✅ Register")
    assert "You are registered" in alert(events)
    pending = [r for r in await _event_rows(bot, chat.chat_id) if r.status == "pending"]
    assert sorted(r.due_at for r in pending) == [
        TRAINING - timedelta(days=1),
        TRAINING - timedelta(hours=1),
    ]
    # a second cancel and registration works the same way
    await chat.press("❌ Cancel my registration")
    await chat.press("Yes, cancel it")
    await open_card(chat, "20270209", "secretary-training")
    await chat.press("✅ Register")
    rows = await _event_rows(bot, chat.chat_id)
    assert len(rows) == 6 and len({r.key for r in rows}) == 6
    assert sum(r.status == "pending" for r in rows) == 2
    await _reminders_delivered(bot, chat, TRAINING)


async def test_promoted_from_the_waitlist_after_cancelling_gets_reminders(bot):
    first, second = en(bot, 8911, "Ann"), en(bot, 8912, "Ben")
    await first.send("/start")
    await second.send("/start")
    await open_card(second, "20270112", "small-class")
    await second.press("✅ Register")  # Ben has the seat, cancels it …
    await second.press("❌ Cancel my registration")
    await second.press("Yes, cancel it")
    await open_card(first, "20270112", "small-class")
    await first.press("✅ Register")  # … Ann takes it, Ben waits for it again
    await open_card(second, "20270112", "small-class")
    events = await second.press("⏳ Join the waitlist")
    assert "number 1 on the waitlist" in alert(events)
    await first.press("❌ Cancel my registration")
    await first.press("Yes, cancel it")  # Ben is promoted
    pending = [r for r in await _event_rows(bot, second.chat_id) if r.status == "pending"]
    assert sorted(r.due_at for r in pending) == [
        SMALL - timedelta(days=1),
        SMALL - timedelta(hours=1),
    ]
    await dispatch(bot)  # the promotion notice
    await _reminders_delivered(bot, second, SMALL)


async def test_an_event_moved_back_to_its_first_time_has_reminders_again(bot):
    chat = await registered_for_training(bot, 8921)
    for day, to in ((TRAINING, TRAINING + timedelta(days=2)), (TRAINING, TRAINING)):
        await move(bot, "secretary-training", day, to)
        await dispatch(bot)
    pending = [r for r in await _event_rows(bot, chat.chat_id) if r.status == "pending"]
    assert sorted(r.due_at for r in pending) == [
        TRAINING - timedelta(days=1),
        TRAINING - timedelta(hours=1),
    ]
    await _reminders_delivered(bot, chat, TRAINING)


async def card_with_reminders_off(bot, user_id: int, kind: str, day: str, event_id: str):
    """A new English user who turned the reminders of ``kind`` (its button's label) off,
    on the card of ``event_id``'s occurrence on ``day``."""
    chat = en(bot, user_id)
    await chat.send("/start")
    await reminders_off(chat, kind)
    await open_card(chat, day, event_id)
    return chat


async def test_with_reminders_off_registering_promises_none(bot):
    chat = await card_with_reminders_off(
        bot, 8931, "🎓 Training: 1 day and 1 hour before", "20270209", "secretary-training"
    )
    events = await chat.press("✅ Register")
    assert alert(events) == (
        "You are registered. Reminders for 🎓 Training are off, so I will not remind you: "
        "/reminders turns them on."
    )
    assert await _event_rows(bot, chat.chat_id) == []


async def test_registering_after_the_last_reminder_time_promises_none(bot):
    chat = en(bot, 8941)
    await chat.send("/start")
    bot.runtime.clock.set(SMALL - timedelta(minutes=50))  # the hour-before one has passed
    await open_card(chat, "20270112", "small-class")
    events = await chat.press("✅ Register")
    assert alert(events) == "You are registered. It starts soon: there is no reminder before it."
    assert await _event_rows(bot, chat.chat_id) == []


FESTIVAL = datetime(2026, 12, 12, 13, 0, tzinfo=SEOUL)  # no registration: "Remind me"


async def test_remind_me_on_an_event_without_registration_is_no_sign_up(bot):
    from bot.core.i18n import Translator
    from bot.core.privacy import Subject
    from bot.events import attendance as A
    from bot.events import privacy as P

    chat = en(bot, 8951)
    await chat.send("/start")
    events = await open_card(chat, "20261212", "village-festival-2026")
    assert "🔔 Remind me" in buttons(message(events))
    events = await chat.press("🔔 Remind me")
    assert alert(events) == "🔔 I will remind you before it starts."
    card = message(events)
    assert "🔔 You will get a reminder before it starts." in card.text
    assert "registered" not in card.text  # neither "1 registered" nor "You are registered"
    assert "🔕 Stop reminding me" in buttons(card)
    assert "❌ Cancel my registration" not in buttons(card)
    pending = [r for r in await _event_rows(bot, chat.chat_id) if r.status == "pending"]
    assert sorted(r.due_at for r in pending) == [
        FESTIVAL - timedelta(days=1),
        FESTIVAL - timedelta(hours=1),
    ]
    # the reminder itself offers to stop reminding, not to cancel a registration
    bot.runtime.clock.set(FESTIVAL - timedelta(days=1))
    since = bot.emu.last_seq(TOKEN)
    await dispatch(bot)
    (reminder,) = bot.emu.events(TOKEN, chat_id=chat.chat_id, since=since, kinds={"message"})
    assert buttons(reminder) == ["📅 Event card", "🔕 Stop reminding me"]
    async with bot.runtime.sessionmaker() as s:
        user = (await s.execute(select(User).where(User.telegram_id == 8951))).scalar_one()
        subject = Subject(8951, user, Translator("en", SEOUL))
        lines = (await P.export_user(s, subject)).lines
        assert any("2026 Village Autonomy Festival" in x and "reminder on" in x for x in lines)
        held = FESTIVAL + timedelta(hours=5)  # (the report counts the sessions held)
        (row,) = [r for r in await A.report(s, SEOUL, now=held) if r.level == "session"]
        assert row.registered == 0  # a reminder is no sign-up

    await open_card(chat, "20261212", "village-festival-2026")
    events = await chat.press("🔕 Stop reminding me")
    assert "Stop the reminders for “2026 Village Autonomy Festival" in texts(events)[-1]
    events = await chat.press("Yes, stop them")
    assert message(events).text.startswith(
        "Reminders off: “2026 Village Autonomy Festival (results sharing)” on Sat 12 Dec 2026"
    )
    assert {r.status for r in await _event_rows(bot, chat.chat_id)} == {"sent", "cancelled"}


async def test_remind_me_with_reminders_off_keeps_nothing(bot):
    chat = await card_with_reminders_off(
        bot, 8961, "🎉 Festival: 1 day and 1 hour before", "20261212", "village-festival-2026"
    )
    events = await chat.press("🔔 Remind me")
    assert alert(events) == "Reminders for 🎉 Festival are off: /reminders turns them on."
    async with bot.runtime.sessionmaker() as s:
        assert list((await s.execute(select(Registration))).scalars()) == []
    card = message(await open_card(chat, "20261212", "village-festival-2026"))
    assert "🔔 Remind me" in buttons(card)


async def test_calendar_after_cancelling_the_only_registration_cancels_it(bot):
    chat = await registered_for_training(bot, 8981)
    events = await chat.send("/myevents")  # a date of another year shows its year
    assert buttons(events[0]) == ["Tue 9 Feb 2027 2:00 PM Resident council secretaries' training"]
    events = await chat.send("/calendar")
    assert any("document" in e.message for e in events if e.kind == "message")
    await chat.press("❌ Cancel my registration")
    await chat.press("Yes, cancel it")
    events = await chat.send("/calendar")
    document = next(e for e in events if e.kind == "message" and "document" in e.message)
    assert document.message["caption"] == (
        "You have no upcoming registration. Import this file to take the cancelled dates "
        "out of your calendar."
    )
    cal = icalendar.Calendar.from_ical(
        bot.emu.file_bytes(TOKEN, document.message["document"]["file_id"])
    )
    (cancelled,) = cal.walk("VEVENT")
    assert str(cancelled["uid"]) == "secretary-training-20270209T050000Z@maeul"
    assert str(cancelled["status"]) == "CANCELLED"
    # once that date is over, there is nothing left to send
    bot.runtime.clock.set(TRAINING + timedelta(days=1))
    events = await chat.send("/calendar")
    assert texts(events) == [
        "You have not registered for any upcoming event. Open /events to find one."
    ]


async def test_a_reminder_only_is_said_to_be_one_in_myevents_and_the_calendar(bot):
    """A "🔔 Remind me" of an event without sign-up is listed, marked 🔔 and said to be a
    reminder (no registration); the calendar file's caption names reminders too."""
    chat = en(bot, 8991)
    await chat.send("/start")
    await open_card(chat, "20261212", "village-festival-2026")
    await chat.press("🔔 Remind me")
    events = await chat.send("/myevents")
    assert buttons(events[0])[0].startswith("🔔 ")
    assert "🔔: a reminder only, no sign-up needed" in events[0].text
    events = await chat.send("/calendar")
    document = next(e for e in events if e.kind == "message" and "document" in e.message)
    assert document.message["caption"].startswith(
        "Everything you registered for or asked to be reminded of."
    )
