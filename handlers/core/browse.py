"""Helpers the browsing features share (/grants, /events, /faq, /check, staff edits): the
KB snapshot, the admin check, and the browsing flavour of the blocks in
:mod:`handlers.core.blocks` (no link previews, translated ◀ Previous / Next ▶)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.core.users import is_admin
from bot.kb.records import KnowledgeBase
from bot.telegram.context import MaeulContext
from handlers.core import blocks

PAGE_SIZE = blocks.PAGE_SIZE
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
    await query.answer(text or blocks.stale_text(context), show_alert=True)


async def send(
    update: Update, context: MaeulContext, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """A new HTML message, without link previews."""
    await blocks.send_html(context, update.effective_chat.id, text, markup, link_preview=False)


async def edit(query: CallbackQuery | None, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Replace a message's text and buttons; pressing the current view again is fine."""
    assert query is not None
    await blocks.edit_text(query, text, markup, link_preview=False)


async def edit_markup(query: CallbackQuery | None, markup: InlineKeyboardMarkup | None) -> None:
    assert query is not None
    await blocks.edit_buttons(query, markup)


def page_of(items: Sequence[T], page: int, size: int = PAGE_SIZE) -> tuple[list[T], int, int]:
    """(items on the page, the page actually shown, number of pages); clamps ``page``."""
    shown = blocks.paginate(items, page, size)
    return shown.items, shown.number, shown.count


def nav_row(
    context: MaeulContext, page: int, pages: int, data_for_page: str
) -> list[InlineKeyboardButton]:
    """◀ / ▶ buttons; ``data_for_page`` has a ``{page}`` placeholder."""
    t = context.t
    return blocks.nav_row(
        page, pages, data_for_page, previous=t._("◀ Previous"), following=t._("Next ▶")
    )


def rows_of(
    buttons: list[InlineKeyboardButton], width: int = 2
) -> list[list[InlineKeyboardButton]]:
    return blocks.grid(buttons, width)
