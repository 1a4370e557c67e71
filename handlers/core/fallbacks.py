"""Registered last in group 0: everything no feature handled gets a clear, localized reply.

And in :data:`LAST_GROUP`, after every feature: a button press nobody answered is answered
now ("This button is no longer valid."), so a client's spinner never runs until it gives
up. (Presses in groups the bot does not serve are answered by the context loader.)"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.core.scope import current_scope
from bot.core.text import shorten
from bot.telegram.context import MaeulContext
from handlers.core.menu import main_menu

log = logging.getLogger(__name__)

FREE_TEXT_LIMIT = 1000
LAST_GROUP = 1000
"""The handler group after every feature's (they use −1 and 0)."""


async def cancel_nothing(update: Update, context: MaeulContext) -> None:
    await update.effective_message.reply_text(
        context.t._("There is nothing to cancel."), reply_markup=main_menu(context.t)
    )


async def unknown_command(update: Update, context: MaeulContext) -> None:
    command = (update.effective_message.text or "").split()[0]
    await update.effective_message.reply_text(
        context.t._(
            "I don't know the command {command}. Type /help to see what I can do.",
            command=shorten(command, 40),  # plain text: shown as typed
        )
    )


async def edited(update: Update, context: MaeulContext) -> None:
    await update.effective_message.reply_text(
        context.t._(
            "I don't read edited messages. Please send the corrected text as a new message."
        )
    )


async def free_text(update: Update, context: MaeulContext) -> None:
    t = context.t
    text = update.effective_message.text or ""
    if len(text) > FREE_TEXT_LIMIT:
        await update.effective_message.reply_text(
            t._(
                "Your message is too long ({length} characters). Please keep it under {limit}.",
                length=t.format_number(len(text)),
                limit=t.format_number(FREE_TEXT_LIMIT),
            )
        )
        return
    await update.effective_message.reply_text(
        t._("Choose from the menu below, or type /help to see everything I can do."),
        reply_markup=main_menu(t),
    )


async def not_text(update: Update, context: MaeulContext) -> None:
    await update.effective_message.reply_text(
        context.t._("I can only read text messages and buttons here. Please type your message.")
    )


async def stale_button(update: Update, context: MaeulContext) -> None:
    """A press on a message whose buttons no longer apply (or forged data)."""
    query = update.callback_query
    await query.answer(
        context.t._("This button is no longer valid. Please start again from the menu."),
        show_alert=True,
    )
    message = query.message
    # Only a message that still shows buttons: removing none is an error at Telegram.
    if message is not None and getattr(message, "reply_markup", None) is not None:
        try:
            await query.edit_message_reply_markup(None)
        except BadRequest:  # too old to edit, or already without buttons
            log.debug("could not remove stale keyboard", exc_info=True)


def _answered(query_id: str) -> bool | None:
    """Whether this update has answered the press (None: cannot tell, outside a scope)."""
    scope = current_scope()
    if scope is None or not scope.deferring:
        return None
    return any(
        item.endpoint == "answerCallbackQuery"
        and str(item.data.get("callback_query_id")) == query_id
        for item in scope.outbox
    )


async def answer_the_unanswered(update: Update, context: MaeulContext) -> None:
    """After every feature: a press the handlers took but did not answer is answered."""
    query = update.callback_query
    if query is None or _answered(query.id) is not False:
        return
    await query.answer(context.t._("This button is no longer valid."))


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("cancel", cancel_nothing))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED, edited))
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(filters.TEXT, free_text))
    app.add_handler(MessageHandler(filters.ALL, not_text))
    app.add_handler(CallbackQueryHandler(stale_button))
    app.add_handler(CallbackQueryHandler(answer_the_unanswered), group=LAST_GROUP)
