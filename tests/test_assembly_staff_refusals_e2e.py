"""Every staff screen of assembly votes refuses, on the server side, residents and the staff
of another dong — for forged button data too — and stale confirmations; a typed answer
is checked again when it arrives (a role removed meanwhile). Nothing is written, nothing
is sent but the refusal. SQLite and PostgreSQL, through the Bot API emulator."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot import assembly as A
from bot.core import users
from models.assembly import VotingCode
from models.audit import AuditLog
from tests.e2e import TOKEN, texts
from tests.staff_helpers import make_staff as grant

HANBIT = "hanbit1-2027"
NOT_STAFF = "Only the staff of this dong can do that."
STALE = "This button is no longer valid. Please start again from the menu."


BOT_OPTIONS = {"ballot_secret": True}


async def state(bot) -> tuple[int, int, str, int]:
    """What a refused press must not change: audit entries, codes, the vote's status and
    its items."""
    async with bot.runtime.sessionmaker() as s:
        vote = await A.get_vote(s, HANBIT, bot.runtime.clock.now())
        audit = (await s.execute(select(func.count()).select_from(AuditLog))).scalar_one()
        codes = (await s.execute(select(func.count()).select_from(VotingCode))).scalar_one()
        items = len(await A.items_of(s, vote))
        status = str(A.status(vote, bot.runtime.clock.now()))
        await s.commit()
        return audit, codes, status, items


async def ref_of(bot) -> int:
    async with bot.runtime.sessionmaker() as s:
        vote = await A.get_vote(s, HANBIT, bot.runtime.clock.now())
        await s.commit()
        return vote.id


async def hanbit_panel(bot, telegram_id: int):
    """A new staff member of Hanbit 1-dong, looking at the 2027 assembly's panel."""
    await grant(bot, telegram_id, "hanbit1")
    staff = bot.chat(telegram_id, "Staff", "en")
    await staff.send("/assembly")
    await staff.press("2027 Hanbit 1-dong")
    return staff


async def forge(driver, data: str):
    """Press made-up callback data on the chat's newest message (buttons or not)."""
    since = driver.emu.last_seq(TOKEN)
    message_id = driver.emu.messages(TOKEN, driver.chat_id)[-1]["message_id"]
    driver.emu.press(TOKEN, driver.user, driver.chat_id, message_id, data, forge=True)
    return await driver._reaction(since)


def alerts(events) -> list[str]:
    return [
        e.text or "" for e in events if e.kind == "callback_answer" and e.params.get("show_alert")
    ]


def forged(ref: int) -> list[str]:
    return [
        f"asm:o:{ref}", f"asm:props:{ref}", f"asm:ap:{ref}:1", f"asm:mode:{ref}",
        f"asm:rev:{ref}", f"asm:pop:{ref}", f"asm:quo:{ref}", f"asm:item:{ref}",
        f"asm:codes:{ref}", f"asm:cn:{ref}:10", f"asm:open:{ref}",
        f"asm:open!:{ref}:00000000", f"asm:close:{ref}", f"asm:close!:{ref}",
        f"asm:site:{ref}", f"asm:mark:{ref}", f"asm:tot:{ref}", f"asm:tot!:{ref}:00000000",
        f"asm:res:{ref}", f"asm:xlsx:{ref}", f"asm:aud:{ref}",
    ]  # fmt: skip


@pytest.mark.parametrize("who", ["resident", "other dong's staff"])
async def test_forged_presses_on_every_staff_screen_are_refused(bot, who):
    if who == "other dong's staff":
        await grant(bot, 7202, "saeteo")
    intruder = bot.chat(7202, "Intruder", "en")
    events = await intruder.send("/assembly")
    if who == "resident":
        assert "This is for the staff of a dong" in events[0].text
    else:
        assert "2027 Hanbit 1-dong" not in events[0].text  # only their own dong's
    ref = await ref_of(bot)
    before = await state(bot)
    for data in forged(ref):
        if data.startswith("asm:cn:"):
            continue  # exists only while its question is asked: see below
        events = await forge(intruder, data)
        assert alerts(events) == [NOT_STAFF], (data, texts(events))
        assert [e for e in events if e.kind in {"message", "edit"}] == [], data
    if who != "resident":  # on their own list's message (one with buttons)
        events = await intruder.press("", forge_data=f"asm:cn:{ref}:10")
        assert alerts(events) == [STALE]  # no question asked: a stale button, and no codes
    # a forged "ask" put them in no typing state: a number typed now issues no codes
    await intruder.send("10")
    assert await state(bot) == before
    assert not bot.errors


async def test_a_new_assembly_only_for_ones_own_dong(bot):
    await grant(bot, 7203, "saeteo")
    other = bot.chat(7203, "Other staff", "en")
    await other.send("/assembly")
    events = await forge(other, "asm:nd:hanbit1")
    assert alerts(events) == [NOT_STAFF]
    resident = bot.chat(7204, "Resident", "en")
    await resident.send("/assembly")
    events = await forge(resident, "asm:new")
    assert alerts(events) == [NOT_STAFF]
    assert not bot.errors


async def test_stale_confirmations_are_refused(bot):
    staff = await hanbit_panel(bot, 7205)
    ref = await ref_of(bot)
    before = await state(bot)
    events = await staff.press("Open voting now")
    assert "The ballot can no longer change" in events[-1].text
    await forge(staff, f"asm:item:{ref}")  # the ballot changes meanwhile (another phone)
    await staff.send("골목 청소")
    await staff.send("/cancel")
    events = await staff.press("Yes, open voting")  # the old review's button
    assert alerts(events) == ["The ballot changed since this review. Please look again."]
    assert (await state(bot))[2:] == ("draft", before[3] + 1)
    events = await staff.press("", forge_data=f"asm:open!:{ref}")  # no stamp at all
    assert alerts(events) == ["The ballot changed since this review. Please look again."]
    events = await staff.press("", forge_data=f"asm:tot!:{ref}:00000000")  # no totals typed
    assert alerts(events) == [STALE]
    events = await staff.press("", forge_data="asm:nok:00000000")  # no draft: not in review
    assert alerts(events) == [STALE]
    assert [e for e in events if e.kind == "message"] == []
    assert (await state(bot))[2] == "draft"
    assert not bot.errors


async def test_a_typed_answer_is_checked_again_when_it_arrives(bot):
    staff = await hanbit_panel(bot, 7206)
    before = await state(bot)
    events = await staff.press("Issue voting codes")
    assert "How many voting codes?" in events[-1].text
    async with bot.runtime.sessionmaker() as s:  # the role is taken away meanwhile
        await users.revoke_role(
            s, 7206, "staff", dong_id="hanbit1", actor="t", now=bot.runtime.clock.utcnow()
        )
        await s.commit()
    events = await staff.send("10")
    assert NOT_STAFF in texts(events)
    assert not [e for e in events if e.kind == "message" and e.message.get("document")]
    assert (await state(bot))[1:] == before[1:]  # no codes, still a draft
    async with bot.runtime.sessionmaker() as s:
        theirs = await s.execute(select(AuditLog).where(AuditLog.actor == "tg:7206"))
        assert theirs.scalars().all() == []
    assert not bot.errors
