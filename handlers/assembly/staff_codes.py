"""Voting codes from the bot: staff ask for N codes and get the printable PDF sheet (12 cards
an A4 page, each with its QR code, the voting period and the centre's phone) as a document
in the chat.

The codes are stored only as keyed hashes (:func:`bot.assembly.service.issue_codes`); the
PDF is their only copy. It is made inside the update's transaction and sent after the
commit (MaeulBot defers the upload): if making it fails, nothing was issued; a code is
never issued without a sheet to hold it. The sheet passes through Telegram to the staff
member's chat — the same trust as the staff member's phone; the caption says to keep the
file like the printed cards. At most :data:`MAX_PER_SHEET` codes a press keeps the PDF well
under Telegram's 50 MB upload limit and its making to a few seconds.
"""

from __future__ import annotations

import asyncio

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot import assembly as A
from bot.assembly.render import card_period
from bot.assembly.service import title_of
from bot.assembly.sheets import codes_pdf
from bot.core.centre import centre_info
from bot.core.dongs import dong_name, get_dong
from bot.core.i18n import Translator
from bot.core.text import esc
from bot.telegram.context import MaeulContext
from handlers.assembly.staff_common import (
    CODES,
    cancel_button,
    forget,
    pressed_vote,
    ready_keyring,
    refused,
    remember,
    staff_vote,
    target,
    who,
)
from handlers.assembly.staff_panel import show_panel
from handlers.core import blocks
from models.assembly import AssemblyVote

MAX_PER_SHEET = 2000
PRESETS = (10, 50, 100, 500)


@blocks.opened_by(pressed_vote, ConversationHandler.END)
async def ask_count(update: Update, context: MaeulContext, vote: AssemblyVote) -> str | int:
    t = context.t
    await blocks.answer(update)
    remember(context, vote)
    rows = [
        [
            InlineKeyboardButton(t.format_number(n), callback_data=f"asm:cn:{vote.id}:{n}")
            for n in PRESETS
        ],
        [cancel_button(context)],
    ]
    question = t._(
        "How many voting codes? Type a number up to {max}, or pick one. You get a PDF to "
        "print: one card with a QR code per voter.",
        max=t.format_number(MAX_PER_SHEET),
    )
    await blocks.send_html(
        context, update.effective_chat.id, esc(question), InlineKeyboardMarkup(rows)
    )
    return CODES


async def typed_count(update: Update, context: MaeulContext) -> str | int:
    text = (update.effective_message.text or "").strip().replace(",", "")
    text = text.removesuffix("개").removesuffix("장").strip()
    vote = await target(update, context)
    if vote is None:
        return ConversationHandler.END
    if not text.isdigit() or not 1 <= int(text) <= MAX_PER_SHEET:
        await update.effective_message.reply_text(
            context.t._(
                "Please type a number from 1 to {max}, or /cancel.",
                max=context.t.format_number(MAX_PER_SHEET),
            )
        )
        return CODES
    return await _issue(update, context, vote, int(text))


async def picked_count(update: Update, context: MaeulContext) -> str | int:
    _, _, ref, count = (update.callback_query.data or "").split(":")
    vote = await staff_vote(update, context, ref)
    if vote is None:
        return ConversationHandler.END
    if int(count) not in PRESETS:
        await blocks.refuse(update, context)
        return CODES
    await blocks.answer(update)
    await blocks.drop_keyboard(update)
    return await _issue(update, context, vote, int(count))


async def _issue(update: Update, context: MaeulContext, vote: AssemblyVote, count: int) -> int:
    t = context.t
    ring = await ready_keyring(update, context)
    if ring is None:
        return ConversationHandler.END
    try:
        codes = await A.issue_codes(context.db, ring, vote, count, **who(context))
    except A.Refused as refusal:
        await refused(update, context, refusal)
        forget(context)
        return ConversationHandler.END
    settings = context.runtime.settings
    sheet_t = Translator(settings.default_language, settings.tz)  # the residents' language
    dong = await get_dong(context.db, vote.dong_id)
    centre = await centre_info(context.db, sheet_t.lang)
    pdf = await asyncio.to_thread(
        codes_pdf,
        codes,
        title=title_of(vote, sheet_t.lang),
        dong=dong_name(dong, sheet_t.lang) if dong else vote.dong_id,
        bot_username=context.bot.username,
        t=sheet_t,
        period=card_period(sheet_t, vote.opens_at, vote.closes_at),
        phone=centre.phone if centre else "",
    )
    forget(context)
    stamp = context.runtime.clock.now().astimezone(settings.tz).strftime("%Y%m%d-%H%M")
    await context.bot.send_document(
        update.effective_chat.id,
        pdf,
        filename=f"{vote.assembly_id}-codes-{stamp}.pdf",
        caption=t.n_(
            "{count} voting code for “{title}”. This file is the only copy of the codes: "
            "print it, cut the cards along the dotted lines, and keep the file safe.",
            "{count} voting codes for “{title}”. This file is the only copy of the codes: "
            "print it, cut the cards along the dotted lines, and keep the file safe.",
            count,
            count=t.format_number(count),
            title=title_of(vote, t.lang),
        ),
    )
    await show_panel(update, context, vote, edit=False)
    return ConversationHandler.END
