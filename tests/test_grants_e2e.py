"""/grants end to end: sections and paging, the card, follow / unfollow (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.core.i18n import Translator
from bot.kb import grants as grant_rules
from models import GrantFollow, User
from tests.conftest import SEOUL
from tests.e2e import buttons, edit_of, message_of, texts
from tests.staff_helpers import first_answer as answer_of
from tests.staff_helpers import reminders_off

KO = Translator("ko", SEOUL)
EN = Translator("en", SEOUL)


async def closing_soon_card(chat, grant: str) -> list:
    """``/grants``, its "Closing soon" section (five calls, in English), then the card of
    ``grant``; returns the bot's reaction to opening the card."""
    await chat.send("/grants")
    await chat.press("⏰ Closing soon (5)")
    return await chat.press(grant)


async def test_sections_paging_and_the_card_before_the_calls_open(bot):
    chat = bot.chat()
    events = await chat.send("/grants")
    listing = events[0]
    assert KO._("Today is {date}.", date="2026년 11월 22일 (일)") in listing.text
    assert KO._("🗓 Upcoming") in listing.text  # nothing is open in November
    labels = buttons(listing)
    assert labels[0] == "동단위 시민참여예산 · " + KO._(
        "opens {date}", date="2027년 1월 4일 (월)"
    )  # next year: its year
    assert f"· {KO._('🗓 Upcoming')} (12) ·" in labels
    assert f"{KO._('🟢 Open now')} (0)" in labels
    rows = listing.reply_markup["inline_keyboard"]
    shown = [b["callback_data"] for row in rows for b in row]
    assert len([d for d in shown if d.startswith("grants:show:")]) == 6  # six per page

    events = await chat.press(KO._("Next ▶"))
    edited = edit_of(events)
    assert edited.message_id == listing.message_id  # paging edits the list in place
    assert KO._("Page {page} of {pages}", page=2, pages=2) in edited.text
    assert any(b.startswith("공동체공간 자산화 지원사업") for b in buttons(edited))
    assert KO._("◀ Previous") in buttons(edited)

    events = await chat.press(f"{KO._('🟢 Open now')} (0)")
    assert KO._("No call is open right now.") in edit_of(events).text

    events = await chat.press(f"{KO._('🗓 Upcoming')} (12)")
    events = await chat.press(KO._("Next ▶"))
    events = await chat.press("청년 마을 아이디어 지원사업")
    card = message_of(events)
    assert card.text.startswith("청년 마을 아이디어 지원사업\n")
    assert "300만 원" in card.text and "02-555-0143" in card.text
    assert KO.n_("opens in {n} day", "opens in {n} days", 100) in card.text  # 2 March
    assert KO._("🔔 Follow: remind me before the deadline") in buttons(card)
    assert KO._("✏️ Edit") not in buttons(card)  # residents do not edit


