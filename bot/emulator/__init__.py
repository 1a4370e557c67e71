"""Local Telegram Bot API emulator ("a fake Telegram" for development and tests).

Quick start (tests / console)::

    from bot.emulator import BotApiEmulator, User

    async with BotApiEmulator() as emu:
        app = (ApplicationBuilder().token("123:ABC")
               .base_url(emu.base_url).base_file_url(emu.base_file_url).build())
        ...  # start the application and its polling
        alice = User(id=1001, first_name="Alice")
        emu.send_text("123:ABC", alice, "/start")
        events = await emu.wait_for_events("123:ABC", chat_id=alice.id)

Standalone: ``python -m bot.emulator --port 8081``.

Modules: :mod:`~bot.emulator.server` (HTTP, :class:`BotApiEmulator`),
:mod:`~bot.emulator.core` (state and Bot API semantics), :mod:`~bot.emulator.markup`
(HTML / MarkdownV2 / Markdown parsing and entities), :mod:`~bot.emulator.files`.
"""

from bot.emulator.core import (
    DEFAULT_ALLOWED_UPDATES,
    ApiCallError,
    ApiError,
    Chat,
    EmulatorCore,
    EmulatorError,
    Event,
    Upload,
    User,
)
from bot.emulator.markup import EntityParseError, format_text, utf16_len
from bot.emulator.server import BotApiEmulator

__all__ = [
    "DEFAULT_ALLOWED_UPDATES",
    "ApiCallError",
    "ApiError",
    "BotApiEmulator",
    "Chat",
    "EmulatorCore",
    "EmulatorError",
    "EntityParseError",
    "Event",
    "Upload",
    "User",
    "format_text",
    "utf16_len",
]
