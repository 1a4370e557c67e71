"""/language: switch between Korean and English; the choice is saved."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.core.config import SUPPORTED_LANGUAGES
from bot.core.i18n import LANGUAGE_NAMES
from bot.core.users import set_language
from bot.telegram.context import MaeulContext
from handlers.core.commands import publish_for_chat
from handlers.core.menu import main_menu


def language_keyboard(current: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    ("✓ " if code == current else "") + LANGUAGE_NAMES[code],
                    callback_data=f"lang:{code}",
                )
                for code in SUPPORTED_LANGUAGES
            ]
        ]
    )


async def ask_language(update: Update, context: MaeulContext) -> None:
    t = context.t
    if update.callback_query:
        await update.callback_query.answer()
    await context.bot.send_message(
        update.effective_chat.id,
        t._("Choose your language. / 언어를 고르세요."),
        reply_markup=language_keyboard(t.lang),
    )


async def change_language(update: Update, context: MaeulContext, lang: str) -> None:
    await set_language(context.db, context.user, lang)
    t = context.runtime.translator(lang)
    context.scope.translator = t
    await publish_for_chat(context.application, update.effective_chat.id, t)


async def choose_language(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    lang = query.data.split(":", 1)[1]
    if lang not in SUPPORTED_LANGUAGES:
        await query.answer(context.t._("This button is no longer valid."), show_alert=True)
        return
    await change_language(update, context, lang)
    t = context.t
    await query.answer()
    await query.edit_message_text(t._("Language set to English."))
    await context.bot.send_message(
        update.effective_chat.id, t._("Choose from the menu below."), reply_markup=main_menu(t)
    )


async def language_deep_link(update: Update, context: MaeulContext, arg: str) -> None:
    """t.me/<bot>?start=lang_en — links the centre shares with residents from abroad."""
    from handlers.core.start import send_welcome

    if arg in SUPPORTED_LANGUAGES:
        await change_language(update, context, arg)
    await send_welcome(update, context)


def register(app: Application) -> None:  # type: ignore[type-arg]
    from handlers.core.start import DEEP_LINKS

    DEEP_LINKS["lang"] = language_deep_link
    app.add_handler(CommandHandler("language", ask_language))
    app.add_handler(CallbackQueryHandler(ask_language, pattern=r"^menu:language$"))
    app.add_handler(CallbackQueryHandler(choose_language, pattern=r"^lang:[a-z]{2}$"))