async def test_open_and_closing_soon_follow_and_unfollow(bot):
    bot.runtime.clock.set(datetime(2027, 2, 5, 9, 0, tzinfo=SEOUL))
    chat = bot.chat(5101, "Tom", "en")
    events = await chat.send("/grants")
    listing = events[0]
    assert "🟢 Open now" in listing.text  # the first section with something in it
    # every open grant, nearest deadline first; those closing soon are marked
    assert buttons(listing)[4:6] == [
        "⏰ Apartment Community Grant · 7 days left",
        "Local Problem-Solving Grant · 21 days left",
    ]
    events = await chat.press("⏰ Closing soon (5)")
    closing = edit_of(events)  # only those, unmarked
    assert buttons(closing)[0] == "Neighbour-Making Grant · 7 days left"

    events = await chat.press("Neighbour-Making Grant")
    card = message_of(events)
    assert "⏰ Closing soon · 7 days left" in card.text
    assert "Up to ₩1,000,000 per award" in card.text
    assert "📅 Accounting class for funded groups" in buttons(card)

    events = await chat.press("🔔 Follow")
    answer = answer_of(events)
    assert answer.params.get("show_alert")
    assert answer.text == "🔔 Following. I will remind you 3 days before the deadline."
    edited = edit_of(events)
    assert edited.message_id == card.message_id and "🔕 Unfollow" in buttons(edited)
    async with bot.runtime.sessionmaker() as s:
        user = (await s.execute(select(User).where(User.telegram_id == 5101))).scalar_one()
        assert await grant_rules.follows(s, user) == ["neighbour-making"]
        assert [u.telegram_id for u in await grant_rules.followers(s, "neighbour-making")] == [5101]

    # the same card opened again shows the saved state
    events = await chat.press("📋 All grants")
    events = await chat.press("⏰ Closing soon (5)")
    events = await chat.press("Neighbour-Making Grant")
    assert "🔕 Unfollow" in buttons(message_of(events))
    events = await chat.press("🔕 Unfollow")
    assert answer_of(events).text == "🔕 You no longer follow this grant."
    async with bot.runtime.sessionmaker() as s:
        assert (await s.execute(select(GrantFollow))).first() is None

    # a related event opens its card
    events = await chat.press("📅 Accounting class for funded groups")
    event_card = message_of(events)
    assert "Thu 11 Mar 2027, 7:00 PM – 9:00 PM" in event_card.text


async def test_closed_grants_cannot_be_followed_and_forged_presses_are_refused(bot):
    bot.runtime.clock.set(datetime(2027, 2, 13, 9, 0, tzinfo=SEOUL))
    chat = bot.chat(5102, "Tom", "en")
    events = await chat.send("/grants")
    events = await chat.press("⛔ Closed (5)")
    events = await chat.press("Alley-Making Grant")
    card = message_of(events)
    assert "⛔ Closed" in card.text
    assert not any("Follow" in b for b in buttons(card))
    events = await chat.press("", forge_data="grants:follow:alley-making")
    assert "This call has closed" in answer_of(events).text
    events = await chat.press("", forge_data="grants:show:atlantis")
    answer = answer_of(events)
    assert answer.params.get("show_alert") and answer.text == "This grant is no longer in the list."
    events = await chat.press("", forge_data="grants:list:bogus:0")
    assert "This button is no longer valid" in answer_of(events).text
    events = await chat.press("", forge_data="grants:list:open:999")  # clamped, not an error
    assert "🟢 Open now" in edit_of(events).text
    async with bot.runtime.sessionmaker() as s:
        assert (await s.execute(select(GrantFollow))).first() is None


async def test_menu_button_and_card_from_any_message(bot):
    chat = bot.chat()
    events = await chat.send("/start")
    assert KO._("📋 Grants") in buttons(events[0])
    events = await chat.press(KO._("📋 Grants"))
    assert KO._("Grant programmes") in texts(events)[-1]
    # the Q&A answers use the same callback data: it works from any message
    start_message = chat.last_message_with_buttons()
    events = await chat.press_data(start_message["message_id"], "grants:show:youth-idea")
    assert message_of(events).text.startswith("청년 마을 아이디어")


async def test_following_with_deadline_reminders_off_or_too_late_promises_none(bot):
    bot.runtime.clock.set(datetime(2027, 2, 5, 9, 0, tzinfo=SEOUL))
    chat = bot.chat(5111, "Tom", "en")
    await reminders_off(chat, "📋 Grant deadlines: 3 days before the deadline")
    await closing_soon_card(chat, "Neighbour-Making Grant")
    events = await chat.press("🔔 Follow")
    assert answer_of(events).text == (
        "🔔 Following. Grant deadline reminders are off, so I will not remind you: "
        "/reminders turns them on."
    )
    # with reminders on, two days before the deadline (12 February) is too late for one
    bot.runtime.clock.set(datetime(2027, 2, 10, 9, 0, tzinfo=SEOUL))
    other = bot.chat(5112, "Ann", "en")
    await closing_soon_card(other, "Neighbour-Making Grant")
    events = await other.press("🔔 Follow")
    assert answer_of(events).text == (
        "🔔 Following. The deadline is less than 3 days away: there will be no reminder."
    )
