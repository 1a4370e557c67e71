"""/mydong: a two-step conversation to set the user's home dong (persistent across restarts)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.core.dongs import dong_name, get_dong, list_dongs
from bot.core.text import esc
from bot.core.users import set_home_dong
from bot.telegram.context import MaeulContext
from handlers.core.blocks import choices, confirm_markup, drop_keyboard, list_keyboard
from handlers.core.steps import TYPED, forgetting, press_buttons_then, typed_dong
from handlers.core.steps import conversation as blocks_conversation

CHOOSE, CONFIRM = "choose", "confirm"
KEY = "mydong_choice"


async def _dong_keyboard(context: MaeulContext) -> InlineKeyboardMarkup:
    t = context.t
    dongs = choices(
        ((d.id, dong_name(d, t.lang)) for d in await list_dongs(context.db)),
        lambda dong_id: f"mydong:pick:{dong_id}",
        lambda dong_id: dong_id == context.user.home_dong_id,
    )
    cancel = InlineKeyboardButton(t._("Cancel"), callback_data="mydong:cancel")
    return list_keyboard(dongs, footer=[cancel], width=2)


async def ask_dong(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    if update.callback_query:
        await update.callback_query.answer()
    if not await list_dongs(context.db):
        await context.bot.send_message(
            update.effective_chat.id,
            t._("No dongs are set up yet. Please ask the centre to import the knowledge base."),
        )
        return ConversationHandler.END
    current = await get_dong(context.db, context.user.home_dong_id or "")
    text = t._("Which dong do you live, work or study in? Choose below or type its name.")
    if current is not None:
        text = t._("Your home dong is {dong}.", dong=esc(dong_name(current, t.lang))) + "\n" + text
    await context.bot.send_message(
        update.effective_chat.id, text, reply_markup=await _dong_keyboard(context)
    )
    return CHOOSE


async def _confirm(update: Update, context: MaeulContext, dong_id: str) -> str:
    t = context.t
    dong = await get_dong(context.db, dong_id)
    assert dong is not None
    context.user_data[KEY] = dong.id  # type: ignore[index]
    keyboard = confirm_markup(
        yes=(t._("Yes, save"), "mydong:yes"), no=(t._("Choose again"), "mydong:again")
    )
    await context.bot.send_message(
        update.effective_chat.id,
        t._("Set {dong} as your home dong?", dong=dong_name(dong, t.lang)),  # plain text
        reply_markup=keyboard,
    )
    return CONFIRM


async def picked(update: Update, context: MaeulContext) -> str:
    query = update.callback_query
    dong_id = query.data.removeprefix("mydong:pick:")
    if await get_dong(context.db, dong_id) is None:
        await query.answer(context.t._("This button is no longer valid."), show_alert=True)
        return CHOOSE
    await query.answer()
    await drop_keyboard(update)
    return await _confirm(update, context, dong_id)


async def typed(update: Update, context: MaeulContext) -> str:
    dong = await typed_dong(update, context, lambda: _dong_keyboard(context))
    if dong is None:
        return CHOOSE
    return await _confirm(update, context, dong.id)


async def confirmed(update: Update, context: MaeulContext) -> int | str:
    query = update.callback_query
    t = context.t
    dong = await get_dong(context.db, str(context.user_data.get(KEY, "")))
    if dong is None:  # the dong was archived meanwhile
        await query.answer(t._("This button is no longer valid."), show_alert=True)
        return await ask_dong(update, context)
    await set_home_dong(context.db, context.user, dong.id)
    context.user_data.pop(KEY, None)
    await query.answer()
    await query.edit_message_text(
        t._("Saved. Your home dong is {dong}.", dong=esc(dong_name(dong, t.lang)))
    )
    return ConversationHandler.END


async def again(update: Update, context: MaeulContext) -> str | int:
    await drop_keyboard(update)
    return await ask_dong(update, context)


async def deep_link(update: Update, context: MaeulContext) -> str | int:
    """t.me/<bot>?start=dong_<id>: the QR code on a dong office poster."""
    dong_id = (context.args[0] if context.args else "").removeprefix("dong_")
    if await get_dong(context.db, dong_id) is None:  # (the picker next, not the menu)
        await update.effective_message.reply_text(
            context.t._("That link names no dong here. Choose your dong below.")
        )
        return await ask_dong(update, context)
    return await _confirm(update, context, dong_id)


def register(app: Application) -> None:  # type: ignore[type-arg]
    conversation = blocks_conversation(
        "mydong",
        [
            CommandHandler("mydong", ask_dong),
            CallbackQueryHandler(ask_dong, pattern=r"^menu:mydong$"),
            CommandHandler(
                "start", deep_link, filters=filters.Regex(r"^/start(@\w+)? dong_[A-Za-z0-9_-]+$")
            ),
        ],
        {
            CHOOSE: [
                CallbackQueryHandler(picked, pattern=r"^mydong:pick:[A-Za-z0-9_-]{1,50}$"),
                MessageHandler(TYPED, typed),
            ],
            CONFIRM: [
                CallbackQueryHandler(confirmed, pattern=r"^mydong:yes$"),
                CallbackQueryHandler(again, pattern=r"^mydong:again$"),
                MessageHandler(TYPED, press_buttons_then(CONFIRM)),
            ],
        },
        forgetting(KEY),
        r"^mydong:cancel$",
    )
    app.add_handler(conversation)
