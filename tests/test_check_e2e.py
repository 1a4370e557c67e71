"""/check end to end: the wizard with bad input, a restart mid-wizard, the result."""

from __future__ import annotations

import re
from datetime import datetime

from bot.core.i18n import Translator
from tests.conftest import SEOUL
from tests.e2e import buttons, edit_of, message_of
from tests.staff_helpers import restart

KO = Translator("ko", SEOUL)


BOT_OPTIONS = {"polling_errors": False}  # a restart's abandoned long poll ends with 409


async def test_wizard_with_bad_input_and_a_restart(bot):
    bot.runtime.clock.set(datetime(2027, 2, 13, 10, 0, tzinfo=SEOUL))  # 12 Feb calls closed
    chat = bot.chat(5401, "Tom", "en")
    await chat.send("/mydong")
    await chat.press("Solbit-dong")
    await chat.press("Yes, save")

    events = await chat.send("/check")
    assert "1/5" in events[0].text and "How old are you?" in events[0].text
    events = await chat.send("twenty-five")
    assert events[0].text == (
        "I could not find an age in “twenty-five”. Please type your age in full years "
        "as a number, e.g. 25."
    )
    events = await chat.send("200")
    assert "“200” is not an age from 0 to 120" in events[0].text
    events = await chat.send("I am 25")
    assert "2/5" in events[0].text
    assert buttons(events[0])[-1] == "Cancel"  # as on every step with buttons
    events = await chat.send("lots")
    assert "I could not find a number in “lots”" in events[0].text
    events = await chat.press("4")
    assert any("✔ 4 people" in (e.text or "") for e in events if e.kind == "edit")
    assert "3/5" in message_of(events).text

    await restart(bot)  # nothing typed so far is lost
    events = await chat.send("8")
    assert "is that months or years?" in events[0].text
    events = await chat.send("2 years")
    prior = message_of(events)
    assert "4/5" in prior.text
    events = await chat.send("none")  # text where buttons are expected
    assert "Please answer with the buttons above" in events[0].text
    events = await chat.press("Neighbour-Making Grant")
    assert "✓ Neighbour-Making Grant" in buttons(edit_of(events))
    events = await chat.press("Alley-Making Grant")
    events = await chat.press("✓ Alley-Making Grant")  # untick
    await restart(bot)
    events = await chat.press("Done ▶")
    dong_question = message_of(events)
    assert "5/5" in dong_question.text and "✓ Solbit-dong" in buttons(dong_question)
    events = await chat.press("Garam-dong")
    result = message_of(events)
    text = result.text

    assert "Your answers: age 25, 4 people, group existing: 2 years, dong: Garam-dong" in text
    assert "received before: Neighbour-Making Grant." in text
    fits, _, rest = text.partition("Grants that do not fit, and why")
    assert "✅ Youth Village Idea Grant — 🗓 Upcoming · opens Tue 2 Mar" in fits
    assert "Check: every member must be aged 18 to 39" in fits
    assert "✅ Neighbour-Making Grant — closed on Fri 12 Feb" in fits  # closed, still listed
    # open calls first, then upcoming ones, then closed ones
    assert fits.index("✅ Resident Council Activity Fund — 🟢 Open now · 13 days left") < (
        fits.index("✅ Youth Village Idea Grant")
    )
    assert fits.index("✅ Youth Village Idea Grant") < fits.index("✅ Neighbour-Making Grant")
    assert "❌ Community Growth Grant — needs at least 5 members" in rest
    assert "❌ Apartment Community Grant — needs at least 5 members (closed on Fri 12 Feb)" in rest
    assert "📋 Youth Village Idea Grant" in buttons(result)
    events = await chat.press("📋 Youth Village Idea Grant")
    grant_card = message_of(events)
    assert grant_card.text.startswith("Youth Village Idea Grant")

    # the conversation is over: a press of its buttons is stale now
    events = await chat.press_data(grant_card.message_id, "check:dong:garam")
    answer = next(e for e in events if e.kind == "callback_answer")
    assert answer.params.get("show_alert")
    events = await chat.press("🔁 Check again")
    assert "1/5" in message_of(events).text


