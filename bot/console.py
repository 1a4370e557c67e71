"""``maeul console``: chat with the bot in a terminal, through the local Bot API emulator.

The real bot runs in this process and talks to the emulator over HTTP, exactly as it talks
to Telegram. Each input line is sent as the console user's message; the console then waits
until the bot has answered (and gone quiet) or a few seconds have passed, and prints what
the bot did. Inline buttons are numbered: type the number to press one (``\\3`` sends the
text "3"). Documents and photos the bot sends are saved under ``files_dir`` and their paths
shown. At end of input the bot is stopped cleanly, so the console can be scripted:
``printf '/start\\n' | maeul console``.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from bot.config import Settings
from bot.emulator import BotApiEmulator, EmulatorError, Event, User

CONSOLE_TOKEN = "1000:console"
CONSOLE_USER_ID = 10001
VISIBLE = {"message", "edit", "delete", "callback_answer"}
ANSWER_TIMEOUT = 5.0
QUIET = 0.4


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
    ) -> None:
        self.emu = emu
        self.user = user
        self.out = out
        self.files_dir = files_dir
        self.echo = echo
        self.answer_timeout = answer_timeout
        self.printed_seq = 0
        self.buttons: list[Button] = []

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
        if numbered:
            self.buttons = numbered

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
            lines = [attachment, *([body] if body else [])]
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
        path = self.files_dir / f"{message['message_id']}-{name}"
        path.write_bytes(self.emu.file_bytes(CONSOLE_TOKEN, file_id))
        return f"[{kind}] saved to {path.resolve()}"

    # --- sending what the user typed ----------------------------------------------------
    async def handle(self, line: str) -> None:
        line = line.rstrip("\r\n")
        if self.echo:
            self.write(f"> {line}")
        if not line.strip():
            return
        since = self.emu.last_seq(CONSOLE_TOKEN)
        if line.strip().isdigit() and self.buttons:
            if not self._press(int(line.strip())):
                return
        else:
            text = line[1:] if line.startswith("\\") else line
            self.emu.send_text(CONSOLE_TOKEN, self.user, text)
        await self.emu.wait_for_events(
            CONSOLE_TOKEN,
            chat_id=self.user.id,
            since=since,
            timeout=self.answer_timeout,
            quiet=QUIET,
            kinds=VISIBLE,
        )
        self.show_new()

    def _press(self, number: int) -> bool:
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


async def _read_line(stream: TextIO) -> str:
    return await asyncio.get_running_loop().run_in_executor(None, stream.readline)


async def run_console(
    settings: Settings,
    *,
    language_code: str | None = "ko",
    files_dir: Path = Path("console-files"),
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    from bot.app import build_application
    from bot.runner import prepare, start_polling, stop_polling
    from bot.runtime import Runtime

    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    logging.basicConfig(
        level=settings.log_level if settings.log_level == "DEBUG" else "WARNING",
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
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
            console = Console(emu, user, stdout, files_dir, echo=not interactive)
            if interactive:
                console.write(
                    "Maeul console — type a message or /command; a number presses a button; "
                    "Ctrl-D quits."
                )
                if settings.now_start is not None:
                    console.write(f"(clock starts at MAEUL_NOW={settings.now_start.isoformat()})")
            while True:
                console.show_new()  # anything the bot sent on its own meanwhile
                if interactive:
                    stdout.write("> ")
                    stdout.flush()
                line = await _read_line(stdin)
                if line == "":
                    break
                await console.handle(line)
            return 0
        except KeyboardInterrupt:
            return 130
        finally:
            if app is not None:
                await stop_polling(app)
            await runtime.close()
            await emu.stop()
