"""The command menu, published per language with setMyCommands, and per chat for staff.

Everyone gets the residents' menu (the default scope, one per language). Staff and
district admins get their own menu in their private chat (``BotCommandScopeChat``, in
their language): the residents' commands followed by the staff ones (and /roles,
/kbexport for admins), so they can find /unanswered, /stats, /assembly … without being
told. The menu is a hint, never a permission: every staff command re-checks the role on
the server.

When the menu is set. A role can come from an invitation link (handlers.core.roles),
from the CLI (``maeul roles add``, no bot running) or from ``ADMIN_IDS``, and leave by
/roles or the CLI. Rather than follow each path, :func:`sync_menu` runs after the
features (group 1) on every private update and compares the menu the user should have
(``staff:ko``) with the one last set for them, kept in their ``user_data``
(:data:`MENU_KEY`; only for people who have or had a staff menu, so a resident has no
row). When they differ it sets the chat's menu — through MaeulBot, so only after the
update's transaction commits (a rolled-back role grant sets no menu, and the marker in
user_data is rolled back with it). So an invited colleague has the staff menu as soon as
the invitation is taken, /language re-sets it in the new language, and a CLI grant shows
on the person's next message or button — no durable row is needed, because nothing can
be shown to them before they next talk to the bot anyway (the menu only matters in their
open chat, and Telegram clients refresh it when the chat is used). An admin removing a
role in /roles also sets the removed person's menu at once (:func:`publish_for_user`).
"""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, TypeHandler

from bot.core.config import SUPPORTED_LANGUAGES
from bot.core.i18n import N_, Translator
from bot.core.scope import current_scope
from bot.core.users import is_admin, is_staff_of
from bot.telegram.context import MaeulContext
from models import User

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


# Staff of a dong (and admins): the screens of issue 13.
STAFF_COMMANDS: list[tuple[str, str]] = [
    ("unanswered", N_("Questions I could not answer")),
    ("stats", N_("The centre's numbers (staff)")),
    ("review", N_("Review agenda proposals (staff)")),
    ("assembly", N_("Run a general assembly (staff)")),
    ("staffevents", N_("Manage events: edit, move, attendance (staff)")),
    ("newevent", N_("Create an event (staff)")),
    ("announce", N_("Send a notice to subscribers (staff)")),
]
# District admins only.
ADMIN_COMMANDS: list[tuple[str, str]] = [
    ("roles", N_("Give and remove roles (admin)")),
    ("kbexport", N_("Export the knowledge base (admin)")),
]

RESIDENT, STAFF, ADMIN = "resident", "staff", "admin"
MENU_KEY = "menu"  # user_data: the kind and language of the menu last set for this chat
MENU_NOTE = "menu"  # UpdateScope.notes: the menu this update has already set


def commands_for(t: Translator, kind: str = RESIDENT) -> list[BotCommand]:
    pairs = list(COMMANDS)
    if kind in (STAFF, ADMIN):
        pairs += STAFF_COMMANDS
    if kind == ADMIN:
        pairs += ADMIN_COMMANDS
    return [BotCommand(name, t._(description)) for name, description in pairs]


def menu_kind(user: User, admin_ids: frozenset[int]) -> str:
    """Which menu this user should see (activists see the residents' one)."""
    if is_admin(user, admin_ids):
        return ADMIN
    if is_staff_of(user, None, admin_ids):
        return STAFF
    return RESIDENT


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
    """After /language, show this chat's command menu in the chosen language (the staff
    menu for staff: the update's user is read from its scope)."""
    scope = current_scope()
    user = scope.user if scope is not None else None
    kind = RESIDENT
    if user is not None and user.telegram_id == chat_id:
        kind = menu_kind(user, app.runtime.settings.admin_ids)  # type: ignore[attr-defined]
        scope.notes[MENU_NOTE] = f"{kind}:{t.lang}"
    try:
        await app.bot.set_my_commands(commands_for(t, kind), scope=BotCommandScopeChat(chat_id))
    except TelegramError:
        log.warning("could not set the command menu for chat %s", chat_id, exc_info=True)


async def publish_for_user(context: MaeulContext, user: User) -> None:
    """Set ``user``'s private-chat menu for their roles now, in their language (used when
    an admin changes someone else's roles; deferred by MaeulBot until the commit)."""
    runtime = context.runtime
    t = runtime.translator(user.language, user.telegram_language)
    kind = menu_kind(user, runtime.settings.admin_ids)
    try:
        await context.bot.set_my_commands(
            commands_for(t, kind), scope=BotCommandScopeChat(user.telegram_id)
        )
    except TelegramError:
        log.warning("could not set the command menu for %s", user.telegram_id, exc_info=True)


async def sync_menu(update: Update, context: MaeulContext) -> None:
    """Group 1: give this private chat the menu of the user's roles when it changed."""
    chat = update.effective_chat
    user = context.scope.user
    if chat is None or chat.type != ChatType.PRIVATE or user is None:
        return
    if context.scope.failed:  # a feature raised: rolled back, nothing more to do or say
        return
    data = context.user_data
    if data is None:
        return
    kind = menu_kind(user, context.runtime.settings.admin_ids)
    last = data.get(MENU_KEY)
    wanted = f"{kind}:{context.t.lang}"
    if context.scope.notes.get(MENU_NOTE) == wanted:
        last = wanted  # /language has just set it
    elif kind == RESIDENT and last is None:
        return  # a resident's menu is the default one (or /language's): nothing to undo
    if last == wanted:
        if kind == RESIDENT and MENU_KEY in data:
            del data[MENU_KEY]
        elif kind != RESIDENT and data.get(MENU_KEY) != wanted:
            data[MENU_KEY] = wanted
        return
    try:
        await context.bot.set_my_commands(
            commands_for(context.t, kind), scope=BotCommandScopeChat(chat.id)
        )
    except TelegramError:
        log.warning("could not set the command menu for chat %s", chat.id, exc_info=True)
        return
    if kind == RESIDENT:
        data.pop(MENU_KEY, None)
    else:
        data[MENU_KEY] = wanted


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(TypeHandler(Update, sync_menu), group=1)
