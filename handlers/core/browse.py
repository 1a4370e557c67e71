"""Helpers the browsing features share (/grants, /events, /faq, /check, staff edits): the
KB snapshot, the admin check, and the browsing flavour of the blocks in
:mod:`handlers.core.blocks` (no link previews, translated ◀ Previous / Next ▶)."""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, TypeVar

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.core.users import is_admin
from bot.kb import cards
from bot.kb.records import KnowledgeBase
from bot.telegram.context import MaeulContext
from handlers.core import blocks

PAGE_SIZE = blocks.PAGE_SIZE
T = TypeVar("T")
R = TypeVar("R")
PressHandler = Callable[[Update, MaeulContext, KnowledgeBase, re.Match[str]], Awaitable[Any]]


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


async def pressed(
    update: Update, context: MaeulContext, pattern: re.Pattern[str]
) -> tuple[KnowledgeBase, re.Match[str]] | None:
    """A press's parsed callback data and the KB snapshot; ``None`` after a polite refusal
    (data that does not parse) or the "nothing imported yet" notice."""
    match = await blocks.matched(update, context, pattern)
    if match is None:
        return None
    kb = await knowledge(update, context)
    return None if kb is None else (kb, match)


def on_press(
    pattern: re.Pattern[str],
    otherwise: Any = None,
    find: Callable[
        [Update, MaeulContext, re.Pattern[str]],
        Awaitable[tuple[KnowledgeBase, re.Match[str]] | None],
    ] = pressed,
) -> Callable[[PressHandler], Callable[[Update, MaeulContext], Coroutine[Any, Any, Any]]]:
    """The opening of a press handler, as a decorator: the handler is called with the KB
    snapshot and the parsed callback data, ``handler(update, context, kb, match)``. A press
    that :func:`pressed` (or ``find``, a stricter check) turned away returns ``otherwise``
    (the conversation's state, say) without calling it."""

    def wrap(handler: PressHandler) -> Callable[[Update, MaeulContext], Coroutine[Any, Any, Any]]:
        @functools.wraps(handler)
        async def opened(update: Update, context: MaeulContext) -> Any:
            found = await find(update, context, pattern)
            if found is None:
                return otherwise
            kb, match = found
            return await handler(update, context, kb, match)

        return opened

    return wrap


async def pressed_record(
    update: Update,
    context: MaeulContext,
    pattern: re.Pattern[str],
    find: Callable[[KnowledgeBase, str], R | None],
    gone: str,
    group: int = 1,
) -> tuple[KnowledgeBase, re.Match[str], R] | None:
    """:func:`pressed`, then the KB record the data's ``group`` names (``find``); ``None``
    after an alert saying ``gone`` when the record is no longer in the KB."""
    found = await pressed(update, context, pattern)
    if found is None:
        return None
    kb, match = found
    record = find(kb, match.group(group))
    if record is None:
        await refuse(update.callback_query, context, gone)
        return None
    return kb, match, record


def admin(context: MaeulContext) -> bool:
    return is_admin(context.user, context.runtime.settings.admin_ids)


def card_footer(
    context: MaeulContext, back: tuple[str, str], target: str, record_id: str
) -> list[InlineKeyboardButton]:
    """A KB card's last row: back to its list (``(label, data)``), and ✏️ Edit for admins
    (``kbedit:<target>:<ref>``, handlers.kb.edits)."""
    row = [InlineKeyboardButton(back[0], callback_data=back[1])]
    if admin(context):
        data = f"kbedit:{target}:{cards.ref(record_id, 48)}"
        row.append(InlineKeyboardButton(context.t._("✏️ Edit"), callback_data=data))
    return row


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
