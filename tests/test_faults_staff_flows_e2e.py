"""Bot API faults at each call of the staff's and the committee's flows, end to end
(both databases): /propose's submission (staff told), a committee decision (the proposer
told), cancelling and moving an event (its registrants told), marking attendance by hand
and casting a vote (the receipt).

As in tests/test_faults_flows_e2e.py: at each call in turn a 429 with ``retry_after``, a
500 or a dropped connection, once or every time; then what each person was told is
checked against what is stored, the stale button pressed again has no second effect,
and every notice to someone else arrives exactly once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from models import User
from models.events import Registration
from tests.conftest import SEOUL
from tests.e2e import TOKEN, buttons, running_bot
from tests.staff_helpers import add_class, make_staff
from tests.test_faults_flows_e2e import (
    ONCE,
    fired,
    inject,
    quick_retries_and_drops,  # noqa: F401 (autouse)
    resident,
    screens,
)

pytestmark = pytest.mark.e2e

STAFF = 6301  # staff of Saeteo-dong
PROPOSER = 6302
COURSE = datetime(2027, 1, 19, 19, 0, tzinfo=SEOUL)


@pytest.fixture
async def bot(runtime):  # Bot API errors on purpose: not clean_bot
    async with running_bot(runtime, ballot_secret=True) as under_test:
        await add_class(
            runtime, "garden-course", ("텃밭 교실", "Garden course"), COURSE,
            capacity=5, dong="saeteo",
        )  # fmt: skip
        yield under_test
        assert under_test.errors == []
        emu = under_test.emu
        assert not any(emu._bot(TOKEN).failures.values()), "a fault was never met"
        assert not any(emu.drops.values()), "a drop was never met"


async def staff_member(bot):
    chat = bot.chat(STAFF, "Jisoo", "en")
    await chat.send("/start")
    await make_staff(bot, STAFF, "saeteo")
    return chat


async def registered(bot, user_id: int, name: str):
    chat = await resident(bot, user_id, name)
    message_id = chat.last_message_with_buttons()["message_id"]
    await chat.press_data(message_id, "events:occ:garden-course@20270119")
    await chat.press("✅ Register")
    return chat


def lose_every_reply(bot, fault: str) -> None:
    for method in ("answerCallbackQuery", "editMessageText", "sendMessage"):
        inject(bot, fault, method, 3)


# --- marking attendance by hand -------------------------------------------------------------


async def attended(bot, user_id: int) -> bool:
    async with bot.runtime.sessionmaker() as s:
        return bool(
            (
                await s.execute(
                    select(Registration.attended)
                    .join(User, User.id == Registration.user_id)
                    .where(User.telegram_id == user_id)
                )
            ).scalar_one()
        )


async def attendance_screen(bot):
    staff = await staff_member(bot)
    await registered(bot, 6311, "Eun")
    bot.runtime.clock.set(COURSE - timedelta(minutes=10))
    await bot.app.dispatcher.run_pass()  # Eun's reminder: sent now, not amid the faults
    message_id = staff.last_message_with_buttons()["message_id"]
    await staff.press_data(message_id, "events:occ:garden-course@20270119")
    events = await staff.press("👥 Attendance")
    assert "⬜ Eun" in buttons([e for e in events if e.kind in ("edit", "message")][-1])
    return staff


@pytest.mark.parametrize("fault", ONCE)
async def test_a_mark_whose_reply_is_lost_is_not_undone_by_the_stale_button(bot, fault):
    """Every reply to "⬜ Eun" is lost: the staff member still sees ⬜ and presses it again
    to mark Eun present — which must not mark Eun absent."""
    staff = await attendance_screen(bot)
    stale = staff.last_message_with_buttons()
    [data] = [
        b["callback_data"]
        for row in stale["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"] == "⬜ Eun"
    ]
    lose_every_reply(bot, fault)
    events = await staff.press("⬜ Eun")
    assert fired(bot) == 9 and screens(events) == []
    assert await attended(bot, 6311)
    events = await staff.press_data(stale["message_id"], data)  # the same button, again
    assert await attended(bot, 6311)
    assert "✅ Eun" in buttons([e for e in events if e.kind == "edit"][-1])
    # and the ✅ button marks Eun absent, once
    await staff.press("✅ Eun")
    assert not await attended(bot, 6311)


@pytest.mark.parametrize("method", ["answerCallbackQuery", "editMessageText"])
@pytest.mark.parametrize("fault", ONCE)
async def test_a_mark_with_one_failing_call_shows_what_is_stored(bot, fault, method):
    staff = await attendance_screen(bot)
    inject(bot, fault, method)
    events = await staff.press("⬜ Eun")
    assert fired(bot) == 1
    assert "✅ Eun" in buttons([e for e in events if e.kind == "edit"][-1])
    assert await attended(bot, 6311)
