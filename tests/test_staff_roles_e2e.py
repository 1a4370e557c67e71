"""People from Telegram, end to end in Korean: an admin invites a colleague with a
single-use deep link, the colleague becomes staff of the dong by opening it; the link
works once and expires; the audit log shows who invited whom; roles are listed and
removed; non-admins (forged buttons too) are refused (both databases)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from bot.core import users
from models.audit import AuditLog
from models.events import Reminder
from tests.e2e import button_data, buttons, texts
from tests.staff_helpers import first_answer as alert_of
from tests.staff_helpers import latest as message_of

ADMIN = 900  # settings.admin_ids in tests/conftest.py
COLLEAGUE = 5101
STRANGER = 5102
LINK_RE = re.compile(r"https://t\.me/maeul_test_bot\?start=(role_[A-Za-z0-9_-]+)")


BOT_OPTIONS = {"polling_errors": False}  # a restart's abandoned long poll ends with 409


async def invite_staff(admin, dong="한빛1동") -> str:
    events = await admin.send("/roles")
    screen = message_of(events)
    assert "역할" in screen.text
    assert "➕ 담당자 초대" in buttons(screen)
    events = await admin.press("➕ 담당자 초대")
    assert "어느 동의 담당자인가요?" in message_of(events).text
    events = await admin.press(dong)
    text = message_of(events).text
    assert f"초대: 담당자 · {dong}" in text
    assert "한 번만" in text
    found = LINK_RE.search(text)
    assert found, text
    return found.group(1)


async def roles_of(bot, telegram_id):
    async with bot.runtime.sessionmaker() as s:
        user = await users.get_user(s, telegram_id)
        return sorted((r.role, r.dong_id) for r in user.roles) if user else []


async def test_admin_invites_a_colleague_who_becomes_staff_once(bot):
    admin = bot.chat(ADMIN, "관리자", "ko")
    payload = await invite_staff(admin)

    colleague = bot.chat(COLLEAGUE, "수진", "ko")
    events = await colleague.send(f"/start {payload}")
    reply = " ".join(texts(events))
    assert "이제 ‘담당자 · 한빛1동’ 역할이 있어요." in reply
    assert "/unanswered" in reply and "/stats" in reply
    assert await roles_of(bot, COLLEAGUE) == [("staff", "hanbit1")]

    # single use: a second person with the forwarded link gets nothing
    stranger = bot.chat(STRANGER, "누군가", "ko")
    events = await stranger.send(f"/start {payload}")
    assert "이미 사용된 초대예요." in " ".join(texts(events))
    assert await roles_of(bot, STRANGER) == []
    # the colleague opening it again is told, not errored
    events = await colleague.send(f"/start {payload}")
    assert "이미 사용된 초대예요." in " ".join(texts(events))

    async with bot.runtime.sessionmaker() as s:
        log = (await s.execute(select(AuditLog).order_by(AuditLog.id))).scalars().all()
        told = (await s.execute(select(Reminder).where(Reminder.chat_id == ADMIN))).scalars().all()
    actions = [(e.action, e.actor) for e in log]
    assert ("role.invite", f"tg:{ADMIN}") in actions
    assert ("role.add", f"tg:{ADMIN}") in actions  # granted in the inviter's name
    accepted = next(e for e in log if e.action == "role.invite.accept")
    assert accepted.actor == f"tg:{COLLEAGUE}"
    assert accepted.details["invited_by"] == ADMIN and accepted.details["dong"] == "hanbit1"
    # the inviter is told, in their language
    assert any("수진 님이 초대를 받아" in r.payload["text"] for r in told)

    # the roles list shows the new staff member, who granted it, and a remove button
    events = await admin.send("/roles")
    screen = next(e for e in events if (e.text or "").startswith("👥"))
    assert "수진" in screen.text and "담당자 · 한빛1동" in screen.text
    assert f"tg:{ADMIN}" in screen.text


async def test_expired_and_withdrawn_invitations(bot):
    admin = bot.chat(ADMIN, "관리자", "ko")
    payload = await invite_staff(admin, "새터동")
    bot.runtime.clock.set(bot.runtime.clock.now() + users.INVITE_LIFETIME + timedelta(minutes=1))
    colleague = bot.chat(COLLEAGUE, "수진", "ko")
    events = await colleague.send(f"/start {payload}")
    assert "초대 링크의 기한이 지났어요" in " ".join(texts(events))
    assert await roles_of(bot, COLLEAGUE) == []

    # a fresh one, withdrawn before it is used
    payload = await invite_staff(admin, "새터동")
    events = await admin.send("/roles")
    events = await admin.press("📨 대기 중인 초대")
    assert "담당자 · 새터동" in message_of(events).text
    events = await admin.press("철회: 담당자 · 새터동")
    assert alert_of(events).text == "철회했어요."
    events = await colleague.send(f"/start {payload}")
    assert "철회된 초대예요." in " ".join(texts(events))
    assert await roles_of(bot, COLLEAGUE) == []

    # a made-up token
    events = await colleague.send("/start role_AAAAAAAAAAAAAAAAAAAAAAAA")
    assert "유효하지 않은 초대 링크예요." in " ".join(texts(events))


async def test_activist_invite_and_removal_and_refusals(bot):
    admin = bot.chat(ADMIN, "관리자", "ko")
    await admin.send("/roles")
    events = await admin.press("➕ 활동가 초대")
    payload = LINK_RE.search(message_of(events).text).group(1)
    colleague = bot.chat(COLLEAGUE, "수진", "ko")
    await colleague.send(f"/start {payload}")
    assert await roles_of(bot, COLLEAGUE) == [("activist", "")]

    # a resident cannot open the screen, nor press its buttons (forged)
    stranger = bot.chat(STRANGER, "누군가", "ko")
    events = await stranger.send("/roles")
    assert "역할은 구 관리자만 관리할 수 있어요." in " ".join(texts(events))
    async with bot.runtime.sessionmaker() as s:
        grant = next(r for r in await users.list_roles(s) if r.telegram_id == COLLEAGUE)
    await stranger.send("/start")
    for data in (f"roles:rmok:{grant.grant_id}", "roles:inv:staff", "roles:invd:hanbit1"):
        events = await stranger.press("", forge_data=data)
        assert alert_of(events).text == "역할은 구 관리자만 관리할 수 있어요."
    assert await roles_of(bot, COLLEAGUE) == [("activist", "")]
    # staff are not admins either
    await colleague.send("/start")
    events = await colleague.press("", forge_data=f"roles:rmok:{grant.grant_id}")
    assert alert_of(events).text == "역할은 구 관리자만 관리할 수 있어요."

    # the admin removes it, after a confirmation
    events = await admin.send("/roles")
    events = await admin.press("✖ 해제: 수진")
    # (the notice that 수진 took the invitation may arrive meanwhile: it is the dispatcher's)
    assert any("수진 님의 ‘활동가’ 역할을 해제할까요?" in t for t in texts(events))
    question = admin.last_message_with_buttons()
    events = await admin.press("네, 해제")
    assert alert_of(events).text == "해제했어요."
    assert await roles_of(bot, COLLEAGUE) == []
    async with bot.runtime.sessionmaker() as s:
        entry = (await s.execute(select(AuditLog).order_by(AuditLog.id.desc()))).scalars().first()
    assert (entry.action, entry.actor, entry.target_id) == (
        "role.remove",
        f"tg:{ADMIN}",
        str(COLLEAGUE),
    )
    # pressing the old confirmation again is refused politely
    events = await admin.press("", forge_data=f"roles:rmok:{grant.grant_id}")
    assert alert_of(events).text == "이미 해제된 역할이에요."
    # a role granted since may have the removed one's id (SQLite reuses the newest row's
    # id): the old "yes" names 수진, and must not remove someone else's role
    async with bot.runtime.sessionmaker() as s:
        now = bot.runtime.clock.utcnow()
        await users.grant_role(s, STRANGER, "activist", dong_id=None, actor="t", now=now)
        await s.commit()
        later = next(r for r in await users.list_roles(s) if r.telegram_id == STRANGER)
    events = await admin.press_data(question["message_id"], button_data(question, "네, 해제"))
    assert alert_of(events).text == "이미 해제된 역할이에요."
    assert await roles_of(bot, STRANGER) == [("activist", "")]
    assert later.grant_id == grant.grant_id or bot.runtime.settings.database_url.startswith("p")
