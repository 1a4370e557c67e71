"""``maeul console``: chat with the bot in a terminal, through the local Bot API emulator.

The real bot runs in this process and talks to the emulator over HTTP, exactly as it talks
to Telegram. Each input line is sent as the console user's message; the console then waits
until the bot has answered (and gone quiet) or a few seconds have passed, and prints what
the bot did. Documents and photos the bot sends are saved under ``files_dir`` and their
paths shown (named by the run's start time and the message id, so a later run never
overwrites them). At end of input the bot is stopped cleanly, so the console can be scripted:
``printf '/start\\n' | maeul console``.

Buttons of the bot's last answer are numbered. A bare number presses that button — unless
the bot is waiting for you to type an answer (a conversation whose current step takes
typed text, such as "how many seats?"): then the number is sent as text, and ``#3``
presses button 3. ``#3`` always presses, ``\\3`` always sends the text "3". (A step's
handler that only reminds the user to press a button is named ``press_buttons`` in every
feature; such a step does not count as waiting for text.)

Input is decoded as UTF-8 with undecodable bytes replaced (a paste cut inside a character
does not stop the console); a line longer than Telegram's 4,096 characters is sent as
several messages, split at line or word ends, as Telegram's own apps do. An interactive
console reads lines with GNU readline, so a long paste is not cut by the terminal's line
buffer.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot.core.config import CONSOLE_TOKEN, Settings
from bot.emulator import BotApiEmulator, EmulatorError, Event, User

if TYPE_CHECKING:
    from bot.core.runtime import Runtime

CONSOLE_USER_ID = 10001
VISIBLE = {"message", "edit", "delete", "callback_answer"}
ANSWER_TIMEOUT = 5.0
QUIET = 0.4
DUE_WAIT = 2.0
"""At end of input, how long the console waits at most for the messages the bot is due
to send on its own (an announcement's delivery), and prints them."""
DUE_POLL = 0.1
TEXT_LIMIT = 4096
"""Telegram's longest message, in UTF-16 code units."""
BUTTONS_ONLY = "press_buttons"
"""The name of the handlers that only tell a user to press a button instead of typing."""


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """``text`` in pieces of at most ``limit`` UTF-16 code units, cut after a line end or
    a space where there is one in the second half of a piece (never inside a character)."""
    pieces: list[str] = []
    while _utf16(text) > limit:
        end, units = 0, 0
        for index, char in enumerate(text):
            units += 2 if ord(char) > 0xFFFF else 1
            if units > limit:
                break
            end = index + 1
        cut = end
        for separator in ("\n", " "):
            at = text.rfind(separator, end // 2, end)
            if at > 0:
                cut = at + 1
                break
        pieces.append(text[:cut])
        text = text[cut:]
    if text:
        pieces.append(text)
    return pieces


def clean_text(text: str) -> str:
    """Text as the console can send it: bytes that were not UTF-8 (kept by Python as lone
    surrogates) and any other lone surrogate become U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def decode_line(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


@dataclass
class Button:
    message_id: int
    label: str
    data: str | None
    url: str | None


class Console:
    def __init__(
        self,
        emu: BotApiEmulator,
        user: User,
        out: TextIO,
        files_dir: Path,
        echo: bool,
        answer_timeout: float = ANSWER_TIMEOUT,
        wants_text: Callable[[str], bool] | None = None,
    ) -> None:
        self.emu = emu
        self.user = user
        self.out = out
        self.files_dir = files_dir
        self.echo = echo
        self.answer_timeout = answer_timeout
        self.printed_seq = 0
        self.run = datetime.now().strftime("%Y%m%d-%H%M%S")
        """When this run started (the wall clock, not MAEUL_NOW): the saved files' prefix."""
        self.buttons: list[Button] = []
        self.wants_text = wants_text or (lambda _text: False)
        """Whether the bot, in the user's current conversation step, takes this text as
        the answer to a question it asked (see the module docstring)."""

    def write(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    # --- showing what the bot did -------------------------------------------------------
    def show_new(self) -> None:
        events = [
            e
            for e in self.emu.events(CONSOLE_TOKEN, chat_id=self.user.id, since=self.printed_seq)
            if e.kind in VISIBLE
        ]
        numbered: list[Button] = []
        for event in events:
            self.printed_seq = max(self.printed_seq, event.seq)
            numbered += self._show(event, first_number=len(numbered) + 1)
        shown = [
            e
            for e in events
            if e.kind in ("message", "edit")
            and not {"document", "photo"} & set(e.message or {})  # files come with buttons
        ]
        if shown:
            # the buttons of the bot's last answer; when its last text has none (it
            # asked something), a bare number is not a press
            last = (shown[-1].message or {}).get("reply_markup") or {}
            self.buttons = numbered if last.get("inline_keyboard") else []

    def _show(self, event: Event, first_number: int) -> list[Button]:
        if event.kind == "callback_answer":
            if event.text:
                mark = "⚠" if event.params.get("show_alert") else "ⓘ"
                self.write(f"  {mark} {event.text}")
            return []
        if event.kind == "delete":
            self.write("< (message deleted)")
            return []
        message = event.message or {}
        prefix = "< (edited) " if event.kind == "edit" else "< "
        body = event.text or ""
        lines = body.splitlines() or [""]
        attachment = self._save_attachment(message) if event.kind == "message" else None
        if attachment:
            lines = [attachment, *body.splitlines()]
        if body or attachment or event.kind == "message":
            self.write(prefix + lines[0])
            for line in lines[1:]:
                self.write("  " + line)
        return self._show_keyboard(message, first_number)

    def _show_keyboard(self, message: dict[str, Any], first: int) -> list[Button]:
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        found: list[Button] = []
        for row in rows:
            cells = []
            for button in row:
                number = first + len(found)
                found.append(
                    Button(
                        message_id=int(message["message_id"]),
                        label=str(button.get("text", "")),
                        data=button.get("callback_data"),
                        url=button.get("url"),
                    )
                )
                cell = f"[{number}] {button.get('text', '')}"
                if button.get("url"):
                    cell += f" ↗ {button['url']}"
                cells.append(cell)
            self.write("    " + "   ".join(cells))
        return found

    def _save_attachment(self, message: dict[str, Any]) -> str | None:
        if "document" in message:
            doc = message["document"]
            name = Path(str(doc.get("file_name") or "document")).name
            kind = "document"
            file_id = doc["file_id"]
        elif "photo" in message:
            file_id = message["photo"][-1]["file_id"]
            name = "photo.jpg"
            kind = "photo"
        else:
            return None
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = self._new_file(f"{self.run}-{message['message_id']}-{name}")
        path.write_bytes(self.emu.file_bytes(CONSOLE_TOKEN, file_id))
        return f"[{kind}] saved to {path.resolve()}"

    def _new_file(self, name: str) -> Path:
        """A file of ``files_dir`` created empty under ``name``, or ``name`` numbered when
        that is taken (two runs started in the same second): message ids start again at
        every run, so a name made of one alone would overwrite an earlier run's file."""
        stem, suffix = Path(name).stem, Path(name).suffix
        for n in range(1, 10_000):
            path = self.files_dir / (name if n == 1 else f"{stem}-{n}{suffix}")
            try:
                path.open("xb").close()
                return path
            except FileExistsError:
                continue
        raise FileExistsError(self.files_dir / name)

    # --- sending what the user typed ----------------------------------------------------
    async def handle(self, line: str) -> None:
        line = clean_text(line.rstrip("\r\n"))
        if self.echo:
            self.write(f"> {line}")
        if not line.strip():
            return
        since = self.emu.last_seq(CONSOLE_TOKEN)
        typed = line.strip()
        if typed.startswith("#") and typed[1:].isdigit():
            if not self._press(int(typed[1:])):
                return
        elif typed.isdigit() and self.buttons and not self.wants_text(typed):
            if not self._press(int(typed)):
                return
        else:
            text = line[1:] if line.startswith("\\") else line
            if typed.isdigit() and self.buttons:
                self.write(
                    f"  (sent as text: the bot asked you to type; #{typed} presses a button)"
                )
            if not self._send(text):
                return
        await self.emu.wait_for_events(
            CONSOLE_TOKEN,
            chat_id=self.user.id,
            since=since,
            timeout=self.answer_timeout,
            quiet=QUIET,
            kinds=VISIBLE,
        )
        self.show_new()

    def _send(self, text: str) -> bool:
        pieces = split_message(text)
        if len(pieces) > 1:
            self.write(
                f"  (longer than {TEXT_LIMIT} characters: sent as {len(pieces)} messages, "
                "as Telegram's apps do)"
            )
        for piece in pieces:
            try:
                self.emu.send_text(CONSOLE_TOKEN, self.user, piece)
            except EmulatorError as exc:
                self.write(f"  (not sent: {exc})")
                return False
        return True

    def _press(self, number: int) -> bool:
        if not self.buttons:
            self.write("  (the bot's last answer has no buttons)")
            return False
        if not 1 <= number <= len(self.buttons):
            self.write(f"  (no button {number}; buttons are 1–{len(self.buttons)})")
            return False
        button = self.buttons[number - 1]
        if button.data is None:
            self.write(f"  ({button.label} opens {button.url})")
            return False
        try:
            self.emu.press(CONSOLE_TOKEN, self.user, self.user.id, button.message_id, button.data)
        except EmulatorError:
            self.write("  (that button is no longer on the message)")
            return False
        return True


def _read_blocking(stream: TextIO, prompt: str | None) -> str:
    """One line ('' at end of input). With ``prompt`` (a terminal): GNU readline, which
    reads in raw mode, so a long paste is not cut at the terminal's 4,095-byte line
    buffer; otherwise the stream's bytes, decoded with undecodable bytes replaced."""
    if prompt is not None:
        try:
            import readline  # noqa: F401  (input() then uses it)
        except ImportError:  # pragma: no cover - Python built without readline
            pass
        try:
            return input(prompt) + "\n"
        except EOFError:
            return ""
        except UnicodeDecodeError:
            return "\ufffd\n"
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        return decode_line(buffer.readline())
    try:
        return stream.readline()
    except UnicodeDecodeError:
        return "\ufffd\n"


async def _who(runtime: Runtime, telegram_id: int) -> str:
    """Who the console's user is: Telegram id and roles (a resident until given one), and
    how to give one."""
    from bot.core.users import list_roles

    async with runtime.sessionmaker() as session:
        rows = [r for r in await list_roles(session) if r.telegram_id == telegram_id]
    how = f"maeul admin role add {telegram_id} staff --dong …"
    if not rows:
        return f"(you are Telegram user {telegram_id}, a resident; to act as staff: {how})"
    roles = ", ".join(r.role + (f" of {r.dong_id}" if r.dong_id else "") for r in rows)
    return f"(you are Telegram user {telegram_id}: {roles}; more roles: {how})"


async def _read_line(stream: TextIO, prompt: str | None = None) -> str:
    return await asyncio.get_running_loop().run_in_executor(None, _read_blocking, stream, prompt)


def _waiting_for_text(app: Any, user: User) -> Callable[[str], bool]:
    """Whether the user's open conversation, in its current step, takes ``text`` as a
    typed answer (a handler other than the press-a-button reminder accepts it)."""
    from datetime import UTC

    from telegram import Chat, Message, Update
    from telegram import User as TgUser
    from telegram.ext import ConversationHandler

    def check(text: str) -> bool:
        message = Message(
            message_id=0,
            date=datetime.now(UTC),
            chat=Chat(id=user.id, type="private"),
            from_user=TgUser(id=user.id, first_name=user.first_name, is_bot=False),
            text=text,
        )
        update = Update(update_id=0, message=message)
        for handlers in app.handlers.values():
            for handler in handlers:
                if not isinstance(handler, ConversationHandler):
                    continue
                try:
                    state = handler._conversations.get(handler._get_key(update))
                except RuntimeError:
                    continue
                for candidate in handler.states.get(state, []) if state is not None else []:
                    name = getattr(candidate.callback, "__name__", "")
                    accepted = candidate.check_update(update)
                    if accepted is not None and accepted is not False and name != BUTTONS_ONLY:
                        return True
        return False

    return check


async def _print_due(runtime: Runtime, app: Any, console: Console, bound: float = DUE_WAIT) -> None:
    """At end of input: wait (at most ``bound`` seconds) for the messages the bot is due
    to send the console's chat on its own, and print them. An announcement, for one, goes
    out through the reminder dispatcher a moment after the press that queued it: without
    this a script ending with that press stopped before it (it went out, unseen, at the
    next run). Only due rows still to be sent are waited for, so a script that queued
    nothing ends at once. (The dispatcher starts at the JobQueue's first wake, seconds
    after start-up: it is started here if that has not come yet.)"""
    from sqlalchemy import func, select

    from models.events import Reminder

    async def due() -> int:
        async with runtime.sessionmaker() as session:
            query = select(func.count()).where(
                Reminder.chat_id == console.user.id,
                Reminder.status.in_(("pending", "sending")),
                Reminder.due_at <= runtime.clock.now(),
            )
            return int(await session.scalar(query) or 0)

    handle = getattr(app, "dispatcher_handle", None)
    if handle is None or not await due():
        return
    await handle.ensure_started()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + bound
    while loop.time() < deadline:
        await asyncio.sleep(DUE_POLL)
        console.show_new()
        if not await due():  # (a row is marked sent once the emulator took its message)
            break
    console.show_new()


async def run_console(
    settings: Settings,
    *,
    language_code: str | None = "ko",
    files_dir: Path = Path("console-files"),
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    from bot.app import build_application
    from bot.core.runtime import Runtime
    from bot.runner import configure_logging, prepare, secrets_of, start_polling, stop_polling

    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    configure_logging(
        settings.log_level if settings.log_level == "DEBUG" else "WARNING",
        *secrets_of(settings),
        CONSOLE_TOKEN,
        fmt="%(levelname)s %(name)s: %(message)s",
    )
    with tempfile.TemporaryDirectory(prefix="maeul-emulator-") as store:
        emu = BotApiEmulator(files_dir=Path(store))
        await emu.start()
        emu.register_bot(CONSOLE_TOKEN, username="maeul_bot", first_name="마을")
        settings = settings.model_copy(
            update={
                "bot_token": CONSOLE_TOKEN,
                "telegram_base_url": emu.base_url,
                "telegram_base_file_url": emu.base_file_url,
                "telegram_rate_limit": False,
            }
        )
        runtime = Runtime.create(settings)
        app = None
        try:
            await prepare(runtime)
            app = build_application(runtime)
            await start_polling(app)
            user = User(id=CONSOLE_USER_ID, first_name="주민", language_code=language_code)
            console = Console(
                emu,
                user,
                stdout,
                files_dir,
                echo=not interactive,
                wants_text=_waiting_for_text(app, user),
            )
            if interactive:
                console.write(
                    "Maeul console — type a message or /command; Ctrl-D quits.\n"
                    "A number presses that button of the bot's last answer, unless the bot "
                    "asked you to type an answer:\nthen it is sent as text. #3 always presses "
                    "button 3; \\3 always sends the text 3."
                )
                if settings.now_start is not None:
                    console.write(f"(clock starts at MAEUL_NOW={settings.now_start.isoformat()})")
            console.write(await _who(runtime, user.id))
            while True:
                console.show_new()  # anything the bot sent on its own meanwhile
                line = await _read_line(stdin, "> " if interactive else None)
                if line == "":
                    break
                await console.handle(line)
            await _print_due(runtime, app, console)
            return 0
        except KeyboardInterrupt:
            return 130
        finally:
            if app is not None:
                await stop_polling(app)
            await runtime.close()
            await emu.stop()
