"""Tests of the local Telegram Bot API emulator (bot/emulator).

Three layers:
* a real python-telegram-bot ``Application`` polling the emulator over HTTP;
* raw HTTP calls (httpx) checking wire-level behaviour and Telegram's error texts;
* the parsers / user-side API directly.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.emulator import (
    ApiError,
    BotApiEmulator,
    Chat,
    EmulatorError,
    Event,
    User,
    format_text,
)
from bot.emulator.markup import EntityParseError

TOKEN = "123:ABC"
ALICE = User(id=1001, first_name="Alice", username="alice")
BOB = User(id=1002, first_name="밥", language_code="ko")
REPO = Path(__file__).resolve().parents[1]


def png_bytes(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    row = b"\x00" + b"\xff\x80\x00" * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
async def emu(tmp_path: Path) -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(files_dir=tmp_path / "files") as emulator:
        yield emulator


@pytest.fixture
async def http(emu: BotApiEmulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=emu.url, timeout=10) as client:
        yield client


@dataclass
class Recorder:
    errors: list[Exception] = field(default_factory=list)  # expected BadRequests
    handler_errors: list[object] = field(default_factory=list)  # anything else


def build_app(emu: BotApiEmulator, rec: Recorder) -> Application[Any, Any, Any, Any, Any, Any]:
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message and update.effective_user
        name = html.escape(update.effective_user.first_name)
        await update.message.reply_html(f"Welcome, <b>{name}</b>!")

    async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton("A", callback_data="pick:a"),
              InlineKeyboardButton("B", callback_data="pick:b")]]
        )  # fmt: skip
        await update.message.reply_text("Pick one", reply_markup=keyboard)

    async def picked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query and query.data
        choice = query.data.split(":", 1)[1]
        await query.answer(f"picked {choice}")
        await query.edit_message_text(f"You picked {choice}")

    async def doc(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message
        await update.message.reply_document(b"hello doc", filename="report.txt", caption="Report")

    async def args(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message
        await update.message.reply_text(f"args={context.args}")

    async def bad(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message
        try:
            await update.message.reply_html("<b>unclosed")
        except BadRequest as exc:
            rec.errors.append(exc)
            await update.message.reply_text("html failed")

    async def long(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message
        try:
            await update.message.reply_text("x" * 4097)
        except BadRequest as exc:
            rec.errors.append(exc)
        await update.message.reply_text("x" * 4096)

    async def photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message and update.message.photo
        file = await update.message.photo[-1].get_file()
        data = await file.download_as_bytearray()
        digest = hashlib.sha256(data).hexdigest()[:12]
        size = update.message.photo[-1]
        await update.message.reply_text(
            f"{len(data)} bytes {size.width}x{size.height} {digest} {update.message.caption}"
        )

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message and update.message.text
        await update.message.reply_text(update.message.text)

    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CommandHandler("doc", doc))
    app.add_handler(CommandHandler("args", args))
    app.add_handler(CommandHandler("bad", bad))
    app.add_handler(CommandHandler("long", long))
    app.add_handler(CallbackQueryHandler(picked, pattern=r"^pick:"))
    app.add_handler(MessageHandler(filters.PHOTO, photo))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        rec.handler_errors.append(context.error)

    app.add_error_handler(on_error)
    return app


@pytest.fixture
async def running(
    emu: BotApiEmulator,
) -> AsyncIterator[tuple[Application[Any, Any, Any, Any, Any, Any], Recorder]]:
    rec = Recorder()
    app = build_app(emu, rec)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0)
    try:
        yield app, rec
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert rec.handler_errors == []


def message_of(event: Event) -> dict[str, Any]:
    assert event.message is not None, event
    return event.message


async def converse(emu: BotApiEmulator, user: User, text: str) -> list[Event]:
    emu.send_text(TOKEN, user, text)
    return await emu.wait_for_events(TOKEN, chat_id=user.id, quiet=0.1)


# --------------------------------------------------------------------------- PTB end to end


async def test_text_round_trip(emu: BotApiEmulator, running: Any) -> None:
    events = await converse(emu, ALICE, "  안녕하세요 😀  ")
    assert [e.kind for e in events] == ["message"]
    reply = message_of(events[0])
    assert reply["text"] == "안녕하세요 😀"  # Telegram trims surrounding whitespace
    assert reply["from"] == emu.bot_user(TOKEN)
    assert reply["chat"]["id"] == ALICE.id
    ids = [m["message_id"] for m in emu.messages(TOKEN, ALICE.id)]
    assert ids == [1, 2]
    assert emu.api_errors(TOKEN) == []


async def test_command_entities_and_html_reply(emu: BotApiEmulator, running: Any) -> None:
    sent = emu.send_text(TOKEN, ALICE, "/args@maeul_bot one two")
    assert sent["entities"] == [{"offset": 0, "length": 15, "type": "bot_command"}]
    events = await emu.wait_for_events(TOKEN, chat_id=ALICE.id, quiet=0.1)
    assert events[-1].text == "args=['one', 'two']"

    events = await converse(emu, User(id=1003, first_name="<Eve & 😀>"), "/start")
    msg = message_of(events[-1])
    assert msg["text"] == "Welcome, <Eve & 😀>!"
    # "<Eve & 😀>" is 10 UTF-16 code units (the emoji counts twice).
    assert msg["entities"] == [{"offset": 9, "length": 10, "type": "bold"}]


async def test_button_press_answer_and_edit(emu: BotApiEmulator, running: Any) -> None:
    events = await converse(emu, ALICE, "/menu")
    menu = message_of(events[-1])
    assert menu["reply_markup"]["inline_keyboard"][0][1] == {"text": "B", "callback_data": "pick:b"}
    with pytest.raises(EmulatorError, match="no button"):
        emu.press(TOKEN, ALICE, ALICE.id, menu["message_id"], "pick:z")

    query = emu.press(TOKEN, ALICE, ALICE.id, menu["message_id"], "pick:b")
    assert query["message"]["message_id"] == menu["message_id"]
    events = await emu.wait_for_events(TOKEN, chat_id=ALICE.id, quiet=0.1)
    assert [e.kind for e in events] == ["callback_answer", "edit"]
    assert events[0].params["text"] == "picked b" and events[0].params["callback_query_id"]
    assert events[1].text == "You picked b"
    current = emu.message(TOKEN, ALICE.id, menu["message_id"])
    assert current is not None and current["text"] == "You picked b"
    assert "reply_markup" not in current  # editMessageText without markup drops the keyboard
    with pytest.raises(EmulatorError):  # the keyboard is gone now
        emu.press(TOKEN, ALICE, ALICE.id, menu["message_id"], "pick:a")

    emu.press(TOKEN, ALICE, ALICE.id, menu["message_id"], "pick:forged", forge=True)
    events = await emu.wait_for_events(TOKEN, chat_id=ALICE.id, quiet=0.1)
    assert events[-1].text == "You picked forged"


async def test_document_from_bot_downloadable(
    emu: BotApiEmulator, running: Any, http: httpx.AsyncClient
) -> None:
    events = await converse(emu, ALICE, "/doc")
    msg = message_of(events[-1])
    document = msg["document"]
    assert msg["caption"] == "Report"
    assert document["file_name"] == "report.txt"
    assert document["mime_type"] == "text/plain"
    assert document["file_size"] == 9
    r = await http.post(f"/bot{TOKEN}/getFile", data={"file_id": document["file_id"]})
    file_path = r.json()["result"]["file_path"]
    assert file_path.startswith("documents/")
    r = await http.get(f"/file/bot{TOKEN}/{file_path}")
    assert r.status_code == 200 and r.content == b"hello doc"
    assert emu.file_bytes(TOKEN, document["file_id"]) == b"hello doc"
    # file ids are per bot, like on Telegram
    r = await http.post("/bot999:OTHER/getFile", data={"file_id": document["file_id"]})
    assert r.status_code == 400


async def test_user_photo_downloaded_by_bot(emu: BotApiEmulator, running: Any) -> None:
    data = png_bytes(1600, 900)
    sent = emu.send_photo(TOKEN, ALICE, data, caption="사진")
    assert [(p["width"], p["height"]) for p in sent["photo"]][-1] == (1600, 900)
    assert sent["photo"][0]["width"] == 90
    events = await emu.wait_for_events(TOKEN, chat_id=ALICE.id, quiet=0.1)
    digest = hashlib.sha256(data).hexdigest()[:12]
    assert events[-1].text == f"{len(data)} bytes 1600x900 {digest} 사진"


async def test_html_error_is_bad_request(emu: BotApiEmulator, running: Any) -> None:
    _app, rec = running
    events = await converse(emu, ALICE, "/bad")
    assert events[-1].text == "html failed"
    assert len(rec.errors) == 1 and isinstance(rec.errors[0], BadRequest)
    assert "can't parse entities" in rec.errors[0].message.lower()
    errors = emu.api_errors(TOKEN)
    assert errors[0].description == (
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag b"
    )


async def test_too_long_message_refused(emu: BotApiEmulator, running: Any) -> None:
    _app, rec = running
    events = await converse(emu, ALICE, "/long")
    assert len(events[-1].text or "") == 4096
    assert isinstance(rec.errors[0], BadRequest)
    assert rec.errors[0].message == "Message is too long"


async def test_many_users_concurrently(emu: BotApiEmulator, running: Any) -> None:
    users = [User(id=5000 + i, first_name=f"U{i}") for i in range(40)]
    for round_no in range(3):
        for u in users:
            emu.send_text(TOKEN, u, f"r{round_no} from {u.id}")

    def all_answered() -> bool:
        return all(len(emu.events(TOKEN, chat_id=u.id)) == 3 for u in users)

    await emu.wait_for(all_answered, timeout=10)
    for u in users:
        msgs = emu.messages(TOKEN, u.id)
        assert [m["message_id"] for m in msgs] == list(range(1, 7))
        assert [m["text"] for m in msgs if m["from"]["is_bot"]] == [
            f"r{i} from {u.id}" for i in range(3)
        ]


async def test_group_conversation(emu: BotApiEmulator, running: Any) -> None:
    group = Chat.group(-4001, "Village council")
    emu.add_to_group(TOKEN, ALICE, group)
    sent = emu.send_text(TOKEN, BOB, "/start", group)
    events = await emu.wait_for_events(TOKEN, chat_id=group.id, quiet=0.1)
    reply = message_of(events[-1])
    assert reply["text"] == "Welcome, 밥!"
    assert reply["reply_to_message"]["message_id"] == sent["message_id"]  # PTB quotes in groups
    emu.send_text(TOKEN, BOB, "plain chatter", group)  # privacy mode: the bot never sees it
    assert await emu.wait_for_events(TOKEN, chat_id=group.id, timeout=0.3) == []
    emu.send_text(TOKEN, BOB, "reply to the bot", group, reply_to=reply["message_id"])
    events = await emu.wait_for_events(TOKEN, chat_id=group.id, quiet=0.1)
    assert events[-1].text == "reply to the bot"


# --------------------------------------------------------------------------- PTB Bot directly


async def test_ptb_bot_errors_and_fault_injection(emu: BotApiEmulator) -> None:
    emu.send_text(TOKEN, ALICE, "hi")
    async with Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url) as bot:
        assert bot.username == "maeul_bot"
        with pytest.raises(BadRequest, match="Chat not found"):
            await bot.send_message(424242, "x")
        emu.set_blocked(TOKEN, ALICE.id)
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(ALICE.id, "x")
        emu.set_blocked(TOKEN, ALICE.id, False)
        emu.fail_next(TOKEN, "sendMessage", error_code=429, retry_after=7)
        with pytest.raises(RetryAfter) as info:
            await bot.send_message(ALICE.id, "x")
        assert "Retry in 7 seconds" in str(info.value)
        msg = await bot.send_message(ALICE.id, "<i>ok</i>", parse_mode="HTML")
        assert msg.text == "ok" and msg.entities[0].type == "italic"
        with pytest.raises(BadRequest, match="Message is not modified"):
            await bot.edit_message_text("<i>ok</i>", ALICE.id, msg.message_id, parse_mode="HTML")
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.send_message(
                ALICE.id,
                "x",
                reply_markup=InlineKeyboardMarkup(
                    [[InlineKeyboardButton("a", callback_data="é" * 33)]]
                ),
            )
        with pytest.raises(BadRequest, match="Query is too old"):
            await bot.answer_callback_query("nonexistent")
        with pytest.raises(BadRequest, match="Message text is empty"):
            await bot.send_message(ALICE.id, "<b> </b>", parse_mode="HTML")
        await bot.set_my_commands([("start", "Start"), ("help", "Help")])
        await bot.set_my_commands([("start", "시작")], language_code="ko")
        assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
        assert [c.description for c in await bot.get_my_commands(language_code="ko")] == ["시작"]
        assert emu.commands_for(TOKEN, ALICE.id, language_code="ko")[0]["description"] == "시작"
        await bot.delete_my_commands(language_code="ko")
        assert await bot.get_my_commands(language_code="ko") == ()
        chat = await bot.get_chat(ALICE.id)
        assert chat.first_name == "Alice" and chat.username == "alice"
        member = await bot.get_chat_member(ALICE.id, ALICE.id)
        assert member.status == "member"
        copied = await bot.copy_message(ALICE.id, ALICE.id, msg.message_id)
        copy = emu.message(TOKEN, ALICE.id, copied.message_id)
        assert copy is not None and copy["text"] == "ok"
        assert await bot.delete_message(ALICE.id, copied.message_id)
        with pytest.raises(BadRequest, match="Message to delete not found"):
            await bot.delete_message(ALICE.id, copied.message_id)
        with pytest.raises(BadRequest, match="Image_process_failed"):
            await bot.send_photo(ALICE.id, b"not an image")
        photo = await bot.send_photo(
            ALICE.id, png_bytes(20, 10), caption="<b>c</b>", parse_mode="HTML"
        )
        assert photo.photo[-1].width == 20 and photo.caption_entities[0].type == "bold"
        again = await bot.send_photo(ALICE.id, photo.photo[-1].file_id)
        assert again.photo[-1].file_unique_id == photo.photo[-1].file_unique_id
    kinds = [e.kind for e in emu.events(TOKEN, chat_id=ALICE.id)]
    assert kinds == ["message", "message", "delete", "message", "message"]


async def test_a_stall_holds_one_call_until_released(emu: BotApiEmulator) -> None:
    """``stall_next`` holds the next call only (a hung connection): the calls after it go
    through meanwhile, and the held one fails with 502, carried out never."""
    emu.send_text(TOKEN, ALICE, "hi")
    request = HTTPXRequest(connection_pool_size=2)
    async with Bot(TOKEN, base_url=emu.base_url, request=request) as bot:
        released = asyncio.Event()
        emu.stall_next(TOKEN, "sendMessage", 30, until=released)
        held = asyncio.create_task(bot.send_message(ALICE.id, "held"))
        for _ in range(500):
            if emu._bot(TOKEN).call_counts["sendmessage"]:
                break
            await asyncio.sleep(0.01)
        passed = await bot.send_message(ALICE.id, "next")
        assert passed.text == "next" and not held.done()
        released.set()
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await held
    assert [e.text for e in emu.events(TOKEN, chat_id=ALICE.id)] == ["next"]


async def test_conflict_between_pollers(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    first = asyncio.create_task(http.post(f"/bot{TOKEN}/getUpdates", data={"timeout": "5"}))
    await asyncio.sleep(0.2)
    t0 = time.monotonic()
    second = await http.post(f"/bot{TOKEN}/getUpdates", json={"timeout": 0})
    r1 = await first
    assert time.monotonic() - t0 < 2.5  # ended by the second poll, not by its own 5 s
    assert second.status_code == 200 and second.json() == {"ok": True, "result": []}
    assert r1.status_code == 409
    assert r1.json() == {
        "ok": False,
        "error_code": 409,
        "description": "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running",
    }
    # PTB maps it to telegram.error.Conflict
    poller = asyncio.create_task(http.post(f"/bot{TOKEN}/getUpdates", data={"timeout": "5"}))
    await asyncio.sleep(0.1)
    async with Bot(TOKEN, base_url=emu.base_url) as bot:
        await bot.get_updates(timeout=0)
        assert (await poller).status_code == 409
        poller2 = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.1)
        await http.post(f"/bot{TOKEN}/getUpdates")
        with pytest.raises(Conflict):
            await poller2


async def test_offsets_and_long_poll(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    for i in range(3):
        emu.send_text(TOKEN, ALICE, f"m{i}")
    r = (await http.get(f"/bot{TOKEN}/getUpdates")).json()["result"]
    ids = [u["update_id"] for u in r]
    assert len(ids) == 3 and ids == sorted(ids) and len(set(ids)) == 3
    assert [u["message"]["text"] for u in r] == ["m0", "m1", "m2"]
    r = (await http.get(f"/bot{TOKEN}/getUpdates", params={"limit": "1"})).json()["result"]
    assert [u["update_id"] for u in r] == ids[:1]
    r = (await http.get(f"/bot{TOKEN}/getUpdates", params={"offset": str(ids[2])})).json()
    assert [u["update_id"] for u in r["result"]] == ids[2:]
    assert len(emu.pending_updates(TOKEN)) == 1
    r = (await http.get(f"/bot{TOKEN}/getUpdates", params={"offset": str(ids[2] + 1)})).json()
    assert r["result"] == [] and emu.pending_updates(TOKEN) == []

    # long poll returns as soon as an update arrives
    task = asyncio.create_task(
        http.post(f"/bot{TOKEN}/getUpdates", data={"offset": str(ids[2] + 1), "timeout": "10"})
    )
    await asyncio.sleep(0.2)
    assert not task.done()
    t0 = time.monotonic()
    emu.send_text(TOKEN, ALICE, "wake")
    r = (await task).json()["result"]
    assert time.monotonic() - t0 < 5  # woken by the update, not by its 10 s timeout
    assert r[0]["update_id"] == ids[2] + 1 and r[0]["message"]["text"] == "wake"

    # negative offset keeps only the last N; drop_pending_updates clears
    for i in range(3):
        emu.send_text(TOKEN, ALICE, f"n{i}")
    r = (await http.get(f"/bot{TOKEN}/getUpdates", params={"offset": "-1"})).json()["result"]
    assert [u["message"]["text"] for u in r] == ["n2"]
    await http.post(f"/bot{TOKEN}/deleteWebhook", data={"drop_pending_updates": "true"})
    assert (await http.get(f"/bot{TOKEN}/getWebhookInfo")).json()["result"] == {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": 0,
    }

    # allowed_updates persists and filters new updates
    await http.post(f"/bot{TOKEN}/getUpdates", json={"allowed_updates": ["callback_query"]})
    emu.send_text(TOKEN, ALICE, "ignored")
    assert emu.pending_updates(TOKEN) == []


async def test_ten_thousand_updates_is_linear() -> None:
    """Confirmed updates leave the queue at once, so a poll reads only its own batch, never
    what was delivered before: 10,000 updates cost 100 polls of 100, not a growing scan.
    (Checked by what the queue holds after each poll; how fast it runs is bench/'s.)"""
    emu = BotApiEmulator()
    users = [User(id=10_000 + i, first_name="u") for i in range(100)]
    for i in range(10_000):
        emu.send_text(TOKEN, users[i % 100], f"msg {i}")
    queue = emu._bot(TOKEN).updates
    offset = 0
    seen = 0
    polls = 0
    while True:
        batch = await emu.call_api(TOKEN, "getUpdates", {"offset": offset, "limit": 100})
        polls += 1
        assert len(queue) == 10_000 - seen  # everything up to the offset was dropped
        if not batch:
            break
        assert [u["message"]["text"] for u in batch] == [
            f"msg {i}" for i in range(seen, seen + len(batch))
        ]
        seen += len(batch)
        offset = batch[-1]["update_id"] + 1
    assert (seen, polls) == (10_000, 101)
    emu.close_files()


# --------------------------------------------------------------------------- raw HTTP


async def test_http_token_and_method_errors(http: httpx.AsyncClient) -> None:
    not_found = {"ok": False, "error_code": 404, "description": "Not Found"}
    r = await http.get("/botnot-a-token/getMe")
    assert r.status_code == 404 and r.json() == not_found
    r = await http.get(f"/bot{TOKEN}/noSuchMethod")
    assert r.status_code == 404 and r.json() == not_found
    r = await http.get(f"/bot{TOKEN}/sendVoice")
    assert r.status_code == 400 and "not implemented" in r.json()["description"]
    r = await http.get(f"/bot{TOKEN}/getme")  # method names are case-insensitive
    me = r.json()["result"]
    assert me == {
        "id": 123,
        "is_bot": True,
        "first_name": "Maeul",
        "username": "maeul_bot",
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }
    r = await http.get("/bot123:WRONG/getMe")  # same bot id, other secret
    assert r.status_code == 401
    r = await http.post(f"/bot{TOKEN}/setWebhook", data={"url": "not a url"})
    assert r.status_code == 400 and "bad webhook" in r.json()["description"]


async def test_http_encodings_and_validation(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    emu.send_text(TOKEN, ALICE, "hi")
    url = f"/bot{TOKEN}/sendMessage"

    async def send(**data: Any) -> httpx.Response:
        return await http.post(url, data={"chat_id": str(ALICE.id), **data})

    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    r = await send(text="form", reply_markup=json.dumps(markup), disable_notification="true")
    msg = r.json()["result"]
    assert msg["reply_markup"] == markup and msg["chat"]["id"] == ALICE.id
    r = await http.post(url, json={"chat_id": ALICE.id, "text": "json", "reply_markup": markup})
    assert r.json()["result"]["text"] == "json"
    r = await http.get(url, params={"chat_id": str(ALICE.id), "text": "query"})
    assert r.json()["result"]["text"] == "query"

    cases: list[tuple[dict[str, Any], str]] = [
        ({"text": ""}, "Bad Request: message text is empty"),
        ({"text": " \n "}, "Bad Request: message text is empty"),
        ({"text": "x" * 4097}, "Bad Request: message is too long"),
        ({"text": "a < b", "parse_mode": "HTML"},
         'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 2'),
        ({"text": "<b>x</i>", "parse_mode": "HTML"},
         "Bad Request: can't parse entities: Unmatched end tag at byte offset 4, "
         'expected "</b>", found "</i>"'),
        ({"text": "<br>", "parse_mode": "HTML"},
         'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 0'),
        ({"text": "end.", "parse_mode": "MarkdownV2"},
         "Bad Request: can't parse entities: Character '.' is reserved and must be escaped "
         "with the preceding '\\'"),
        ({"text": "x", "parse_mode": "BBCode"}, "Bad Request: unsupported parse_mode"),
        ({"text": "x", "reply_markup": "{not json"},
         "Bad Request: can't parse reply keyboard markup JSON object"),
        ({"text": "x", "reply_markup": json.dumps({"inline_keyboard": [[{"text": "t"}]]})},
         "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in "
         "the inline keyboard"),
        ({"text": "x", "reply_markup": json.dumps(
            {"inline_keyboard": [[{"text": "t", "callback_data": "d" * 65}]]})},
         "Bad Request: BUTTON_DATA_INVALID"),
        ({"text": "x", "reply_markup": json.dumps(
            {"inline_keyboard": [[{"text": "t", "callback_data": ""}]]})},
         "Bad Request: BUTTON_DATA_INVALID"),
        ({"text": "x", "reply_parameters": json.dumps({"message_id": 999})},
         "Bad Request: message to be replied not found"),
    ]  # fmt: skip
    for data, description in cases:
        r = await send(**data)
        assert r.status_code == 400, data
        assert r.json() == {"ok": False, "error_code": 400, "description": description}, data
    r = await http.post(url, data={"chat_id": "77", "text": "x"})
    assert r.json()["description"] == "Bad Request: chat not found"
    r = await send(text="AT&T", parse_mode="HTML")  # strict mode: unescaped &
    assert r.status_code == 400 and "Unescaped '&'" in r.json()["description"]
    r = await send(text="&lt;b&gt; &amp; &#128512;", parse_mode="HTML")
    assert r.json()["result"]["text"] == "<b> & 😀"

    # editing: not modified, keyboard removal, missing message
    r = await send(text="<b>v1</b>", parse_mode="HTML", reply_markup=json.dumps(markup))
    mid = r.json()["result"]["message_id"]
    edit = f"/bot{TOKEN}/editMessageText"
    same = {"chat_id": str(ALICE.id), "message_id": str(mid), "text": "<b>v1</b>",
            "parse_mode": "HTML", "reply_markup": json.dumps(markup)}  # fmt: skip
    r = await http.post(edit, data=same)
    assert r.json()["description"] == (
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message"
    )
    r = await http.post(edit, data={**same, "reply_markup": ""})
    assert r.status_code == 200 and "reply_markup" not in r.json()["result"]
    assert r.json()["result"]["edit_date"] > 0
    r = await http.post(edit, data={**same, "message_id": "9999"})
    assert r.json()["description"] == "Bad Request: message to edit not found"
    r = await http.post(
        f"/bot{TOKEN}/editMessageReplyMarkup",
        data={"chat_id": str(ALICE.id), "message_id": str(mid), "reply_markup": json.dumps(markup)},
    )
    assert r.json()["result"]["reply_markup"] == markup
    events = emu.events(TOKEN, chat_id=ALICE.id, kinds={"edit"})
    assert [e.method for e in events] == ["editMessageText", "editMessageReplyMarkup"]

    r = await http.post(f"/bot{TOKEN}/answerCallbackQuery", data={"callback_query_id": "42"})
    assert r.json()["description"] == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )
    q = emu.press(TOKEN, ALICE, ALICE.id, mid, "go")
    r = await http.post(f"/bot{TOKEN}/answerCallbackQuery", data={"callback_query_id": q["id"]})
    assert r.json() == {"ok": True, "result": True}
    r = await http.post(f"/bot{TOKEN}/answerCallbackQuery", data={"callback_query_id": q["id"]})
    assert r.status_code == 400  # already answered


async def test_http_uploads(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    emu.send_text(TOKEN, ALICE, "hi")
    base = {"chat_id": str(ALICE.id)}
    r = await http.post(
        f"/bot{TOKEN}/sendDocument",
        data=base,
        files={"document": ("notes.csv", b"a,b\n1,2\n", "text/csv")},
    )
    doc = r.json()["result"]["document"]
    assert doc["file_name"] == "notes.csv" and doc["file_size"] == 8
    # attach:// reference, as used for media groups and thumbnails
    r = await http.post(
        f"/bot{TOKEN}/sendDocument",
        data={**base, "document": "attach://file1"},
        files={"file1": ("x.bin", b"\x00\x01", "application/octet-stream")},
    )
    assert r.json()["result"]["document"]["file_size"] == 2
    r = await http.post(f"/bot{TOKEN}/sendDocument", data={**base, "document": doc["file_id"]})
    assert r.json()["result"]["document"]["file_id"] == doc["file_id"]
    r = await http.post(
        f"/bot{TOKEN}/sendDocument", data={**base, "document": "https://example.com/x.pdf"}
    )
    assert r.status_code == 400 and "HTTP URL" in r.json()["description"]
    r = await http.post(f"/bot{TOKEN}/sendDocument", data={**base, "document": "bogus"})
    assert r.json()["description"] == "Bad Request: wrong file identifier/HTTP URL specified"
    r = await http.post(f"/bot{TOKEN}/sendDocument", data=base)
    assert r.json()["description"] == "Bad Request: there is no document in the request"
    r = await http.post(
        f"/bot{TOKEN}/sendPhoto", data={**base, "caption": "x" * 1025},
        files={"photo": ("p.png", png_bytes(4, 4), "image/png")},
    )  # fmt: skip
    assert r.json()["description"] == "Bad Request: message caption is too long"
    bad_caption = {**base, "document": doc["file_id"], "caption": "<b>", "parse_mode": "HTML"}
    r = await http.post(f"/bot{TOKEN}/sendDocument", data=bad_caption)
    assert r.status_code == 400
    assert len(emu.messages(TOKEN, ALICE.id)) == 4  # failed sends leave no trace
    r = await http.get(f"/file/bot{TOKEN}/documents/nope.txt")
    assert r.status_code == 404


async def test_user_http_api(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    alice = {"id": ALICE.id, "first_name": "Alice"}
    r = await http.post(f"/_emulator/{TOKEN}/send_text", json={"user": alice, "text": "/menu"})
    body = r.json()
    assert body["ok"] and body["result"]["entities"][0]["type"] == "bot_command"
    assert body["last_seq"] == 0
    waiter = asyncio.create_task(
        http.get(f"/_emulator/{TOKEN}/events", params={"since": "0", "wait": "1", "quiet": "0.1"})
    )
    await asyncio.sleep(0.1)
    await http.post(
        f"/bot{TOKEN}/sendMessage",
        json={"chat_id": ALICE.id, "text": "menu",
              "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": "x"}]]}},
    )  # fmt: skip
    events = (await waiter).json()["result"]
    assert [e["kind"] for e in events] == ["message"] and events[0]["seq"] == 1
    mid = events[0]["message"]["message_id"]
    r = await http.post(
        f"/_emulator/{TOKEN}/press",
        json={"user": alice, "chat_id": ALICE.id, "message_id": mid, "data": "x"},
    )
    assert r.json()["result"]["data"] == "x"
    r = await http.post(
        f"/_emulator/{TOKEN}/press",
        json={"user": alice, "chat_id": ALICE.id, "message_id": mid, "data": "nope"},
    )
    assert r.status_code == 400 and "no button" in r.json()["description"]
    r = await http.get(f"/_emulator/{TOKEN}/messages", params={"chat_id": str(ALICE.id)})
    assert len(r.json()["result"]) == 2
    r = await http.get(f"/_emulator/{TOKEN}/events", params={"since": "1"})
    assert r.json()["result"] == []
    r = await http.post(f"/_emulator/{TOKEN}/bogus", json={})
    assert r.status_code == 400


