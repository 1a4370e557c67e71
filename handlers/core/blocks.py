"""Building blocks every handler module shares, so that a handler module is parsing and
rendering only: paging lists, confirm/cancel dialogs, step-by-step questions,
"edit the pressed message in place, or send a new one", and the opening most handlers share
(find what a press is about, or refuse; :func:`opened_by`). Step-by-step conversations'
blocks are in :mod:`handlers.core.steps`.

Design and threat model
-----------------------
A button press is untrusted input. Its ``callback_data`` is whatever the client sends (up
to 64 bytes): a forged one, or a stale one from a message days old whose list, draft or
vote has changed since. So:

* Every handler is registered with a strict ``pattern``; :func:`matched` parses the data
  again and *refuses politely* (a localized alert, never an exception) when it does not
  match — the same refusal as for any other stale button.
* Callback data names *what* to act on, never *who may*: the handler re-checks the
  presser's right on every press (their own draft, staff of that dong, …).
* A confirmation ("Withdraw #12? Yes / No") is two presses; what was confirmed may have
  changed between them. :func:`stamp` gives a short digest of the state shown (a version,
  a status); put it in the "yes" data and compare it with :func:`stamp_matches` on the
  press, so a stale "yes" is refused instead of acting on something else. A stamp is not
  a signature (anyone can compute it): it detects staleness; authority is re-checked.
* Paging clamps the page number (:func:`paginate`): a forged ``page=9999`` shows the last
  page, a negative one the first, and nothing raises.

The formats of callback data already sent stay each feature's business: these blocks take
the data strings the feature builds, so buttons in users' old messages keep working.

Signatures here are stable; other modules import them. Add new blocks at the end. The
paging blocks live in :mod:`handlers.core.paging` and are importable from here.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.core.text import esc, shorten
from bot.telegram.context import MaeulContext
from handlers.core.paging import PAGE_SIZE as PAGE_SIZE
from handlers.core.paging import Page as Page
from handlers.core.paging import Rows as Rows
from handlers.core.paging import choices as choices
from handlers.core.paging import clamp_page as clamp_page
from handlers.core.paging import grid as grid
from handlers.core.paging import list_keyboard as list_keyboard
from handlers.core.paging import nav_row as nav_row
from handlers.core.paging import page_count as page_count
from handlers.core.paging import paginate as paginate

log = logging.getLogger(__name__)
T = TypeVar("T")

CALLBACK_DATA_MAX = 64  # bytes, Telegram's limit
ALERT_MAX = 200  # characters an answerCallbackQuery alert shows


# ---------------------------------------------------------------------------------------
# Answering a press, refusing one
# ---------------------------------------------------------------------------------------


def stale_text(context: MaeulContext) -> str:
    """The usual words for a forged or stale button."""
    return context.t._("This button is no longer valid. Please start again from the menu.")


async def answer(update: Update, text: str | None = None) -> None:
    """Answer the pressed button (a toast when ``text``); nothing for a typed message."""
    if update.callback_query is not None:
        await update.callback_query.answer(shorten(text, ALERT_MAX) if text else None)


async def refuse(update: Update, context: MaeulContext, text: str | None = None) -> None:
    """A localized refusal: an alert for a button press, a reply to a typed message.

    ``text`` defaults to :func:`stale_text`. Never raises for a forged press."""
    text = text or stale_text(context)
    query = update.callback_query
    if query is not None:
        await query.answer(shorten(text, ALERT_MAX), show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)


async def matched(
    update: Update,
    context: MaeulContext,
    pattern: re.Pattern[str],
    refusal: str | None = None,
) -> re.Match[str] | None:
    """The press's callback data parsed by ``pattern``; ``None`` (and a polite refusal)
    when the data is missing, longer than Telegram allows, or does not match."""
    query = update.callback_query
    data = query.data if query is not None else None
    found = None
    if isinstance(data, str) and len(data.encode()) <= CALLBACK_DATA_MAX:
        found = pattern.match(data)
    if found is None:
        await refuse(update, context, refusal)
    return found


def wanted_state(digit: str | None, current: bool) -> bool:
    """The state a button that sets one asks for: its digit (``1`` on, ``0`` off), which
    the button got when it was shown, so that pressed again after its reply was lost it
    does not undo what it did; a button from before buttons carried it toggles ``current``."""
    return not current if digit is None else digit == "1"


def stamp(*state: object) -> str:
    """Eight hex characters that change when ``state`` does (e.g. an id and a version).

    For the "yes" of a confirmation: see the module's threat model. Not a signature."""
    raw = "\x1f".join(str(part) for part in state).encode()
    return hashlib.blake2s(raw, digest_size=4).hexdigest()


def stamp_matches(value: str, *state: object) -> bool:
    """Whether ``value`` (from callback data) is the stamp of ``state`` now."""
    return hmac.compare_digest(value.encode(), stamp(*state).encode())


# ---------------------------------------------------------------------------------------
# Edit in place, or send
# ---------------------------------------------------------------------------------------


