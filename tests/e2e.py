"""End-to-end harness: the real bot, polling the local Bot API emulator over HTTP."""

from __future__ import annotations

import asyncio
import functools
import io
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import SecretStr

from bot.app import MaeulApplication, build_application
from bot.core.runtime import Runtime
from bot.emulator import BotApiEmulator, Event, User
from bot.kb import records as kb
from bot.runner import start_polling, stop_polling

TOKEN = "123456:TEST"
VISIBLE = {"message", "edit", "delete", "callback_answer"}


@dataclass
class ChatDriver:
    """One Telegram user talking to the bot in their private chat."""

    emu: BotApiEmulator
    user: User
    token: str = TOKEN
    chat_id: int | None = None

    def __post_init__(self) -> None:
        if self.chat_id is None:
            self.chat_id = self.user.id

    async def _reaction(self, since: int, timeout: float | None = None) -> list[Event]:
        """What the bot did in this chat in reply to the user's last action.

        With a bot that reports when it has settled (``track_settled``): wait until it has
        processed every update and sent what it sends — however long a slow step (a chart,
        a PDF) takes on a busy machine — then take the events. Otherwise: the first events
        and a quiet spell after them.
        """
        settled = self.emu._bot(self.token).settled
        if settled is not None:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + (timeout or 60.0)
            # polled: the end of a dispatcher pass signals nothing
            while not settled() and loop.time() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.005)
            return self.emu.events(self.token, chat_id=self.chat_id, since=since, kinds=VISIBLE)
        return await self.emu.wait_for_events(
            self.token,
            chat_id=self.chat_id,
            since=since,
            timeout=timeout or 5.0,
            quiet=0.25,
            kinds=VISIBLE,
        )

    async def send(self, text: str, **kw) -> list[Event]:
        since = self.emu.last_seq(self.token)
        self.emu.send_text(self.token, self.user, text, **kw)
        return await self._reaction(since)

    async def press(self, label: str, *, forge_data: str | None = None) -> list[Event]:
        """Press the newest button whose label contains ``label``."""
        since = self.emu.last_seq(self.token)
        if forge_data is not None:
            message_id = self.last_message_with_buttons()["message_id"]
            self.emu.press(self.token, self.user, self.chat_id, message_id, forge_data, forge=True)
            return await self._reaction(since)
        for message in reversed(self.emu.messages(self.token, self.chat_id)):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
            for row in rows:
                for button in row:
                    if label in button.get("text", ""):
                        self.emu.press(
                            self.token,
                            self.user,
                            self.chat_id,
                            message["message_id"],
                            button["callback_data"],
                        )
                        return await self._reaction(since)
        raise AssertionError(f"no button with {label!r}")

    async def press_data(self, message_id: int, data: str) -> list[Event]:
        since = self.emu.last_seq(self.token)
        self.emu.press(self.token, self.user, self.chat_id, message_id, data, forge=True)
        return await self._reaction(since)

    def last_message_with_buttons(self) -> dict:
        for message in reversed(self.emu.messages(self.token, self.chat_id)):
            if (message.get("reply_markup") or {}).get("inline_keyboard"):
                return message
        raise AssertionError("no message with buttons")


def texts(events: list[Event]) -> list[str]:
    return [e.text or "" for e in events if e.kind in {"message", "edit", "callback_answer"}]


def buttons(event: Event) -> list[str]:
    rows = (event.reply_markup or {}).get("inline_keyboard") or []
    return [b["text"] for row in rows for b in row]


