"""The global error handler: log with context, tell the user in their language."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import Forbidden, TelegramError

from bot.core.scope import current_scope
from bot.telegram.context import MaeulContext

log = logging.getLogger("maeul.errors")


async def on_error(update: object, context: MaeulContext) -> None:
    error = context.error
    if isinstance(update, Update):
        user = update.effective_user
        chat = update.effective_chat
        what, secret = _describe(update)
        if secret:  # a voter's action: neither who nor what, only that it failed
            who = "user withheld"
        else:
            who = f"user {user.id if user else None}, chat {chat.id if chat else None}"
        log.error(
            "error while handling update %s (%s, %s): %r",
            update.update_id,
            who,
            what,
            error,
            exc_info=error,
        )
    else:
        log.error("error outside an update: %r", error, exc_info=error)
        return
    if isinstance(error, Forbidden) or chat is None or chat.type != ChatType.PRIVATE:
        return
    scope = current_scope()
    if scope is not None and scope.translator is not None:
        t = context.t
    else:  # the user's context never loaded (the database is away): Telegram's language
        t = context.runtime.translator(None, user.language_code if user else None)
    text = t._("Sorry, something went wrong on our side and nothing was saved. Please try again.")
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        else:
            await context.bot.send_message(chat.id, text)
    except TelegramError:
        log.warning("could not tell the user about the error", exc_info=True)


VOTE_BUTTONS = frozenset({"vote"})
"""Callback-data prefixes of a voter's presses (handlers/assembly/vote.py)."""
VOTE_COMMANDS = frozenset({"/vote", "/verify"})


def _describe(update: Update) -> tuple[str, bool]:
    """What the update was, without its content; and whether it was a voter's action.

    Never the callback data past its prefix (``vote:c:…:ynay`` is a ballot in clear), never
    a message's text (a typed voting code, a tracker, a resident's question), never a
    command's arguments (``/start vote_<code>``, ``/verify <tracker>``).
    """
    query = update.callback_query
    if query is not None:
        prefix = (query.data or "").split(":", 1)[0][:20]
        return f"button {prefix}:…", prefix in VOTE_BUTTONS
    message = update.effective_message
    if message is not None and message.text:
        if message.text.startswith("/"):
            command, _, args = message.text.partition(" ")
            command = command.split("@", 1)[0][:32]
            vote = command in VOTE_COMMANDS or args.strip().startswith("vote_")
            return f"command {command}", vote
        return f"text message ({len(message.text)} characters)", False
    return "other update", False
