"""A step's question that never arrives (both databases): the step must not wait for it.

A step-by-step conversation (handlers/core/steps.py) moves to the state that awaits the
answer in the update's transaction, and the question is sent after the commit. When every
attempt to send it fails (a 500 or a dropped connection, three times), the person never saw
the question: their next ordinary message must not be swallowed as its answer (a check-in
code, the reason of a rejection, an age). They are told that something failed and to try
again, and trying again works.
"""

from __future__ import annotations

from datetime import timedelta
from unittest.mock import patch

import pytest

from tests import test_faults_flows_e2e as flows
from tests.e2e import TOKEN
from tests.test_faults_flows_e2e import (  # noqa: F401 (autouse)
    SMALL,
    attended,
    inject,
    quick_retries_and_drops,
    resident,
    screens,
    shown,
    small_class_code,
)
from tests.test_faults_staff_flows_e2e import (
    dispatch_until_quiet,
    pressed,
    proposal_rows,
    proposal_under_review,
)

pytestmark = pytest.mark.e2e

LOST = ["500", "dropped"]

bot = pytest.fixture(flows.bot.__wrapped__, name="bot")  # the flows' bot, its small class

TRY_AGAIN = "Sorry, my last message did not reach you"


async def lost_then_typed(bot, chat, fault: str, act, question: str, typed: str) -> str:
    """``act`` (a message sent or a button pressed) whose reply — ``question`` — is lost
    (three attempts), then ``typed`` sent: returns what that was answered. The person was
    told to try again (checked after the next message, which is the point)."""
    inject(bot, fault, "sendMessage", 3)
    events = await act()
    assert question not in shown(events)
    told = shown(events)
    answered = shown(await chat.send(typed))
    assert TRY_AGAIN in told, told
    return answered


@pytest.mark.parametrize("fault", LOST)
async def test_a_lost_checkin_prompt_does_not_take_the_next_message_as_the_code(bot, fault):
    code = await small_class_code(bot)
    bot.runtime.clock.set(SMALL - timedelta(minutes=10))
    chat = await resident(bot, 8801)
    act = lambda: chat.send("/checkin")  # noqa: E731
    said = await lost_then_typed(bot, chat, fault, act, "Type the code", "thanks")
    assert "I do not know the code" not in said, said
    assert await attended(bot, 8801) is None
    # trying again works
    assert "Type the code" in shown(await chat.send("/checkin"))
    events = await chat.send(code)
    assert screens(events) == ["✅ Checked in: “Small class”. Welcome!"]
    assert await attended(bot, 8801) == ("walkin", True)


@pytest.mark.parametrize("fault", LOST)
async def test_a_lost_reason_prompt_does_not_take_the_next_message_as_the_reason(bot, fault):
    staff, _proposer, number = await proposal_under_review(bot)
    await staff.press("🔎 Start review")
    await dispatch_until_quiet(bot)
    reject = pressed(staff, "❌ Reject")
    act = lambda: staff.press("❌ Reject")  # noqa: E731
    said = await lost_then_typed(bot, staff, fault, act, "Type the reason", "thanks")
    assert "Done" not in said, said
    assert await proposal_rows(bot) == [(number, "under_review", 2)]
    # pressed again, it asks, and the reason typed then rejects it
    assert "Type the reason" in shown(await staff.press_data(*reject))
    events = await staff.send("No budget this year.")
    assert f"Done: #{number} is now “Rejected”." in shown(events)
    assert await proposal_rows(bot) == [(number, "rejected", 3)]


@pytest.mark.parametrize("fault", LOST)
async def test_a_lost_step_of_the_check_wizard_does_not_take_the_next_message(bot, fault):
    """/check asks the age; the answer "34" is taken, and the next step's question (the
    group's size) is lost: "5" typed next is not read as its answer."""
    chat = await resident(bot, 8802)
    assert "1/5" in shown(await chat.send("/check"))
    said = await lost_then_typed(bot, chat, fault, lambda: chat.send("34"), "2/5", "5")
    assert "3/5" not in said, said
    assert "1/5" in shown(await chat.send("/check"))
    assert "2/5" in shown(await chat.send("34"))


async def test_a_previews_submit_after_the_dialogue_was_left_idle_still_submits(bot):
    """The dialogue is over (left unanswered past CONVERSATION_IDLE_MINUTES) but the draft
    and its preview are there: "Submit" submits it, rather than "no longer valid"."""
    from tests.test_trust_after_commit import proposals, ready_to_submit, submit

    chat = await ready_to_submit(bot, 8803)
    ok = pressed(chat, "Submit")
    bot.runtime.clock.advance(hours=7)
    events = await submit(chat)
    assert "Your proposal #1 was submitted" in shown(events), shown(events)
    assert await proposals(bot) == 1
    events = await chat.press_data(*ok)  # again: the draft is gone now
    assert "already submitted or discarded. Your newest proposal is #1" in shown(events)
    assert await proposals(bot) == 1


