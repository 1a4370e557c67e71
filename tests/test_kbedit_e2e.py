"""Staff edits end to end: an admin changes a grant and an event from their cards; the
audit log records it; residents see the change; non-admins are refused (both databases)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.core import audit
from bot.core.i18n import Translator
from models.kb import Event, Grant
from tests.conftest import SEOUL
from tests.e2e import buttons, message_of
from tests.staff_helpers import first_answer as answer_of
from tests.staff_helpers import forged_presses_alert, restart
from tests.test_grants_e2e import closing_soon_card

KO = Translator("ko", SEOUL)
ADMIN = 900  # settings.admin_ids in tests/conftest.py


BOT_OPTIONS = {"polling_errors": False}  # a restart's abandoned long poll ends with 409


async def test_admin_moves_a_deadline(bot):
    bot.runtime.clock.set(datetime(2027, 2, 5, 9, 0, tzinfo=SEOUL))
    admin = bot.chat(ADMIN, "Admin", "en")
    events = await closing_soon_card(admin, "Neighbour-Making Grant")
    assert "✏️ Edit" in buttons(message_of(events))
    events = await admin.press("✏️ Edit")
    fields = message_of(events)
    assert "Which field do you want to change?" in fields.text
    assert "Application closes: Fri 12 Feb 2027" in buttons(fields)
    events = await admin.press("Application closes")
    assert "Now: Fri 12 Feb 2027" in message_of(events).text

    events = await admin.send("2027-02-30")
    reply = message_of(events).text
    assert "There is no such date." in reply and "You typed: 2027-02-30" in reply
    events = await admin.send("2027-01-10")
    assert "must not be before the opening date (Mon 18 Jan 2027)" in message_of(events).text
    events = await admin.send("2027년 2월 19일")
    preview = message_of(events)
    assert "Save this change?" in preview.text
    assert "• Application closes: Fri 12 Feb 2027 → Fri 19 Feb 2027" in preview.text
    events = await admin.press("✅ Save")
    assert answer_of(events).text == "Saved."
    card = [e for e in events if e.kind == "message"][-1]
    assert "🟢 Open now · 14 days left" in card.text  # no longer closing soon
    assert "Mon 18 Jan 2027 to Fri 19 Feb 2027" in card.text

    async with bot.runtime.sessionmaker() as s:
        assert (await s.get(Grant, "neighbour-making")).closes_on.isoformat() == "2027-02-19"
        entry = (await audit.recent(s, 1))[0]
    assert (entry.action, entry.actor, entry.target_id) == (
        "grant.edit",
        f"tg:{ADMIN}",
        "neighbour-making",
    )
    assert entry.details == {"field": "closes", "old": "2027-02-12", "new": "2027-02-19"}

    # residents see it at once
    resident = bot.chat(5501, "Tom", "en")
    events = await resident.send("/grants")
    assert "Neighbour-Making Grant · 14 days left" in buttons(events[0])


async def test_admin_edits_an_event_across_a_restart_with_amount_and_capacity(bot):
    admin = bot.chat(ADMIN, "관리자", "ko")
    events = await admin.send("/events")
    message_id = events[0].message_id
    events = await admin.press_data(message_id, "events:show:secretary-training")
    events = await admin.press(KO._("✏️ Edit"))
    events = await admin.press(KO._("Registration capacity"))
    events = await admin.send("서른 명")
    assert "서른 명" in message_of(events).text  # the typed text is shown back
    events = await admin.send("30명")
    assert "25 → 30" in message_of(events).text

    # a restart between the preview and the save loses nothing
    await restart(bot)
    events = await admin.press(KO._("✏️ Type again"))
    assert KO._("Now: {value}", value="25") in message_of(events).text
    events = await admin.send("35")
    events = await admin.press(KO._("✅ Save"))
    card = [e for e in events if e.kind == "message"][-1]
    assert KO.n_("{n} place", "{n} places", 35) in card.text

    # the start moves, the end keeps the same length
    events = await admin.press(KO._("✏️ Edit"))
    events = await admin.press(KO._("Start (first date)"))
    events = await admin.send("2027-02-16 오후 3시")
    preview = message_of(events).text
    assert (
        "2027년 2월 16일 (화) 오후 3:00" in preview and "2027년 2월 16일 (화) 오후 5:00" in preview
    )
    events = await admin.press(KO._("✅ Save"))
    card = [e for e in events if e.kind == "message"][-1]
    assert "2027년 2월 16일 (화) 오후 3:00 ~ 5:00" in card.text

    async with bot.runtime.sessionmaker() as s:
        row = await s.get(Event, "secretary-training")
        assert row.registration_capacity == 35
        assert row.starts_at == datetime(2027, 2, 16, 15, tzinfo=SEOUL)
        actions = (
            (await s.execute(select(audit.AuditLog.action).order_by(audit.AuditLog.id)))
            .scalars()
            .all()
        )
    assert actions == ["event.edit", "event.edit"]

    # and an amount in Korean notation on a grant, then cancel another edit
    await admin.send("/grants")
    events = await admin.press(KO._("Next ▶"))
    events = await admin.press("청년 마을 아이디어 지원사업")
    events = await admin.press(KO._("✏️ Edit"))
    events = await admin.press(KO._("Amount per award"))
    events = await admin.send("2천만")
    assert (
        KO._(
            "The amount per award must not exceed the total budget ({value}).",
            value="1,500만 원",
        )
        in message_of(events).text
    )
    events = await admin.send("350만 원")
    assert "300만 원 → 350만 원" in message_of(events).text
    events = await admin.send("/cancel")
    assert events[0].text == KO._("Cancelled. Nothing was changed.")
    async with bot.runtime.sessionmaker() as s:
        assert (await s.get(Grant, "youth-idea")).max_krw == 3_000_000


async def test_non_admins_are_refused(bot):
    resident = bot.chat(5502, "민지", "ko")
    events = await resident.send("/grants")
    message_id = events[0].message_id
    events = await resident.press_data(message_id, "grants:show:neighbour-making")
    assert KO._("✏️ Edit") not in buttons(message_of(events))
    await forged_presses_alert(
        resident,
        message_id,
        (
            "kbedit:grant:neighbour-making",
            "kbedit:event:secretary-training",
            "kbedit:field:closes",
            "kbedit:save",
        ),
        KO._("Only district admins can edit the knowledge base."),
    )
    async with bot.runtime.sessionmaker() as s:
        assert await audit.recent(s) == []
    # an admin pressing a leftover button outside an edit is told it is stale
    admin = bot.chat(ADMIN, "관리자", "ko")
    events = await admin.send("/grants")
    events = await admin.press_data(events[0].message_id, "kbedit:save")
    assert answer_of(events).text == KO._(
        "This button is no longer valid. Please start again from the menu."
    )