def button_data(message: dict[str, Any], label: str) -> str:
    """The callback data of the one button labelled ``label`` on a sent ``message`` (as
    ``ChatDriver.last_message_with_buttons`` returns it): to press it again later."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    [data] = [b["callback_data"] for row in rows for b in row if b["text"] == label]
    return str(data)


def message_of(events: list[Event]) -> Event:
    """The first message the bot sent among ``events`` (a card, a reply)."""
    return next(e for e in events if e.kind == "message")


def edit_of(events: list[Event]) -> Event:
    """The first message the bot edited among ``events`` (a list paged, a view replaced)."""
    return next(e for e in events if e.kind == "edit")


def sent_documents(events: list[Event]) -> list[dict[str, Any]]:
    """The documents (Bot API ``Document`` objects) the bot sent among ``events``."""
    return [
        e.message["document"]
        for e in events
        if e.kind == "message" and "document" in (e.message or {})
    ]


def sent_sheet(emu: BotApiEmulator, document: dict[str, Any]) -> Worksheet:
    """The active sheet of the xlsx workbook the bot sent as ``document`` (a Bot API
    ``Document`` object, as :func:`sent_documents` gives it)."""
    sheet = load_workbook(io.BytesIO(emu.file_bytes(TOKEN, document["file_id"]))).active
    assert isinstance(sheet, Worksheet)
    return sheet


@dataclass
class BotUnderTest:
    emu: BotApiEmulator
    runtime: Runtime
    app: MaeulApplication
    errors: list[BaseException] = field(default_factory=list)

    def chat(
        self, user_id: int = 5001, first_name: str = "민지", language_code: str | None = "ko", **kw
    ) -> ChatDriver:
        return ChatDriver(
            self.emu, User(id=user_id, first_name=first_name, language_code=language_code, **kw)
        )


@dataclass
class _Processed:
    count: int = 0


_processed: dict[tuple[int, str], _Processed] = {}


def track_settled(emu: BotApiEmulator, app: MaeulApplication, token: str = TOKEN) -> None:
    """Tell the emulator when the bot has finished with everything it was given.

    Waiting for the bot's reaction used to mean waiting for a quiet spell (0.25 s) after its
    last message. The bot knows better: once every update the emulator queued has been
    processed — its transaction committed and its replies sent — and the reminder
    dispatcher is neither woken nor in a pass, nothing more is coming, and the harness can
    return after a short quiet window. Anything still in flight keeps the long window.

    Call it for every application started on the emulator (a restart builds a new one):
    the count of processed updates belongs to the emulator, so the new application goes on
    from where the old one stopped.
    """
    processed = _processed.setdefault((id(emu), token), _Processed())
    process = app.process_update

    async def tracked(update: object) -> None:
        try:
            await process(update)
        finally:
            processed.count += 1
            emu.notify(token)

    def settled() -> bool:
        if processed.count < emu.queued_updates(token):
            return False
        handle = app.dispatcher_handle
        if handle is not None:
            dispatcher = handle.dispatcher
            serving = dispatcher._serving is not None and not dispatcher._serving.done()
            if dispatcher._lock.locked() or (serving and dispatcher._wake.is_set()):
                return False
        return True

    app.process_update = tracked  # type: ignore[method-assign]
    emu.set_settled(token, settled)


@functools.cache
def _validated_kb(path: str) -> kb.KnowledgeBase:
    """A KB file read and validated once per test process (the records are not changed by
    an import)."""
    parsed, problems = kb.validate(kb.load_file(path))
    assert parsed is not None, problems
    return parsed


@asynccontextmanager
async def running_bot(
    runtime: Runtime, *, seed: bool = True, ballot_secret: bool = False
) -> AsyncIterator[BotUnderTest]:
    """The bot polling a fresh emulator; ``seed`` imports the demo KB first, ``ballot_secret``
    gives it a fresh secret-ballot key (assembly votes)."""
    if ballot_secret:
        runtime.settings = runtime.settings.model_copy(
            update={"ballot_secret": SecretStr(secrets.token_urlsafe(32))}
        )
    async with BotApiEmulator() as emu:
        emu.register_bot(TOKEN, username="maeul_test_bot")
        runtime.settings = runtime.settings.model_copy(
            update={
                "telegram_base_url": emu.base_url,
                "telegram_base_file_url": emu.base_file_url,
                "bot_token": TOKEN,
            }
        )
        if seed:
            parsed = _validated_kb(str(kb.demo_kb_path()))
            async with runtime.sessionmaker() as session, session.begin():
                await kb.import_kb(session, parsed, runtime.clock.utcnow())
        app = build_application(runtime)
        under_test = BotUnderTest(emu, runtime, app)

        async def record(update, context):  # errors reach the user AND the test
            under_test.errors.append(context.error)

        app.add_error_handler(record)
        track_settled(emu, app)
        await start_polling(app)
        try:
            yield under_test
        finally:
            await stop_polling(under_test.app)  # a test may have restarted it
            _processed.pop((id(emu), TOKEN), None)
