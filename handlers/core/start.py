"""/start (with deep links), /help and the main-menu buttons."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.core.centre import centre_info
from bot.core.text import esc
from bot.telegram.context import MaeulContext
from handlers.core import topic
from handlers.core.commands import commands_for, menu_kind
from handlers.core.menu import main_menu

DeepLink = Callable[[Update, MaeulContext, str], Awaitable[None]]

# Deep-link payloads (t.me/<bot>?start=<prefix>_<arg>) are routed to their feature.
# Features add their prefix here when they register (e.g. "vote" for assembly codes).
DEEP_LINKS: dict[str, DeepLink] = {}
PAYLOAD_RE = re.compile(r"^([a-z]+)_([A-Za-z0-9_-]{1,60})$")


async def invalid_link(update: Update, context: MaeulContext) -> None:
    """Say that the deep link (or the link's argument) is not valid or has expired. The
    words promise the main menu: the caller shows it next (:func:`send_welcome`)."""
    await update.effective_message.reply_text(
        context.t._("That link is not valid or has expired. Here is the main menu.")
    )


# A row's number in a link: up to 9 digits, as in the buttons' data (a longer one is no
# row's, and overflows the database's integer)
NUMBER_RE = re.compile(r"^[0-9]{1,9}$")


def numbered_link(show: Callable[[Update, MaeulContext, int], Awaitable[None]]) -> DeepLink:
    """A deep link whose argument is a number (a proposal's, say), passed to ``show``; any
    other argument is an :func:`invalid_link`, and the main menu it promises."""

    async def route(update: Update, context: MaeulContext, arg: str) -> None:
        if not NUMBER_RE.match(arg):
            await invalid_link(update, context)
            await send_welcome(update, context)
            return
        await show(update, context, int(arg))

    return route


async def send_welcome(update: Update, context: MaeulContext) -> None:
    t = context.t
    centre = await centre_info(context.db, t.lang)
    name = context.user.first_name or ""
    lines = [t._("Hello, {name}! I am Maeul, your village assistant.", name=esc(name))]
    if centre is not None:
        lines.append(t._("I help residents and activists of {centre}.", centre=esc(centre.name)))
    lines.append(t._("Choose from the menu below, or type /help to see everything I can do."))
    await context.bot.send_message(
        update.effective_chat.id,
        "\n\n".join(lines),
        parse_mode=ParseMode.HTML,
        reply_markup=main_menu(t),
    )


async def start(update: Update, context: MaeulContext) -> None:
    chat = update.effective_chat
    if chat.type != ChatType.PRIVATE:
        await group_pointer(update, context)
        return
    payload = context.args[0] if context.args else ""
    if payload:
        match = PAYLOAD_RE.match(payload)
        route = DEEP_LINKS.get(match.group(1)) if match else None
        if route is not None and match is not None:
            await route(update, context, match.group(2))
            return
        await invalid_link(update, context)
    topic.forget(context)  # a fresh start: "그럼 서류는요?" is about no earlier answer
    await send_welcome(update, context)


async def group_pointer(update: Update, context: MaeulContext) -> None:
    t = context.t
    await update.effective_message.reply_text(
        t._("I work in a private chat. Open t.me/{bot} and press Start.", bot=context.bot.username)
    )


async def help_command(update: Update, context: MaeulContext) -> None:
    chat = update.effective_chat
    if chat.type != ChatType.PRIVATE:
        await group_pointer(update, context)
        return
    t = context.t
    lines = [f"<b>{esc(t._('What I can do'))}</b>", ""]
    # staff and admins see their commands too, as in their command menu
    kind = menu_kind(context.user, context.runtime.settings.admin_ids)
    lines += [f"/{c.command} — {esc(c.description)}" for c in commands_for(t, kind)]
    centre = await centre_info(context.db, t.lang)
    if centre is not None:
        lines += [
            "",
            t._(
                "Questions I cannot answer: {centre}, {phone} ({hours}), {email}",
                centre=esc(centre.name),
                phone=esc(centre.phone),
                hours=esc(centre.hours),
                email=esc(centre.email),
            ),
        ]
    await context.bot.send_message(
        chat.id, "\n".join(lines), parse_mode=ParseMode.HTML, reply_markup=main_menu(t)
    )


async def menu_button(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    await query.answer()
    key = query.data.split(":", 1)[1]
    if key == "help":
        await help_command(update, context)
    elif key == "home":
        await send_welcome(update, context)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CallbackQueryHandler(menu_button, pattern=r"^menu:(help|home)$"))