async def test_cancel_and_buttons_in_korean(bot):
    chat = bot.chat()
    events = await chat.send("/start")
    events = await chat.press(KO._("✅ Which grants fit me?"))
    assert "1/5" in message_of(events).text
    await chat.send("만 31세")
    events = await chat.press("6")
    events = await chat.press(KO._("1 to 3 years"))
    assert "4/5" in message_of(events).text
    events = await chat.press(KO._("None"))
    events = await chat.send("한빛 1동")  # typed, with a spacing mistake
    text = message_of(events).text
    assert KO._("Grants that fit your group") in text
    assert "✅ 사회문제 해결형 지원사업" in text
    assert (
        "❌ 공동체성장 지원사업 — "
        + KO._("only for groups that have already done the {grant}", grant="이웃만들기 지원사업")
        in text
    )

    events = await chat.send("/check")
    events = await chat.send("40")
    assert "2/5" in events[0].text
    events = await chat.send("/cancel")
    assert events[0].text == KO._("Stopped. Type /check to start again.")
    events = await chat.press("6")  # the wizard is over: its buttons are stale
    answer = next(e for e in events if e.kind == "callback_answer")
    assert answer.params.get("show_alert")
    assert not [e for e in events if e.kind == "message"]


async def test_a_dialogue_left_unanswered_for_hours_is_over(bot):
    # within CONVERSATION_IDLE_MINUTES (6 h) the dialogue waits for its answer; after it,
    # a resident's message is read as a new one: a question is answered, not refused
    bot.runtime.clock.set(datetime(2027, 1, 25, 10, 0, tzinfo=SEOUL))
    chat = bot.chat(5402, "Tom", "en")
    events = await chat.send("/check")
    assert "1/5" in events[0].text
    bot.runtime.clock.advance(hours=5)
    events = await chat.send("When is the neighbour making grant deadline?")
    assert "I could not find an age" in events[0].text  # still the dialogue's question
    bot.runtime.clock.advance(hours=7)
    events = await chat.send("When is the neighbour making grant deadline?")
    assert "I could not find an age" not in events[0].text
    assert "Neighbour-Making Grant" in events[0].text and "12 Feb" in events[0].text
    events = await chat.send("/check")  # and the dialogue starts again from its first step
    assert "1/5" in events[0].text


def test_a_grant_closed_in_an_earlier_year_is_dated_with_its_year():
    """The result's "closed on …" of a call of last year shows the year, as every list of
    the bot does (bot.kb.cards.list_date): "closed on Fri 12 Feb" a year later reads as
    this February."""
    from datetime import date

    from bot.kb import eligibility
    from handlers.kb.check_render import result_text
    from tests.kbdemo import demo_kb

    today = date(2028, 1, 10)  # every 2027 call has closed
    answers = eligibility.Answers(
        age=25,
        members=4,
        group_age=eligibility.GROUP_AGE_BUCKETS["1to3y"],
        prior_grants=frozenset(),
        dong="saeteo",
    )
    en = Translator("en", SEOUL)
    text = result_text(en, demo_kb(), answers, eligibility.check(answers, demo_kb(), today), today)
    assert "✅ <b>Neighbour-Making Grant</b> — closed on Fri 12 Feb 2027\n" in text
    closed = re.findall(r"closed on ([^)\n]*)", text)
    assert len(closed) == 12 and all(day.endswith(" 2027") for day in closed), closed


async def test_every_step_with_buttons_has_cancel(bot):
    """Steps 2 to 5 offer "Cancel" with their buttons (step 2, the group's size, had none:
    the console's numbered buttons showed 1–6 and no way out)."""
    chat = bot.chat(5403, "Tom", "en")
    await chat.send("/check")
    events = await chat.send("34")
    step = message_of(events)
    assert "2/5" in step.text
    assert buttons(step) == ["1", "2", "3", "4", "5", "6", "Cancel"]
    events = await chat.press("Cancel")
    assert "Stopped. Type /check to start again." in [e.text for e in events]
    events = await chat.send("3")  # over: not read as the group's size
    assert not any("3/5" in (e.text or "") for e in events)
