"""Satisfaction surveys: the 1–5 buttons of the day-after message, and an optional comment.

Callback data: ``svy:<token>:<1-5>`` rates; ``svy:c:<token>`` asks for a comment (the
next text message), ``svy:skip`` ends without one. The token is the person's invitation
(:class:`models.events.SurveyInvitation`); the rating and the comment are stored apart
from it and from each other (:mod:`bot.events.attendance`), so nobody can tell who said what. A
comment that is too long is refused and asked again; nothing typed is lost silently.
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ConversationHandler, MessageHandler

from bot.core.i18n import N_
from bot.core.text import esc
from bot.events import attendance
from bot.telegram.context import MaeulContext
from handlers.core.browse import edit, refuse
from handlers.core.steps import TYPED, conversation, declining, too_long

RATE_RE = re.compile(r"^svy:([0-9a-f]{16}):([1-5])$")
COMMENT_RE = re.compile(r"^svy:c:([0-9a-f]{16})$")
COMMENT = "comment"
KEY = "survey_token"


async def rate(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    match = RATE_RE.match(query.data or "")
    assert match is not None
    token, rating = match.group(1), int(match.group(2))
    t = context.t
    result = await attendance.rate(context.db, context.user, token, rating)
    if result == "unknown":
        await refuse(query, context)
        return
    if result == "already":
        await query.answer(t._("You have already answered. Thank you!"), show_alert=True)
        return
    await query.answer(t._("Thank you!"))
    invitation = await attendance.invitation(context.db, token)
    rows = []
    if invitation is not None and not invitation.commented:
        rows.append(
            [
                InlineKeyboardButton(t._("💬 Add a comment"), callback_data=f"svy:c:{token}"),
            ]
        )
    text = esc(
        t._("Thank you! You gave {rating} out of 5. Your answer is anonymous.", rating=rating)
    )
    await edit(query, text, InlineKeyboardMarkup(rows) if rows else None)


async def ask_comment(update: Update, context: MaeulContext) -> str | int:
    query = update.callback_query
    match = COMMENT_RE.match(query.data or "")
    assert match is not None
    token = match.group(1)
    invitation = await attendance.invitation(context.db, token)
    t = context.t
    if invitation is None or invitation.user_id != context.user.id:
        await refuse(query, context)
        return ConversationHandler.END
    if invitation.commented:
        await query.answer(t._("You have already sent a comment. Thank you!"), show_alert=True)
        return ConversationHandler.END
    await query.answer()
    await query.edit_message_reply_markup(None)
    context.user_data[KEY] = token  # type: ignore[index]
    await context.bot.send_message(
        update.effective_chat.id,
        t._(
            "Please type your comment (up to {limit} characters). It is stored without your name.",
            limit=attendance.COMMENT_LIMIT,
        ),
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton(t._("Skip"), callback_data="svy:skip")]]
        ),
    )
    return COMMENT


async def typed_comment(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    text = update.effective_message.text or ""
    if await too_long(update, context, text, attendance.COMMENT_LIMIT):
        return COMMENT
    token = str(context.user_data.get(KEY, ""))
    result = await attendance.comment(context.db, context.user, token, text)
    context.user_data.pop(KEY, None)
    if result == "ok":
        await update.effective_message.reply_text(t._("Thank you! Your comment was saved."))
    else:
        await update.effective_message.reply_text(
            t._("You have already sent a comment. Thank you!")
        )
    return ConversationHandler.END


skip = declining(KEY, N_("No comment. Thank you!"))


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(
        conversation(
            "survey_comment",
            [CallbackQueryHandler(ask_comment, pattern=COMMENT_RE)],
            {
                COMMENT: [
                    MessageHandler(TYPED, typed_comment),
                    CallbackQueryHandler(skip, pattern=r"^svy:skip$"),
                ]
            },
            skip,
        )
    )
    app.add_handler(CallbackQueryHandler(rate, pattern=RATE_RE))


__all__ = ["register"]
