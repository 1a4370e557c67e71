"""Helpers the browsing features share (/grants, /events, /faq, /check, staff edits)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TypeVar

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.core.users import is_admin
from bot.kb.records import KnowledgeBase
from bot.telegram.context import MaeulContext

log = logging.getLogger(__name__)

PAGE_SIZE = 6
T = TypeVar("T")


async def knowledge(update: Update, context: MaeulContext) -> KnowledgeBase | None:
    """The KB snapshot; without one, tell the user (and answer a pressed button)."""
    kb = await context.runtime.knowledge.get()
    if kb is None:
        text = context.t._(
            "Nothing has been imported yet. Please ask the centre to import the knowledge base."
        )
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        else:
            await context.bot.send_message(update.effective_chat.id, text)
    return kb


def admin(context: MaeulContext) -> bool:
    return is_admin(context.user, context.runtime.settings.admin_ids)


async def refuse(
    query: CallbackQuery | None, context: MaeulContext, text: str | None = None
) -> None:
    """A forged or stale press: a localized alert, never an exception."""
    assert query is not None
    await query.answer(
        text or context.t._("This button is no longer valid. Please start again from the menu."),
        show_alert=True,
    )


async def send(
    update: Update, context: MaeulContext, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    await context.bot.send_message(
        update.effective_chat.id,
        text,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        disable_web_page_preview=True,
    )


async def edit(query: CallbackQuery | None, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Replace a message's text and buttons; pressing the current view again is fine."""
    assert query is not None
    try:
        await query.edit_message_text(
            text, parse_mode=ParseMode.HTML, reply_markup=markup, disable_web_page_preview=True
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def edit_markup(query: CallbackQuery | None, markup: InlineKeyboardMarkup | None) -> None:
    assert query is not None
    try:
        await query.edit_message_reply_markup(markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


def page_of(items: Sequence[T], page: int, size: int = PAGE_SIZE) -> tuple[list[T], int, int]:
    """(items on the page, the page actually shown, number of pages); clamps ``page``."""
    pages = max(1, -(-len(items) // size))
    page = min(max(page, 0), pages - 1)
    return list(items[page * size : (page + 1) * size]), page, pages


def nav_row(
    context: MaeulContext, page: int, pages: int, data_for_page: str
) -> list[InlineKeyboardButton]:
    """◀ / ▶ buttons; ``data_for_page`` has a ``{page}`` placeholder."""
    t = context.t
    row = []
    if page > 0:
        row.append(
            InlineKeyboardButton(
                t._("◀ Previous"), callback_data=data_for_page.format(page=page - 1)
            )
        )
    if page < pages - 1:
        row.append(
            InlineKeyboardButton(t._("Next ▶"), callback_data=data_for_page.format(page=page + 1))
        )
    return row


def rows_of(
    buttons: list[InlineKeyboardButton], width: int = 2
) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]