async def _edited(edit: Awaitable[object]) -> None:
    """Await an edit of a message; "message is not modified" (the same view again) is fine.
    Other errors propagate."""
    try:
        await edit
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


def buttons_or_none(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """No keyboard rather than an empty one: Telegram refuses a keyboard without buttons
    ("Can't parse reply keyboard markup"), and the whole message with it — an empty list
    ("no questions at the moment") would otherwise never reach the user."""
    if markup is None or not any(markup.inline_keyboard):
        return None
    return markup


def _html_options(markup: InlineKeyboardMarkup | None, link_preview: bool) -> dict[str, Any]:
    """What an HTML message sent or edited here says besides its text."""
    return {
        "parse_mode": ParseMode.HTML,
        "reply_markup": buttons_or_none(markup),
        "disable_web_page_preview": None if link_preview else True,
    }


async def send_html(
    context: MaeulContext,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    link_preview: bool = True,
) -> None:
    """A new HTML message (``link_preview=False`` hides the preview of links)."""
    await context.bot.send_message(chat_id, text, **_html_options(markup, link_preview))


async def edit_text(
    query: CallbackQuery,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    link_preview: bool = True,
) -> None:
    """Replace the pressed message's text and buttons; pressing the current view again
    ("message is not modified") is fine. Other errors propagate."""
    await _edited(query.edit_message_text(text, **_html_options(markup, link_preview)))


async def edit_buttons(query: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    """Replace the pressed message's buttons (``None`` removes them); "not modified" is fine."""
    await _edited(query.edit_message_reply_markup(markup))


async def show(
    update: Update,
    context: MaeulContext,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    edit: bool = False,
    link_preview: bool = True,
) -> None:
    """Edit the pressed message in place (``edit`` and a press), or send a new message.

    An edit that Telegram refuses (the message is too old, or has no text) falls back to
    sending; "not modified" (the same view pressed twice) does nothing."""
    query = update.callback_query
    if edit and query is not None and query.message is not None:
        try:
            await edit_text(query, text, markup, link_preview=link_preview)
            return
        except BadRequest:
            log.debug("could not edit, sending instead", exc_info=True)
    await send_html(context, update.effective_chat.id, text, markup, link_preview=link_preview)


async def drop_keyboard(update: Update) -> None:
    """Remove the buttons of the pressed message (quietly, if they are gone already)."""
    query = update.callback_query
    if query is None or query.message is None or not getattr(query.message, "reply_markup", None):
        return
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest:  # already without buttons, or too old to edit
        log.debug("could not remove the keyboard", exc_info=True)


# ---------------------------------------------------------------------------------------
# Confirm / cancel dialogs
# ---------------------------------------------------------------------------------------


def confirm_markup(yes: tuple[str, str], no: tuple[str, str]) -> InlineKeyboardMarkup:
    """One row: ``(label, callback data)`` of "yes" then of "no"."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(yes[0], callback_data=yes[1]),
                InlineKeyboardButton(no[0], callback_data=no[1]),
            ]
        ]
    )


async def ask_confirm(
    update: Update,
    context: MaeulContext,
    question: str,
    *,
    yes: tuple[str, str],
    no: tuple[str, str],
    edit: bool = False,
) -> None:
    """Answer the press and ask ``question`` (HTML, already escaped) with Yes / No.

    The "yes" handler must re-check everything (owner, state; :func:`stamp_matches`):
    the dialog may be old, or its data forged."""
    await answer(update)
    await show(update, context, question, confirm_markup(yes, no), edit=edit)


async def declined(update: Update, context: MaeulContext, text: str | None = None) -> None:
    """The "no" of a dialog: answer the press and put ``text`` (plain; default "OK,
    nothing was changed.") where the question was."""
    await answer(update)
    await show(
        update, context, esc(text or context.t._("OK, nothing was changed.")), None, edit=True
    )


# ---------------------------------------------------------------------------------------
# The opening of a press handler
# ---------------------------------------------------------------------------------------

Opened = Callable[[Update, MaeulContext], Coroutine[Any, Any, Any]]


def opened_by(
    find: Callable[[Update, MaeulContext], Awaitable[T | None]], otherwise: Any = None
) -> Callable[[Callable[[Update, MaeulContext, T], Awaitable[Any]]], Opened]:
    """The opening most handlers share, as a decorator: ``find`` what the press (or the
    typed answer) is about — refusing politely when it cannot: a stale or forged button, a
    right the presser lacks — and call ``handler(update, context, found)``. When ``find``
    returns ``None`` the handler is not called and ``otherwise`` (a conversation's state,
    say) is returned."""

    def wrap(handler: Callable[[Update, MaeulContext, T], Awaitable[Any]]) -> Opened:
        @functools.wraps(handler)
        async def opened(update: Update, context: MaeulContext) -> Any:
            found = await find(update, context)
            if found is None:
                return otherwise
            return await handler(update, context, found)

        return opened

    return wrap
