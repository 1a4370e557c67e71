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

import pytest

from tests import test_faults_flows_e2e as flows
from tests.test_faults_flows_e2e import (  # noqa: F401 (autouse)
    SMALL,
    attended,
    inject,
    open_small,
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


@pytest.mark.parametrize("fault", LOST)
async def test_a_lost_checkin_prompt_does_not_take_the_next_message_as_the_code(bot, fault):
    code = await small_class_code(bot)
    bot.runtime.clock.set(SMALL - timedelta(minutes=10))
    chat = await resident(bot, 8801)
    await open_small(chat)
    await chat.press("✅ Register")
    inject(bot, fault, "sendMessage", 3)
    events = await chat.send("/checkin")
    assert "Type the code" not in shown(events)
    told = shown(events)
    events = await chat.send("thanks")
    assert "I do not know the code" not in shown(events), shown(events)
    assert await attended(bot, 8801) == ("registered", False)
    assert TRY_AGAIN in told, told
    # trying again works
    events = await chat.send("/checkin")
    assert "Type the code" in shown(events)
    events = await chat.send(code)
    assert screens(events) == ["✅ Checked in: “Small class”. Welcome!"]


@pytest.mark.parametrize("fault", LOST)
async def test_a_lost_reason_prompt_does_not_take_the_next_message_as_the_reason(bot, fault):
    staff, _proposer, number = await proposal_under_review(bot)
    await staff.press("🔎 Start review")
    await dispatch_until_quiet(bot)
    reject = pressed(staff, "❌ Reject")
    inject(bot, fault, "sendMessage", 3)
    events = await staff.press("❌ Reject")
    assert "Type the reason" not in shown(events)
    told = shown(events)
    events = await staff.send("thanks")
    assert "Done" not in shown(events), shown(events)
    assert await proposal_rows(bot) == [(number, "under_review", 2)]
    assert TRY_AGAIN in told, told
    # pressed again, it asks, and the reason typed then rejects it
    events = await staff.press_data(*reject)
    assert "Type the reason" in shown(events)
    events = await staff.send("No budget this year.")
    assert f"Done: #{number} is now “Rejected”." in shown(events)
    assert await proposal_rows(bot) == [(number, "rejected", 3)]


@pytest.mark.parametrize("fault", LOST)
async def test_a_lost_step_of_the_check_wizard_does_not_take_the_next_message(bot, fault):
    """/check asks the age; the answer "34" is taken, and the next step's question (the
    group's size) is lost: "5" typed next is not read as its answer."""
    chat = await resident(bot, 8802)
    events = await chat.send("/check")
    assert "1/5" in shown(events)
    inject(bot, fault, "sendMessage", 3)
    events = await chat.send("34")
    assert "2/5" not in shown(events)
    told = shown(events)
    events = await chat.send("5")
    assert "3/5" not in shown(events), shown(events)
    assert TRY_AGAIN in told, told
    events = await chat.send("/check")
    assert "1/5" in shown(events), shown(events)
    events = await chat.send("34")
    assert "2/5" in shown(events), shown(events)
