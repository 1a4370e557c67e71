"""The command menu, published per language with setMyCommands."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat
from telegram.error import TelegramError
from telegram.ext import Application

from bot.core.config import SUPPORTED_LANGUAGES
from bot.core.i18n import N_, Translator

log = logging.getLogger(__name__)

# (command, description). Feature modules append to this list when they register.
COMMANDS: list[tuple[str, str]] = [
    ("start", N_("Main menu")),
    ("help", N_("What I can do")),
    ("grants", N_("Grant programmes: open calls and deadlines")),
    ("events", N_("Upcoming events and trainings")),
    ("faq", N_("Frequently asked questions")),
    ("check", N_("Which grants fit my group?")),
    ("propose", N_("Propose an agenda item for your dong")),
    ("proposals", N_("Agenda proposals: browse and support")),
    ("vote", N_("General assembly votes (주민총회)")),
    ("verify", N_("Check that your ballot is counted")),
    ("myevents", N_("Events I registered for")),
    ("calendar", N_("My events as a calendar file")),
    ("subscribe", N_("News of events and grants you choose")),
    ("reminders", N_("When to remind me")),
    ("checkin", N_("Check in at an event with its code")),
    ("mydong", N_("Set your home dong")),
    ("mydata", N_("Everything stored about me")),
    ("forget", N_("Delete my data")),
    ("language", N_("Change language / 언어 변경")),
    ("cancel", N_("Cancel what you are doing")),
]


def commands_for(t: Translator) -> list[BotCommand]:
    return [BotCommand(name, t._(description)) for name, description in COMMANDS]


async def publish_commands(app: Application) -> None:  # type: ignore[type-arg]
    runtime = app.runtime  # type: ignore[attr-defined]
    tz = runtime.settings.tz
    try:
        default = Translator(runtime.settings.default_language, tz)
        await app.bot.set_my_commands(commands_for(default))
        for lang in SUPPORTED_LANGUAGES:
            await app.bot.set_my_commands(commands_for(Translator(lang, tz)), language_code=lang)
    except TelegramError:
        log.exception("could not publish the command menu")


async def publish_for_chat(app: Application, chat_id: int, t: Translator) -> None:  # type: ignore[type-arg]
    """After /language, show this chat's command menu in the chosen language."""
    try:
        await app.bot.set_my_commands(commands_for(t), scope=BotCommandScopeChat(chat_id))
    except TelegramError:
        log.warning("could not set the command menu for chat %s", chat_id, exc_info=True)
