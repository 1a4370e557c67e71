"""Subscriptions, staff announcements and staff-created events end to end (both databases):
a group subscribed by its administrator, /announce through the dispatcher, /newevent."""

from __future__ import annotations

from sqlalchemy import select

from bot.emulator import Chat, User
from bot.events import registrations as R
from bot.events import subscriptions as S
from models import AuditLog, Event, Subscription
from tests.conftest import SEOUL
from tests.e2e import TOKEN, ChatDriver, buttons, edit_of, texts
from tests.staff_helpers import latest


def alert(events) -> str:
    return next(e for e in events if e.kind == "callback_answer").text or ""


async def dispatch(bot) -> None:
    await bot.app.dispatcher.run_pass()


async def group_with_admin(bot):
    admin = User(id=8901, first_name="Jin", language_code="en")
    member = User(id=8902, first_name="Su", language_code="en")
    group = Chat.group(-100777, "Saeteo neighbours", supergroup=True)
    bot.emu.add_to_group(TOKEN, admin, group)  # the creator of the group
    bot.emu.send_text(TOKEN, member, "hello all", chat=group)  # joins as a member
    return (
        group,
        ChatDriver(bot.emu, admin, chat_id=group.id),
        ChatDriver(bot.emu, member, chat_id=group.id),
    )


async def test_a_group_is_subscribed_by_its_administrator_only(bot):
    group, admin, member = await group_with_admin(bot)
    events = await member.send("/subscribe@maeul_test_bot", chat=group)
    assert texts(events) == ["Only administrators of this group can change its subscriptions."]
    events = await admin.send("/subscribe@maeul_test_bot", chat=group)
    keyboard = buttons(events[0])
    assert "🎓 Trainings" in keyboard and "⏰ Reminder times" not in keyboard
    events = await member.press("🎓 Trainings")
    assert alert(events) == "Only administrators of this group can change this."
    events = await admin.press("🎓 Trainings")
    assert alert(events) == "Subscribed."
    assert "✓ 🎓 Trainings" in buttons(latest(events))
    await admin.press("Done")
    async with bot.runtime.sessionmaker() as s:
        (row,) = (await s.execute(select(Subscription))).scalars()
    assert (row.chat_id, row.topic, row.value, row.user_id, row.language, row.created_by) == (
        group.id,
        "kind",
        "trainings",
        None,
        "en",
        8901,
    )
    # other group chatter stays ignored
    since = bot.emu.last_seq(TOKEN)
    bot.emu.send_text(TOKEN, admin.user, "/events@maeul_test_bot", chat=group)
    assert await bot.emu.wait_for_events(TOKEN, chat_id=group.id, since=since, timeout=1) == []


async def test_staff_announce_to_a_kind_reaches_private_and_group_subscribers(bot):
    group, admin, _ = await group_with_admin(bot)
    await admin.send("/subscribe@maeul_test_bot", chat=group)
    await admin.press("🎓 Trainings")
    resident = bot.chat(8903, "Mina", "en")
    await resident.send("/subscribe")
    await resident.press("🎓 Trainings")

    nobody = bot.chat(8904, "Nobody", "en")
    events = await nobody.send("/announce")
    assert texts(events) == ["Only staff can send announcements."]

    staff = bot.chat(900, "Staff", "en")  # ADMIN_IDS
    await staff.send("/announce")
    events = await staff.press("🤝 Meetings and forums")  # nobody subscribes to meetings:
    assert [latest(events).text] == [  # said before the message is typed
        "Nobody has subscribed to 🤝 Meetings and forums yet, so there is no one to send this to. "
        "Residents and group chats subscribe with /subscribe."
    ]
    events = await staff.send("/announce")
    assert "🎓 Trainings" in buttons(events[0])
    await staff.press("🎓 Trainings")
    events = await staff.send("x" * 2500)
    assert "please keep it under 2,000" in texts(events)[0]
    assert texts(events)[1] == "x" * 2500  # their text, back to shorten
    events = await staff.send("Secretaries' training moves to room 201 <b>today</b>.")
    preview = latest(events)
    assert preview.text.startswith("To 2 chats subscribed to 🎓 Trainings:")
    since = bot.emu.last_seq(TOKEN)
    send = preview.reply_markup["inline_keyboard"][0][0]["callback_data"]
    bot.emu.press(TOKEN, staff.user, staff.chat_id, preview.message_id, send)  # a double tap:
    bot.emu.press(TOKEN, staff.user, staff.chat_id, preview.message_id, send, forge=True)
    events = await bot.emu.wait_for_events(
        TOKEN, chat_id=staff.chat_id, since=since, quiet=0.5, kinds={"edit", "callback_answer"}
    )
    assert "Sending to 2 chats." in edit_of(events).text
    assert "no longer valid" in [e.text for e in events if e.kind == "callback_answer"][1]
    # (the stale press's attempt to remove the already removed keyboard is refused: fine)
    assert {e.method for e in bot.emu.api_errors(TOKEN)} <= {"editMessageReplyMarkup"}
    bot.emu._bot(TOKEN).errors.clear()
    await dispatch(bot)
    for chat_id in (group.id, resident.chat_id):
        (got,) = bot.emu.events(TOKEN, chat_id=chat_id, since=since, kinds={"message"})
        assert got.text == (
            "📢 Announcement · 🎓 Trainings\n\n"
            "Secretaries' training moves to room 201 <b>today</b>."
        )
    async with bot.runtime.sessionmaker() as s:
        (entry,) = (
            await s.execute(select(AuditLog).where(AuditLog.action == "announce"))
        ).scalars()
    assert entry.details["chats"] == 2


