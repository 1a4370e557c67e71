"""The staff's event screens refuse residents and staff of another dong on the server side,
for forged buttons too: nothing changes, nothing is sent, and nothing is audited in
their name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from bot.events import registrations as R
from models import Event
from models.audit import AuditLog
from tests.conftest import SEOUL
from tests.e2e import TOKEN
from tests.staff_helpers import add_class, alert, make_staff

REFUSED = "이 행사를 여는 동의 담당자만 할 수 있어요."


async def saeteo_course(bot) -> tuple[str, str]:
    start = datetime(2026, 11, 24, 19, 0, tzinfo=SEOUL)
    await add_class(
        bot.runtime, "compost-2026", "퇴비 만들기 교육", start,
        place={"ko": "새터 마을회관"}, dong="saeteo",
    )  # fmt: skip
    return "compost-2026", R.occ_token("compost-2026", start)


async def test_residents_and_other_dongs_staff_are_refused(bot):
    event_id, tok = await saeteo_course(bot)
    await make_staff(bot, 6301, "hanbit1")
    resident = bot.chat(7101, "주민", "ko")
    other = bot.chat(6301, "한빛1동 담당자", "ko")

    events = await resident.send("/staffevents")
    assert events[0].text == "동 담당자만 쓸 수 있어요. 담당자 권한은 센터에 요청해 주세요."
    events = await other.send("/staffevents")
    assert events[-1].reply_markup, [e.text for e in events]
    assert "퇴비 만들기 교육" not in str(events[-1].reply_markup), [e.text for e in events]

    forged = [
        f"sev:e:{event_id}", f"sev:ed:{event_id}", f"sev:M:{event_id}", f"sev:m:{tok}",
        f"sev:C:{event_id}", f"sev:Cy:{event_id}", f"sev:c:{tok}", f"sev:cy:{tok}",
        f"sev:q:{tok}", f"sev:a:{tok}:0", f"sev:r:{event_id}", f"sev:p:m:{event_id}",
    ]  # fmt: skip
    await resident.send("/start")
    for chat in (resident, other):
        for data in forged:
            events = await chat.press("", forge_data=data)
            assert alert(events) == REFUSED, data
    events = await resident.press("", forge_data="sev:y:2026")
    assert alert(events) == REFUSED
    events = await resident.press("", forge_data="sev:l:0")
    assert alert(events) == REFUSED

    # malformed or unknown data: the usual stale-button answer, never an error
    message_id = other.last_message_with_buttons()["message_id"]
    for data in ("sev:q:nope", "sev:e:no-such-event", "sev:a:compost-2026.zz:0", "sev:k:999:0"):
        events = await other.press_data(message_id, data)
        assert [e for e in events if e.kind == "callback_answer"], data

    async with bot.runtime.sessionmaker() as s:
        row = await s.get(Event, event_id)
        assert not row.cancelled and row.changes == []
        assert row.starts_at.astimezone(SEOUL).hour == 19
        audited = await s.scalar(
            select(func.count(AuditLog.id)).where(AuditLog.actor_telegram_id.in_([7101, 6301]))
        )
        assert audited == 0
    for chat in (resident, other):  # no picture, no document reached them
        assert not [
            m for m in bot.emu.messages(TOKEN, chat.chat_id) if "photo" in m or "document" in m
        ]


async def test_a_removed_role_stops_the_buttons_already_shown(bot):
    from bot.core import users

    event_id, _ = await saeteo_course(bot)
    await make_staff(bot, 6201, "saeteo")
    secretary = bot.chat(6201, "김주무관", "ko")
    await secretary.send("/staffevents")
    await secretary.press("퇴비 만들기 교육")
    async with bot.runtime.sessionmaker() as s:
        await users.revoke_role(
            s, 6201, "staff", dong_id="saeteo", actor="t", now=bot.runtime.clock.utcnow()
        )
        await s.commit()
    events = await secretary.press("❌ 취소")
    assert alert(events) == REFUSED
    async with bot.runtime.sessionmaker() as s:
        assert not (await s.get(Event, event_id)).cancelled
