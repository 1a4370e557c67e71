"""The command menu follows the user's roles, end to end through the emulator (both
databases): a resident sees the residents' menu; a colleague invited as staff sees the
staff menu in Korean in their chat; /language re-sets it in English (and choosing the same
language again keeps it); a role given by the CLI shows on the next message; a removed
staff member goes back to the residents' menu; the district admin sees /roles."""

from __future__ import annotations

import re

from bot.core import users
from handlers.core.commands import ADMIN_COMMANDS, COMMANDS, STAFF_COMMANDS
from tests.e2e import TOKEN, texts
from tests.staff_helpers import make_staff

ADMIN = 900  # settings.admin_ids in tests/conftest.py
COLLEAGUE = 5201
RESIDENT = 5202
LINK_RE = re.compile(r"https://t\.me/maeul_test_bot\?start=(role_[A-Za-z0-9_-]+)")

RESIDENT_NAMES = [name for name, _ in COMMANDS]
STAFF_NAMES = RESIDENT_NAMES + [name for name, _ in STAFF_COMMANDS]
ADMIN_NAMES = STAFF_NAMES + [name for name, _ in ADMIN_COMMANDS]


BOT_OPTIONS = {"polling_errors": False}  # a restart's abandoned long poll ends with 409


def menu(bot, chat_id: int, lang: str = "ko") -> dict[str, str]:
    shown = bot.emu.commands_for(TOKEN, chat_id, language_code=lang)
    return {c["command"]: c["description"] for c in shown}


def names(bot, chat_id: int, lang: str = "ko") -> list[str]:
    return list(menu(bot, chat_id, lang))


async def invite_link(admin) -> str:
    await admin.send("/roles")
    await admin.press("➕ 담당자 초대")
    events = await admin.press("한빛1동")
    text = [e for e in events if e.kind in ("message", "edit")][-1].text
    found = LINK_RE.search(text)
    assert found, text
    return found.group(1)


async def test_resident_staff_and_removed_staff_menus(bot):
    resident = bot.chat(RESIDENT, "민수", "ko")
    await resident.send("/start")
    assert names(bot, RESIDENT) == RESIDENT_NAMES
    assert menu(bot, RESIDENT)["propose"] == "우리 동 마을의제 제안하기"
    assert "unanswered" not in menu(bot, RESIDENT)

    admin = bot.chat(ADMIN, "관리자", "ko")
    await admin.send("/start")
    assert names(bot, ADMIN) == ADMIN_NAMES  # ADMIN_IDS: an admin without a role row
    assert menu(bot, ADMIN)["roles"] == "역할 주고 해제하기 (관리자)"

    payload = await invite_link(admin)
    colleague = bot.chat(COLLEAGUE, "수진", "ko")
    await colleague.send("/start")
    assert names(bot, COLLEAGUE) == RESIDENT_NAMES
    events = await colleague.send(f"/start {payload}")
    assert "담당자 · 한빛1동" in " ".join(texts(events))
    staff_menu = menu(bot, COLLEAGUE)
    assert list(staff_menu) == STAFF_NAMES
    assert staff_menu["unanswered"] == "제가 답하지 못한 질문 (담당자)"  # as the others
    assert staff_menu["stats"] == "센터 통계 (담당자)"
    assert "roles" not in staff_menu
    # the menu is per chat: the resident's stays as it was
    assert names(bot, RESIDENT) == RESIDENT_NAMES

    # /language: the staff menu in English; the same language again keeps the staff menu
    await colleague.send("/language")
    await colleague.press("English")
    assert menu(bot, COLLEAGUE, "en")["unanswered"] == "Questions I could not answer (staff)"
    assert names(bot, COLLEAGUE, "en") == STAFF_NAMES
    await colleague.send("/language")
    await colleague.press("✓ English")
    assert names(bot, COLLEAGUE, "en") == STAFF_NAMES
    await colleague.send("/language")
    await colleague.press("한국어")
    assert menu(bot, COLLEAGUE)["unanswered"] == "제가 답하지 못한 질문 (담당자)"

    # the admin removes the role: the colleague's menu is the residents' one at once
    await admin.send("/roles")
    await admin.press("✖ 해제: 수진")
    await admin.press("네, 해제")
    assert names(bot, COLLEAGUE) == RESIDENT_NAMES
    assert menu(bot, COLLEAGUE)["propose"] == "우리 동 마을의제 제안하기"
    # and it stays so on their next message (nothing re-sets the staff one)
    await colleague.send("/help")
    assert names(bot, COLLEAGUE) == RESIDENT_NAMES


async def test_a_role_from_the_cli_shows_on_the_next_message(bot):
    colleague = bot.chat(COLLEAGUE, "수진", "ko")
    await colleague.send("/start")
    assert names(bot, COLLEAGUE) == RESIDENT_NAMES
    async with bot.runtime.sessionmaker() as s, s.begin():
        await users.grant_role(
            s, COLLEAGUE, "staff", dong_id="hanbit1", actor="cli", now=bot.runtime.clock.utcnow()
        )
    await colleague.send("/help")
    assert names(bot, COLLEAGUE) == STAFF_NAMES
    calls = bot.emu.call_counts(TOKEN).get("setmycommands", 0)
    await colleague.send("/help")  # no second call once it is set
    assert bot.emu.call_counts(TOKEN).get("setmycommands", 0) == calls
    async with bot.runtime.sessionmaker() as s, s.begin():
        await users.revoke_role(
            s, COLLEAGUE, "staff", dong_id="hanbit1", actor="cli", now=bot.runtime.clock.utcnow()
        )
    await colleague.send("/help")
    assert names(bot, COLLEAGUE) == RESIDENT_NAMES


async def test_help_lists_the_commands_of_the_users_menu(bot):
    """/help says what this person can do: staff and admins find their screens there too."""
    resident = bot.chat(RESIDENT, "민수", "ko")
    admin = bot.chat(ADMIN, "관리자", "ko")
    (resident_help,) = [t for t in texts(await resident.send("/help")) if "/start" in t]
    (admin_help,) = [t for t in texts(await admin.send("/help")) if "/start" in t]
    for name in RESIDENT_NAMES:
        assert f"/{name} " in resident_help and f"/{name} " in admin_help
    for name in ADMIN_NAMES[len(RESIDENT_NAMES) :]:
        assert f"/{name} " not in resident_help
        assert f"/{name} " in admin_help
    # each staff and admin command says whose it is (/unanswered said nothing)
    staff_only = set(ADMIN_NAMES[len(RESIDENT_NAMES) :])
    lines = [x for x in admin_help.splitlines() if x.split(" ")[0].lstrip("/") in staff_only]
    assert len(lines) == len(staff_only)
    assert all(x.endswith(("(담당자)", "(관리자)")) for x in lines), lines


async def test_a_staff_member_who_uses_forget_goes_back_to_the_residents_menu(bot):
    """/forget deletes the roles with everything else: the chat's staff menu goes too (it
    stayed, offering /stats and /unanswered to someone who is no longer staff)."""
    await make_staff(bot, COLLEAGUE, "hanbit1")
    colleague = bot.chat(COLLEAGUE, "수진", "ko")
    await colleague.send("/start")
    assert names(bot, COLLEAGUE) == STAFF_NAMES
    await colleague.send("/forget")
    events = await colleague.press("네, 지워 주세요")
    assert any("모두 지웠어요" in text for text in texts(events)), texts(events)
    assert bot.emu.commands(TOKEN, {"type": "chat", "chat_id": COLLEAGUE}) == []
    assert names(bot, COLLEAGUE) == RESIDENT_NAMES
