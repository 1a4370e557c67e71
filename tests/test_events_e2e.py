"""/events end to end: filters by dong and kind, paging, occurrence cards (both databases)."""

from __future__ import annotations

from bot.core.i18n import Translator
from tests.conftest import SEOUL
from tests.e2e import buttons, edit_of, message_of
from tests.staff_helpers import first_answer as answer_of
from tests.staff_helpers import forged_presses_alert

KO = Translator("ko", SEOUL)


def data_of(event) -> list[str]:
    return [b["callback_data"] for row in event.reply_markup["inline_keyboard"] for b in row]


async def test_filters_paging_and_cards(bot):
    chat = bot.chat(5201, "Tom", "en")
    events = await chat.send("/events")
    listing = events[0]
    assert "Upcoming events" in listing.text
    assert "Showing: all dongs · all kinds" in listing.text
    first = buttons(listing)[0]
    assert first.startswith("Sat 12 Dec 1:00 PM 2026 Village Autonomy Festival")
    assert data_of(listing)[0] == "events:occ:village-festival-2026@20261212"

    events = await chat.press("Next ▶")
    page2 = edit_of(events)
    assert page2.message_id == listing.message_id and "Page 2 of" in page2.text

    # kind filter: trainings only
    events = await chat.press("🏷 All kinds")
    chooser = edit_of(events)
    assert "Which kind of event?" in chooser.text
    assert "✓ All kinds" in buttons(chooser) and "🎓 Training" in buttons(chooser)
    events = await chat.press("🎓 Training")
    trainings = edit_of(events)
    assert "Showing: all dongs · 🎓 Training" in trainings.text
    occurrences = [d for d in data_of(trainings) if d.startswith("events:occ:")]
    assert occurrences[0] == "events:occ:secretary-training@20270209"
    # a date of another year shows its year (the test clock is in 2026)
    assert buttons(trainings)[0].startswith("Tue 9 Feb 2027 2:00 PM Resident council")
    assert not any("festival" in d or "meeting" in d for d in occurrences)

    # dong filter: Hanbit 1-dong (its own events plus district-wide ones)
    events = await chat.press("🏘 All dongs")
    events = await chat.press("Hanbit 1-dong")
    hanbit1 = edit_of(events)
    assert "Showing: Hanbit 1-dong and district-wide · 🎓 Training" in hanbit1.text
    events = await chat.press("🎓 Training")  # back to the kind chooser
    events = await chat.press("🤝 Meeting")
    meetings = edit_of(events)
    assert "Hanbit 1-dong autonomy-plan workshop" in " ".join(buttons(meetings))
    events = await chat.press("Hanbit 1-dong autonomy-plan workshop")
    card = message_of(events)
    assert "Sat 20 Mar 2027, 10:00 AM – 1:00 PM" in card.text
    assert "Community hall, 3F Hanbit 1-dong office" in card.text
    assert "📋 Dong Participatory Budget" in buttons(card)
    events = await chat.press("📋 Dong Participatory Budget")
    assert message_of(events).text.startswith("Dong Participatory")


async def test_home_dong_is_preselected_and_district_wide_events_stay(bot):
    chat = bot.chat()
    await chat.send("/mydong")
    await chat.press("새터동")
    await chat.press("네, 저장")
    events = await chat.send("/events")
    listing = events[0]
    assert KO._("{dong} and district-wide", dong="새터동") in listing.text
    assert "🏘 새터동" in buttons(listing)
    events = await chat.press("🏷 " + KO._("All kinds"))
    events = await chat.press(KO._("🎉 Festival"))
    festivals = edit_of(events)
    labels = " ".join(buttons(festivals))
    assert "2026 마을자치한마당" in labels  # district-wide
    assert "새터동 동네 네트워크 파티" in labels  # the home dong's own


async def test_occurrence_card_in_korean_and_forged_presses(bot):
    chat = bot.chat()
    events = await chat.send("/events")
    message_id = events[0].message_id
    events = await chat.press_data(message_id, "events:occ:secretary-training@20270413")
    card = message_of(events)
    assert card.text.startswith("주민자치회 간사 역량강화 교육\n")
    assert "🕒 2027년 4월 13일 (화) 오후 2:00 ~ 4:00" in card.text
    assert KO._("Registration required") in card.text
    # events:show opens the next occurrence (the contract the answers rely on)
    events = await chat.press_data(message_id, "events:show:secretary-training")
    assert "2027년 2월 9일 (화) 오후 2:00 ~ 4:00" in message_of(events).text
    # a date the event does not have, an unknown event, a forged dong, a bad kind
    await forged_presses_alert(
        chat,
        message_id,
        (
            "events:occ:secretary-training@20270414",
            "events:occ:atlantis@20270413",
            "events:show:atlantis",
        ),
        KO._("This event is no longer in the schedule."),
    )
    events = await chat.press_data(message_id, "events:list:atlantis:all:0")
    assert answer_of(events).params.get("show_alert")
    events = await chat.press_data(message_id, "events:list:all:party:0")
    assert answer_of(events).params.get("show_alert")  # not a kind: the stale-button reply


async def test_list_dates_show_the_year_only_when_it_is_not_this_one(bot):
    chat = bot.chat(5211, "김", "ko")
    listing = (await chat.send("/events"))[0]
    labels = buttons(listing)
    assert labels[0].startswith("12월 12일 (토) 오후 1:00 2026 마을자치한마당")
    assert any(label.startswith("2027년 1월 ") for label in labels)
