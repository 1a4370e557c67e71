"""The foundation, end to end: the real bot polling the emulator, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from telegram.ext import CommandHandler

from bot.emulator import Chat
from models import User
from tests.e2e import TOKEN, buttons, running_bot, texts


def tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture
async def bot(runtime):
    async with running_bot(runtime) as under_test:
        yield under_test
        assert under_test.emu.api_errors(TOKEN) == []


async def test_start_in_korean_then_language_switch_to_english(bot):
    chat = bot.chat(language_code=None)  # no Telegram language: DEFAULT_LANGUAGE (ko)
    events = await chat.send("/start")
    assert "안녕하세요, 민지님!" in events[0].text
    assert "한빛구 마을자치센터" in events[0].text
    menu = buttons(events[0])
    assert {"🏘 우리 동", "🌐 언어 (Language)", "❓ 도움말"} <= set(menu)
    assert all(any("\uac00" <= ch <= "\ud7a3" for ch in label) for label in menu), menu

    events = await chat.send("/language")
    assert buttons(events[0]) == ["✓ 한국어", "English"]
    events = await chat.press("English")
    assert "Language set to English." in texts(events)
    assert {"🏘 My dong", "🌐 Language", "❓ Help"} <= set(buttons(events[-1]))

    events = await chat.send("/start")
    assert events[0].text.startswith("Hello, 민지!")
    async with bot.runtime.sessionmaker() as s:
        user = (await s.execute(select(User).where(User.telegram_id == chat.user.id))).scalar_one()
    assert user.language == "en"
    # the chat's command menu follows the saved choice
    menu = bot.emu.commands_for(TOKEN, chat.chat_id, chat.user.id, language_code="ko")
    assert {"command": "mydong", "description": "Set your home dong"} in menu
    assert not bot.errors


@pytest.mark.parametrize(
    "typed",
    ["한국어", "영어", "언어 변경", "English", "change language", "中文", "🌐 언어 (Language)"],
)
async def test_a_language_typed_as_a_message_gets_the_language_picker(bot, typed):
    """People type what they see on the menu ("🌐 언어 (Language)") or the language they
    want: the picker, not "I don't know the answer to that question"."""
    chat = bot.chat(language_code="ko")
    await chat.send("/start")
    events = await chat.send(typed)
    assert texts(events) == ["언어를 고르세요. / Choose your language."], texts(events)
    assert buttons(events[0]) == ["✓ 한국어", "English"]
    events = await chat.press("English")
    assert "Language set to English." in texts(events)
    # a question that names a language is still a question
    events = await chat.send("영어로 된 안내문 있어요?")
    assert "Choose your language" not in " ".join(texts(events))


async def test_language_follows_telegram_when_nothing_saved(bot):
    english = await bot.chat(6001, "Tom", "en-US").send("/start")
    assert english[0].text.startswith("Hello, Tom!")
    vietnamese = await bot.chat(6002, "Lan", "vi").send("/start")  # no catalog: English
    assert vietnamese[0].text.startswith("Hello, Lan!")


async def test_command_menu_published_per_language(bot):
    ko = bot.emu.commands(TOKEN, language_code="ko")
    en = bot.emu.commands(TOKEN, language_code="en")
    default = bot.emu.commands(TOKEN)
    names = [c["command"] for c in ko]
    assert names[:2] == ["start", "help"]
    assert {"mydong", "language", "cancel"} <= set(names)
    assert names == [c["command"] for c in en]
    assert ko[0]["description"] == "처음 메뉴"
    assert en[0]["description"] == "Main menu"
    # every Korean description is Korean (a missing translation would show English)
    assert all(any("\uac00" <= ch <= "\ud7a3" for ch in c["description"]) for c in ko), ko
    assert default == ko  # DEFAULT_LANGUAGE=ko


async def test_mydong_conversation_by_button_and_by_typing(bot):
    chat = bot.chat()
    events = await chat.send("/mydong")
    assert "어느 동에" in events[0].text
    assert "새터동" in buttons(events[0])
    events = await chat.press("새터동")
    assert "새터동을 우리 동으로 설정할까요?" in texts(events)
    events = await chat.send("아무 말")  # text while buttons are expected
    assert "버튼으로 답해" in events[0].text
    events = await chat.press("네, 저장")
    assert "저장했어요. 우리 동은 새터동이에요." in texts(events)

    events = await chat.send("/mydong")
    assert events[0].text.startswith("지금 우리 동은 새터동이에요.")
    events = await chat.send("한빛 1동")  # spacing mistake, typed instead of pressed
    assert "한빛1동을 우리 동으로 설정할까요?" in texts(events)
    events = await chat.send("/cancel")
    assert "취소했어요" in events[0].text
    async with bot.runtime.sessionmaker() as s:
        user = (await s.execute(select(User).where(User.telegram_id == chat.user.id))).scalar_one()
    assert user.home_dong_id == "saeteo"  # the cancelled change was not saved

    await chat.send("/mydong")
    events = await chat.send("<b>Atlantis</b> & co")  # a plain-text reply shows it as typed
    assert "“<b>Atlantis</b> & co”" in events[0].text


async def test_deep_links(bot):
    chat = bot.chat(7001, "Anh", "vi")
    events = await chat.send("/start lang_ko")
    assert events[-1].text.startswith("안녕하세요, Anh님!")
    events = await chat.send("/start dong_garam")
    assert "가람동을 우리 동으로 설정할까요?" in texts(events)
    events = await chat.press("네, 저장")
    assert any("가람동" in t for t in texts(events))
    # a bad link says it shows the main menu, and does: whatever kind of link it was
    for link in (
        "vote_doesnotexist",
        "xyz",
        "nosuchkind_12",
        "proposal_abc",
        "review_abc",
        "proposal_" + "9" * 20,  # a number no row can have: not a crash
        "review_" + "9" * 20,
    ):
        events = await chat.send(f"/start {link}")
        assert [e.kind for e in events] == ["message", "message"], (link, texts(events))
        assert events[0].text == "올바르지 않거나 만료된 링크예요. 처음 메뉴를 보여 드릴게요.", link
        assert "안녕하세요" in events[1].text, link
        assert buttons(events[1]), link  # the main menu's buttons
    # a poster's dong that is no dong here: said so, and the dong picker (no menu promised)
    events = await chat.send("/start dong_nowhere")
    assert [e.kind for e in events] == ["message", "message"], texts(events)
    assert "메뉴" not in events[0].text and "동" in events[0].text
    assert "어느 동에" in events[1].text and buttons(events[1])


async def test_bad_input_gets_clear_localized_replies(bot):
    chat = bot.chat()
    emu = bot.emu
    events = await chat.send("/frobnicate now")
    assert (
        events[0].text
        == "/frobnicate 명령어는 없어요. /help 를 입력하면 할 수 있는 일을 볼 수 있어요."
    )

    since = emu.last_seq(TOKEN)
    emu.send_sticker(TOKEN, chat.user)
    events = await emu.wait_for_events(TOKEN, chat_id=chat.chat_id, since=since, kinds={"message"})
    assert "글자로 된 메시지와 버튼만" in events[0].text

    since = emu.last_seq(TOKEN)
    emu.send_photo(TOKEN, chat.user, tiny_png())
    events = await emu.wait_for_events(TOKEN, chat_id=chat.chat_id, since=since, kinds={"message"})
    assert "글자로 된 메시지와 버튼만" in events[0].text

    events = await chat.send("가" * 4000)
    assert events[0].text == "메시지가 너무 길어요(4,000자). 1,000자 이내로 보내 주세요."

    sent = emu.send_text(TOKEN, chat.user, "안녕")
    await emu.wait_for_events(TOKEN, chat_id=chat.chat_id, kinds={"message"})
    since = emu.last_seq(TOKEN)
    emu.edit_text(TOKEN, chat.user, chat.chat_id, sent["message_id"], "안녕하세요")
    events = await emu.wait_for_events(TOKEN, chat_id=chat.chat_id, since=since, kinds={"message"})
    assert "수정한 메시지는 읽지 않아요" in events[0].text

    events = await chat.send("<b>not markup</b> & <script>")  # a question, shown back safely
    assert events and events[0].kind == "message"
    assert not bot.errors


async def test_stale_and_forged_buttons_are_refused(bot):
    chat = bot.chat()
    await chat.send("/mydong")
    first = chat.last_message_with_buttons()
    await chat.send("/cancel")
    # pressing a button of the finished conversation
    events = await chat.press_data(first["message_id"], "mydong:pick:saeteo")
    answer = next(e for e in events if e.kind == "callback_answer")
    assert answer.params.get("show_alert") and "더 이상 쓸 수 없는 버튼" in answer.text
    assert not bot.emu.buttons(TOKEN, chat.chat_id, first["message_id"])  # keyboard removed

    # forged data inside a live conversation: an unknown dong
    await chat.send("/mydong")
    events = await chat.press("", forge_data="mydong:pick:atlantis")
    assert "더 이상 쓸 수 없는 버튼" in texts(events)[0]
    # forged data of no feature at all; and a bad language code
    events = await chat.press("", forge_data="lang:xx")
    assert "더 이상 쓸 수 없는 버튼" in texts(events)[0]
    events = await chat.press("", forge_data="zzz:" + "9" * 40)
    assert "더 이상 쓸 수 없는 버튼" in texts(events)[0]
    assert not bot.errors


async def test_groups_get_quiet_except_a_pointer(bot):
    emu = bot.emu
    member = bot.chat(8001, "수진")
    group = Chat.group(-1001234, "새터동 주민모임", supergroup=True)
    emu.add_to_group(TOKEN, member.user, group)
    since = emu.last_seq(TOKEN)
    emu.send_text(TOKEN, member.user, "/help@maeul_test_bot", chat=group)
    events = await emu.wait_for_events(TOKEN, chat_id=group.id, since=since, kinds={"message"})
    assert "1:1 대화방에서 일해요" in events[0].text
    since = emu.last_seq(TOKEN)
    emu.send_text(TOKEN, member.user, "/frobnicate", chat=group)
    emu.send_text(TOKEN, member.user, "/mydong@maeul_test_bot", chat=group)
    events = await emu.wait_for_events(
        TOKEN, chat_id=group.id, since=since, timeout=1.0, kinds={"message"}
    )
    assert events == []
    async with bot.runtime.sessionmaker() as s:  # no user rows for people only seen in groups
        assert (await s.execute(select(User).where(User.telegram_id == 8001))).first() is None


async def test_handler_error_rolls_back_and_tells_the_user(bot):
    async def boom(update, context):
        context.user.language = "en"  # a write that must not survive
        await context.db.flush()
        raise RuntimeError("simulated failure")

    handler = CommandHandler("boom", boom)
    bot.app.handlers[0].insert(0, handler)
    chat = bot.chat()
    await chat.send("/start")
    events = await chat.send("/boom")
    assert events[0].text == (
        "죄송해요, 저희 쪽에 문제가 생겨 아무것도 저장되지 않았어요. 다시 시도해 주세요."
    )
    assert [type(e) for e in bot.errors] == [RuntimeError]
    bot.errors.clear()
    async with bot.runtime.sessionmaker() as s:
        user = (await s.execute(select(User).where(User.telegram_id == chat.user.id))).scalar_one()
    assert user.language is None
    events = await chat.send("/start")  # and the bot goes on
    assert "안녕하세요" in events[0].text


async def test_help_lists_commands_and_centre_contact(bot):
    events = await bot.chat().send("/help")
    assert "/mydong — 우리 동 설정" in events[0].text
    assert "02-555-0140" in events[0].text


async def test_a_new_command_leaves_an_abandoned_conversation(bot):
    chat = bot.chat()
    events = await chat.send("/mydong")
    assert "어느 동에" in events[0].text
    events = await chat.send("/check")  # another wizard: /mydong is left behind
    assert events
    events = await chat.send("25")  # the age for /check, not a dong name for /mydong
    assert not any("동을 찾지 못했어요" in t for t in texts(events)), texts(events)
    events = await chat.send("새터")  # /mydong is over: no dong question answered
    assert not any("우리 동으로 설정할까요" in t for t in texts(events))


async def test_an_unknown_command_is_quoted_as_typed(bot):
    chat = bot.chat(7301, "Tom", "en")
    events = await chat.send("/frobnicate&x")
    assert events[0].text.startswith("I don't know the command /frobnicate&x.")