# --- a process that died between a step's commit and its question (the sweep) -----------
async def conversation_rows(bot) -> list[tuple[str, object]]:
    from sqlalchemy import select

    from models.persistence import PtbConversation

    async with bot.runtime.sessionmaker() as s:
        rows = await s.execute(select(PtbConversation.name, PtbConversation.unconfirmed_at))
        return [tuple(row) for row in rows]


async def test_a_delivered_steps_question_is_not_swept(bot):
    from handlers.core.undelivered import sweep_unconfirmed

    chat = await resident(bot, 8811)
    assert "Which dong" in shown(await chat.send("/propose"))
    assert await conversation_rows(bot) == [("propose", None)]  # delivered: the mark cleared
    bot.runtime.clock.advance(hours=1)
    opened = []  # an idle sweep (every 15 s) only reads: it takes no place among the updates
    write = bot.app.transaction
    with patch.object(type(bot.app), "transaction", lambda app: opened.append(1) or write()):
        assert await sweep_unconfirmed(bot.app) == 0
    assert opened == []
    assert await conversation_rows(bot) == [("propose", None)]
    assert "Which theme" in shown(await chat.press("Garam-dong"))  # the step goes on


async def test_a_steps_question_never_confirmed_is_ended_and_the_person_told(bot):
    """As a process killed after the step's commit leaves it: the mark stays set."""
    from sqlalchemy import select, update

    from handlers.core.undelivered import sweep_unconfirmed
    from models.events import Reminder
    from models.persistence import PtbConversation

    chat = bot.chat(8812, "민지", "ko")
    await chat.send("/start")
    await chat.send("/propose")
    async with bot.runtime.sessionmaker() as s:
        at = bot.runtime.clock.utcnow()
        await s.execute(update(PtbConversation).values(unconfirmed_at=at))
        await s.commit()
    assert await sweep_unconfirmed(bot.app) == 0  # not yet: its delivery may be under way
    bot.runtime.clock.advance(seconds=31)
    assert await sweep_unconfirmed(bot.app) == 1
    assert await conversation_rows(bot) == []
    async with bot.runtime.sessionmaker() as s:
        [payload] = (await s.execute(select(Reminder.payload))).scalars()
    assert payload["text"].startswith("죄송해요"), payload  # in the person's language
    await dispatch_until_quiet(bot)
    told = [e.text or "" for e in bot.emu.events(TOKEN) if e.chat_id == 8812]
    assert any(text.startswith("죄송해요, 제 마지막 메시지가") for text in told), told
    assert await sweep_unconfirmed(bot.app) == 0  # once


async def test_a_message_to_a_step_whose_question_was_never_confirmed_is_read_afresh(bot):
    """The person writes before the sweep came by (a restart takes seconds; they saw no
    reply and type again): the step is ended there and then, and they are told."""
    from sqlalchemy import update

    from models.persistence import PtbConversation

    chat = await resident(bot, 8813)
    assert "Which dong" in shown(await chat.send("/propose"))
    async with bot.runtime.sessionmaker() as s:
        at = bot.runtime.clock.utcnow()
        await s.execute(update(PtbConversation).values(unconfirmed_at=at))
        await s.commit()
    bot.runtime.clock.advance(seconds=3)
    said = shown(await chat.send("Garam-dong"))  # a dong typed by name: the step's answer
    assert TRY_AGAIN in said, said
    assert "Which theme" not in said, said
    assert await conversation_rows(bot) == []
    assert "Which dong" in shown(await chat.send("/propose"))  # and they can start again
    assert "Which theme" in shown(await chat.send("Garam-dong"))


async def test_a_reason_prompt_a_killed_process_never_sent_does_not_take_the_next_message(bot):
    """The rejection's reason is awaited outside a conversation (user_data). A process
    killed between the press's commit and the question leaves the wait marked as asked and
    not delivered: what the staff member types next is not sent to the proposer as the
    reason."""
    from handlers.core.undelivered import ASKED
    from handlers.proposals.decisions import PENDING
    from models.persistence import PtbUserData

    staff, _proposer, number = await proposal_under_review(bot)
    await staff.press("🔎 Start review")
    await dispatch_until_quiet(bot)
    reject = pressed(staff, "❌ Reject")
    assert "Type the reason" in shown(await staff.press("❌ Reject"))
    async with bot.runtime.sessionmaker() as s:
        row = await s.get(PtbUserData, staff.user.id)
        assert ASKED not in row.data[PENDING]  # delivered: the mark is gone
        # as the killed process left it: asked, never known to be delivered
        asked = bot.runtime.clock.utcnow().isoformat()
        row.data = {**row.data, PENDING: {**row.data[PENDING], ASKED: asked}}
        await s.commit()
    bot.runtime.clock.advance(seconds=3)
    said = shown(await staff.send("hello?"))
    assert TRY_AGAIN in said, said
    assert await proposal_rows(bot) == [(number, "under_review", 2)]
    # pressed again, it asks, and the reason typed then rejects it
    assert "Type the reason" in shown(await staff.press_data(*reject))
    events = await staff.send("No budget this year.")
    assert f"Done: #{number} is now “Rejected”." in shown(events)