async def test_newevent_publishes_and_tells_matching_subscribers(bot):
    # one resident wants trainings anywhere; another trainings of hanbit1 only
    anywhere, hanbit = bot.chat(9001, "Any", "en"), bot.chat(9002, "Han", "en")
    await anywhere.send("/subscribe")
    await anywhere.press("🎓 Trainings")
    await hanbit.send("/subscribe")
    await hanbit.press("🎓 Trainings")
    await hanbit.press("Hanbit 1-dong")

    staff = bot.chat(900, "Staff", "en")
    await staff.send("/newevent")
    await staff.press("🎓 Training")
    events = await staff.press("Saeteo-dong")
    assert "What is its title?" in latest(events).text
    await staff.send("Composting workshop")
    events = await staff.send("next Friday")  # a day without a time: see test_staff_newevent_e2e
    assert "Please add the time, for example 7pm or 19:00." in texts(events)
    events = await staff.send("2020-03-05 19:00")
    assert "has passed. Please type a time in the future." in texts(events)[0]
    await staff.send("2027-03-05 19:00")
    events = await staff.send("soon")
    assert "I could not read that." in texts(events)[0]
    await staff.send("2h")
    await staff.send("Saeteo community room")
    events = await staff.send("12명")
    preview = latest(events)
    assert "Composting workshop" in preview.text and "12 places" in preview.text
    assert "Fri 5 Mar 2027, 7:00 PM – 9:00 PM" in preview.text
    since = bot.emu.last_seq(TOKEN)
    events = await staff.press("✅ Publish")
    assert "Published. 1 subscribed chat will be told." in texts(events)
    await dispatch(bot)
    (news,) = bot.emu.events(TOKEN, chat_id=anywhere.chat_id, since=since, kinds={"message"})
    assert news.text.startswith("🆕 Composting workshop")
    assert bot.emu.events(TOKEN, chat_id=hanbit.chat_id, since=since, kinds={"message"}) == []
    async with bot.runtime.sessionmaker() as s:
        (row,) = (await s.execute(select(Event).where(Event.origin == "staff"))).scalars()
        assert (row.dong_id, row.registration_capacity, row.survey) == ("saeteo", 12, True)
        spec = await R.event_spec(s, row.id, SEOUL)
        assert [t.chat_id for t in await S.event_audience(s, spec)] == [anywhere.chat_id]
    # the card is there for residents to register
    events = await anywhere.press("📅 Event card")
    assert "12 of 12 places left" in latest(events).text


async def test_a_resident_cannot_create_events_or_use_staff_buttons(bot):
    chat = bot.chat(9101, "Res", "en")
    events = await chat.send("/newevent")
    assert texts(events) == ["Only staff can create events."]
    await chat.send("/start")
    events = await chat.press("", forge_data="nev:d:all")
    assert "no longer valid" in alert(events)
    await chat.send("/start")  # (the refusal removed the keyboard it was pressed on)
    events = await chat.press("", forge_data="ann:t:kind:trainings")
    assert "no longer valid" in alert(events)