async def test_concurrent_users_over_http(emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
    async def user_session(uid: int) -> None:
        for i in range(4):
            r = await http.post(
                f"/_emulator/{TOKEN}/send_text",
                json={"user": {"id": uid, "first_name": f"u{uid}"}, "text": f"{uid}:{i}"},
            )
            assert r.json()["ok"]

    await asyncio.gather(*(user_session(uid) for uid in range(2000, 2030)))
    updates = (await http.get(f"/bot{TOKEN}/getUpdates")).json()["result"]
    ids = [u["update_id"] for u in updates]
    assert len(ids) == 100 and len(set(ids)) == 100 and ids == sorted(ids)  # limit=100
    assert len(emu.pending_updates(TOKEN)) == 120
    for uid in range(2000, 2030):
        msgs = emu.messages(TOKEN, uid)
        assert [m["message_id"] for m in msgs] == [1, 2, 3, 4]
        assert [m["text"] for m in msgs] == [f"{uid}:{i}" for i in range(4)]


# --------------------------------------------------------------------------- user side & groups


async def test_group_privacy_mode(emu: BotApiEmulator) -> None:
    group = Chat.group(-100500, "마을 회의", supergroup=True)
    with pytest.raises(EmulatorError, match="add_to_group"):
        emu.send_text(TOKEN, ALICE, "/start", group)
    update = emu.add_to_group(TOKEN, ALICE, group)
    assert update["new_chat_member"]["status"] == "member"
    emu.send_text(TOKEN, BOB, "just chatting", group)
    emu.send_text(TOKEN, BOB, "/vote@other_bot", group)
    emu.send_text(TOKEN, BOB, "/vote now", group)
    emu.send_text(TOKEN, BOB, "/vote@maeul_bot", group)
    kinds = [next(k for k in u if k != "update_id") for u in emu.pending_updates(TOKEN)]
    assert kinds == ["my_chat_member", "message", "message", "message"]
    texts = [u["message"].get("text") for u in emu.pending_updates(TOKEN) if "message" in u]
    assert texts == [None, "/vote now", "/vote@maeul_bot"]  # first: new_chat_members
    assert len(emu.messages(TOKEN, group.id)) == 5  # all messages exist in the chat
    members = await emu.call_api(TOKEN, "getChatAdministrators", {"chat_id": group.id})
    assert [m["status"] for m in members] == ["creator"]
    emu.remove_from_group(TOKEN, ALICE, group.id)
    with pytest.raises(ApiError) as info:
        await emu.call_api(TOKEN, "sendMessage", {"chat_id": group.id, "text": "x"})
    assert info.value.code == 403
    assert info.value.description == "Forbidden: bot is not a member of the supergroup chat"
    assert "my_chat_member" in emu.pending_updates(TOKEN)[-1]


async def test_wait_for_events_timeout_and_quiet(emu: BotApiEmulator) -> None:
    emu.send_text(TOKEN, ALICE, "hi")
    t0 = time.monotonic()
    assert await emu.wait_for_events(TOKEN, chat_id=ALICE.id, timeout=0.3) == []
    assert 0.25 < time.monotonic() - t0 < 3  # its own timeout, not the caller's patience

    async def bot_side() -> None:
        for i in range(3):
            await emu.call_api(TOKEN, "sendMessage", {"chat_id": ALICE.id, "text": f"part {i}"})
            await asyncio.sleep(0.1)

    task = asyncio.create_task(bot_side())
    events = await emu.wait_for_events(TOKEN, chat_id=ALICE.id, quiet=0.25, timeout=3)
    await task
    assert [e.text for e in events] == ["part 0", "part 1", "part 2"]
    with pytest.raises(TimeoutError):
        await emu.wait_for(lambda: emu.last_seq(TOKEN) > 10, timeout=0.2)


def test_markup_parsers() -> None:
    ft = format_text('<pre><code class="language-py">x = 1</code></pre>', parse_mode="HTML")
    assert ft is not None
    assert ft.entities == [{"offset": 0, "length": 5, "type": "pre", "language": "py"}]
    ft = format_text("😀 <tg-spoiler>s</tg-spoiler> <a href='example.com'>l</a>", parse_mode="html")
    assert ft is not None and ft.text == "😀 s l"
    assert ft.entities == [
        {"offset": 3, "length": 1, "type": "spoiler"},
        {"offset": 5, "length": 1, "type": "text_link", "url": "http://example.com/"},
    ]
    ft = format_text("*b _i_* \\. ||s|| [t](tg://user?id=5)", parse_mode="MarkdownV2")
    assert ft is not None and ft.text == "b i . s t"
    assert [e["type"] for e in ft.entities] == ["bold", "italic", "spoiler", "text_mention"]
    with pytest.raises(EntityParseError, match="Can't find end of Italic entity at byte offset 0"):
        format_text("_open", parse_mode="MarkdownV2")
    ft = format_text("AT&T", parse_mode="HTML", strict_html=False)
    assert ft is not None and ft.text == "AT&T"
    ft = format_text("see https://maeul.kr/a, mail me@x.org #마을 $USD", entities=None)
    assert ft is not None
    assert [(e["type"], e["offset"], e["length"]) for e in ft.entities] == [
        ("url", 4, 18), ("email", 29, 8), ("hashtag", 38, 3), ("cashtag", 42, 4),
    ]  # fmt: skip


def test_standalone_cli() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.emulator", "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        base_url = proc.stdout.readline().split("=", 1)[1].strip()
        assert "listening on http://127.0.0.1:" in first
        r = httpx.get(f"{base_url}{TOKEN}/getMe", timeout=5)
        assert r.json()["result"]["username"] == "maeul_bot"
    finally:
        proc.terminate()
        proc.wait(timeout=5)
        if proc.stdout is not None:
            proc.stdout.close()
