"""Group −1: decide whether we serve this update, then load the user and their language."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.core.users import get_user, touch_user
from bot.telegram.context import MaeulContext
from bot.telegram.persistence import UNCONFIRMED_NOTE
from handlers.core.conversations import end_superseded
from handlers.core.undelivered import UNDELIVERED

# Commands that get a reply in a group chat when addressed to the bot.
GROUP_COMMANDS = {"start", "help", "staffchat", "subscribe"}
# Button presses served in groups, by callback-data prefix (the handler checks who pressed).
GROUP_CALLBACKS = ("subs:",)  # /subscribe in a group, set by its administrators
# Group commands that act for the sender: their user row is looked up (never created).
GROUP_USER_COMMANDS = {"staffchat"}  # /staffchat: link a staff group (handlers.review)


def _group_command(update: Update, bot_username: str) -> str | None:
    message = update.effective_message
    if message is None or not message.text or not message.text.startswith("/"):
        return None
    head = message.text.split()[0][1:]
    name, _, target = head.partition("@")
    if target and target.lower() != bot_username.lower():
        return None
    return name.lower() if name.lower() in GROUP_COMMANDS else None


async def load_context(update: Update, context: MaeulContext) -> None:
    chat = update.effective_chat
    tg_user = update.effective_user
    scope = context.scope
    if chat is not None and chat.type != ChatType.PRIVATE:
        # Groups we do not serve: stay quiet, except for a short pointer to the private chat
        # when someone addresses /start or /help to the bot. No user row is made for people
        # only seen in groups.
        query = update.callback_query
        if query is not None and (query.data or "").startswith(GROUP_CALLBACKS):
            scope.translator = context.runtime.translator(
                None, tg_user.language_code if tg_user else None
            )
            return
        if query is not None:  # answered all the same: no spinner left running
            translator = context.runtime.translator(
                None, tg_user.language_code if tg_user else None
            )
            await query.answer(translator._("This button is no longer valid."))
            raise ApplicationHandlerStop
        command = _group_command(update, context.bot.username)
        if update.message is None or command is None:
            raise ApplicationHandlerStop
        if command in GROUP_USER_COMMANDS and tg_user is not None:
            scope.user = await get_user(context.db, tg_user.id)
        scope.translator = context.runtime.translator(
            scope.user.language if scope.user else None,
            tg_user.language_code if tg_user else None,
        )
        return
    if tg_user is None or tg_user.is_bot:
        raise ApplicationHandlerStop
    user = await touch_user(context.db, tg_user, context.runtime.clock.utcnow())
    scope.user = user
    scope.translator = context.runtime.translator(user.language, tg_user.language_code)
    if scope.notes.pop(UNCONFIRMED_NOTE, None):  # a step whose question never reached them
        await context.bot.send_message(chat.id, scope.translator._(UNDELIVERED))
    end_superseded(context.application, update)  # a new command leaves an abandoned wizard
