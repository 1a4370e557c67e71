"""The global error handler: log with context, tell the user in their language."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import Forbidden, TelegramError

from bot.context import MaeulContext

log = logging.getLogger("maeul.errors")


async def on_error(update: object, context: MaeulContext) -> None:
    error = context.error
    if isinstance(update, Update):
        user = update.effective_user
        chat = update.effective_chat
        log.error(
            "error while handling update %s (user %s, chat %s, %s): %r",
            update.update_id,
            user.id if user else None,
            chat.id if chat else None,
            _describe(update),
            error,
            exc_info=error,
        )
    else:
        log.error("error outside an update: %r", error, exc_info=error)
        return
    if isinstance(error, Forbidden) or chat is None or chat.type != ChatType.PRIVATE:
        return
    t = context.t
    text = t._("Sorry, something went wrong on our side and nothing was saved. Please try again.")
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        else:
            await context.bot.send_message(chat.id, text)
    except TelegramError:
        log.warning("could not tell the user about the error", exc_info=True)


def _describe(update: Update) -> str:
    if update.callback_query is not None:
        return f"button {update.callback_query.data!r}"
    message = update.effective_message
    if message is not None and message.text:
        return f"text {message.text[:60]!r}"
    return "other update"
