"""Building blocks of step-by-step conversations, shared by every feature's handlers: the
question of a step, leaving a conversation (/cancel, a "no"), a typed text too long (given
back to shorten), text typed where buttons are expected, what a step reads as typed text, a
dong typed by name, the "yes" of a draft's preview, and the persistent
:class:`~telegram.ext.ConversationHandler` every feature builds the same way, which does not
wait for the answer to a question that never reached the person
(:mod:`handlers.core.undelivered`). The blocks for answering and refusing presses, showing a
screen and confirm dialogs are in :mod:`handlers.core.blocks` (its docstring has the threat
model)."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Coroutine, MutableMapping
from datetime import datetime
from typing import Any

from sqlalchemy import update as update_rows
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    filters,
)

from bot.core.dongs import list_dongs, match_dong
from bot.core.i18n import Translator
from bot.core.scope import current_scope
from bot.core.text import esc, shorten
from bot.telegram.context import MaeulContext
from bot.telegram.persistence import (
    conversation_key,
    forget_state,
)
from handlers.core.blocks import (
    answer,
    declined,
    drop_keyboard,
    edit_text,
    matched,
    refuse,
    send_html,
)
from handlers.core.undelivered import queued, unless_delivered
from models.kb import Dong
from models.persistence import PtbConversation

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------
# Step-by-step conversations
# ---------------------------------------------------------------------------------------


def step_text(
    t: Translator,
    number: int,
    total: int,
    *questions: str,
    now: str | None = None,
    heading: str | None = None,
    compact: bool = False,
) -> str:
    """The HTML of a step's question (the arguments are plain text, escaped here).

    ``(step 2 of 5)`` then the questions, each on its line, then ``Now: …`` when the
    answer so far is given (editing). ``compact`` writes ``<b>2/5</b> · question`` on one
    line instead; ``heading`` goes in bold before the step line."""
    if compact:
        first = f"<b>{number}/{total}</b> · " + esc(questions[0] if questions else "")
        lines = [first, *(esc(q) for q in questions[1:])]
    else:
        step = esc(t._("(step {n} of {total})", n=number, total=total))
        lines = [f"<b>{esc(heading)}</b> {step}" if heading else step]
        lines += [esc(q) for q in questions]
    if now:
        lines.append(esc(t._("Now: {text}", text=now)))
    return "\n".join(lines)


async def ask_step(
    update: Update,
    context: MaeulContext,
    number: int,
    total: int,
    *questions: str,
    now: str | None = None,
    markup: InlineKeyboardMarkup | None = None,
    heading: str | None = None,
    compact: bool = False,
) -> None:
    """Send a step's question (:func:`step_text`) as a new message with ``markup``."""
    text = step_text(
        context.t, number, total, *questions, now=now, heading=heading, compact=compact
    )
    await send_html(context, update.effective_chat.id, text, markup)


async def give_back(update: Update, context: MaeulContext, typed: str) -> None:
    """Send a refused text back to its author as a plain message, to copy and correct —
    nothing typed is lost."""
    chat_id = update.effective_chat.id
    await context.bot.send_message(
        chat_id, context.t._("Here is what you wrote, to copy and correct:")
    )
    await context.bot.send_message(chat_id, typed)


async def too_long(update: Update, context: MaeulContext, text: str, limit: int) -> bool:
    """Whether the typed ``text`` is longer than ``limit`` characters, after saying so and
    sending it back (its first 4,000 characters) to shorten — nothing typed is lost."""
    if len(text) <= limit:
        return False
    t = context.t
    await update.effective_message.reply_text(
        t._(
            "That is {length} characters; please keep it under {limit}. Here is your "
            "text to shorten:",
            length=t.format_number(len(text)),
            limit=t.format_number(limit),
        )
    )
    await update.effective_message.reply_text(text[:4000])
    return True


async def answered(update: Update, text: str) -> None:
    """Show the pressed answer (plain text) under the question and drop its buttons."""
    query = update.callback_query
    if query is not None and query.message is not None:
        question = getattr(query.message, "text_html", None) or ""
        await edit_text(query, f"{question}\n✔ {esc(text)}", None)


async def cancelled(
    update: Update, context: MaeulContext, text: str | None = None, *, forget: str | None = None
) -> int:
    """Leave a conversation or a waiting action: drop ``user_data[forget]``, answer the
    press and remove its buttons, and say ``text`` (plain; default "Cancelled. Nothing was
    changed."). Returns ``ConversationHandler.END``."""
    if forget is not None and context.user_data is not None:
        context.user_data.pop(forget, None)
    await answer(update)
    await drop_keyboard(update)
    await context.bot.send_message(
        update.effective_chat.id, text or context.t._("Cancelled. Nothing was changed.")
    )
    return ConversationHandler.END


def forgetting(key: str) -> Callable[[Update, MaeulContext], Coroutine[Any, Any, int]]:
    """The usual /cancel of a conversation whose draft is ``user_data[key]``:
    :func:`cancelled` with ``forget=key``."""

    async def cancel(update: Update, context: MaeulContext) -> int:
        return await cancelled(update, context, forget=key)

    return cancel


def conversation(
    name: str,
    entry_points: list[BaseHandler[Update, MaeulContext, object]],
    states: dict[object, list[BaseHandler[Update, MaeulContext, object]]],
    cancel: Callable[[Update, MaeulContext], Coroutine[Any, Any, object]],
    cancel_pattern: str | None = None,
) -> ConversationHandler[MaeulContext]:
    """A step-by-step conversation as every feature has it: persistent (its state is stored
    with the update's transaction, so a restart resumes it), taken over by its own entry
    again (``allow_reentry``), and left with /cancel — and with the button whose callback
    data matches ``cancel_pattern`` (a regular expression), when given: ``cancel``, often
    :func:`forgetting` the conversation's draft. A step whose question never reached the
    person (every attempt to send it failed after the commit) ends the conversation:
    :class:`_Conversation`."""
    fallbacks: list[BaseHandler[Update, MaeulContext, object]] = [CommandHandler("cancel", cancel)]
    if cancel_pattern is not None:
        fallbacks.append(CallbackQueryHandler(cancel, pattern=cancel_pattern))
    return _Conversation(
        name=name,
        persistent=True,
        entry_points=entry_points,
        states=states,
        fallbacks=fallbacks,
        allow_reentry=True,
    )


class _Conversation(ConversationHandler[MaeulContext]):
    """A conversation that does not wait for the answer to a question nobody saw.

    The state an update moves to is committed before its question is sent (bot/app.py).
    When an update enters a waiting state (a new state, or the conversation entered anew)
    and a message it said was then not delivered, the state is ended again
    (:func:`unless_delivered`): the person's next message is read as if no question were
    pending — not swallowed as the answer to a question they never saw — and they are told
    to try again."""

    async def handle_update(
        self,
        update: Update,
        application: Application,  # type: ignore[type-arg]
        check_result: Any,
        context: MaeulContext,
    ) -> object | None:
        old, key, handler, _ = check_result
        since = queued()
        result = await super().handle_update(update, application, check_result, context)
        new = self._conversations.get(key)
        scope = current_scope()
        if (
            isinstance(new, str | int)
            and (new != old or handler in self.entry_points)
            and scope is not None
            and scope.deferring
        ):
            asked_at = context.runtime.clock.utcnow()
            scope.before_commit.append(self._marking(key, asked_at))
            unless_delivered(
                update, context, since, self._ending(key, new), self._confirming(key, asked_at)
            )
        return result

    def _marking(self, key: Any, at: datetime) -> Callable[[AsyncSession], Awaitable[None]]:
        """In the step's transaction, after its state is written: its question is not yet
        known to be delivered (:func:`sweep_unconfirmed` ends it if that stays so)."""

        async def mark(session: AsyncSession) -> None:
            await session.execute(
                update_rows(PtbConversation)
                .where(PtbConversation.name == self.name)
                .where(PtbConversation.key == conversation_key(key))
                .values(unconfirmed_at=at)
            )

        return mark

    def _confirming(self, key: Any, at: datetime) -> Callable[[AsyncSession], Awaitable[bool]]:
        """Once the question was delivered: clear the mark of :meth:`_marking` (unless a
        later step has marked the conversation since)."""

        async def confirm(session: AsyncSession) -> bool:
            result = await session.execute(
                update_rows(PtbConversation)
                .where(PtbConversation.name == self.name)
                .where(PtbConversation.key == conversation_key(key))
                .where(PtbConversation.unconfirmed_at == at)
                .values(unconfirmed_at=None)
            )
            return bool(getattr(result, "rowcount", 0))

        return confirm

    def _ending(self, key: Any, state: object) -> Callable[[AsyncSession], Awaitable[bool]]:
        async def end(session: AsyncSession) -> bool:
            row = await session.get(
                PtbConversation, (self.name, conversation_key(key)), with_for_update=True
            )
            if row is None or row.state.get("s") != state:
                return False  # moved on since (another update): that stands
            await session.delete(row)
            forget_state(self, key, state)  # this instance's copy
            return True

        return end


# ---------------------------------------------------------------------------------------
# Text typed where a button is expected
# ---------------------------------------------------------------------------------------


async def press_buttons(update: Update, context: MaeulContext) -> None:
    """Text typed in a step that is answered with buttons: ask for the buttons (the
    conversation stays where it is)."""
    await update.effective_message.reply_text(
        context.t._("Please answer with the buttons above, or type /cancel to stop.")
    )


def press_buttons_then(
    state: object,
) -> Callable[[Update, MaeulContext], Coroutine[Any, Any, object]]:
    """:func:`press_buttons` as a callback that returns ``state`` (the step it is in)."""

    async def callback(update: Update, context: MaeulContext) -> object:
        await press_buttons(update, context)
        return state

    # the console tells a step that takes typed text from one that only takes buttons by
    # this name (bot.console.BUTTONS_ONLY)
    callback.__name__ = press_buttons.__name__
    return callback


async def declined_out(
    update: Update, context: MaeulContext, text: str | None = None, *, forget: str
) -> int:
    """Leave a conversation with the "no" of its dialog: drop ``user_data[forget]``, then
    :func:`declined` (``text`` where the question was). Returns ``ConversationHandler.END``."""
    if context.user_data is not None:
        context.user_data.pop(forget, None)
    await declined(update, context, text)
    return ConversationHandler.END


def declining(key: str, text: str) -> Callable[[Update, MaeulContext], Coroutine[Any, Any, int]]:
    """A conversation's way out through the "no" of its dialog (and /cancel): drop
    ``user_data[key]`` and say ``text`` where the question was — :func:`declined_out` as a
    callback. ``text`` is marked with ``N_`` and translated when said."""

    async def decline(update: Update, context: MaeulContext) -> int:
        return await declined_out(update, context, context.t._(text), forget=key)

    return decline


# ---------------------------------------------------------------------------------------
# What a step reads as typed text
# ---------------------------------------------------------------------------------------

TYPED = filters.TEXT & ~filters.COMMAND
"""A message typed in answer to a step: text that is not a /command (a command is the
conversation's own, like /cancel, or leaves it)."""


# ---------------------------------------------------------------------------------------
# A dong typed by name
# ---------------------------------------------------------------------------------------


async def typed_dong(
    update: Update,
    context: MaeulContext,
    keyboard: Callable[[], Awaitable[InlineKeyboardMarkup]] | None = None,
) -> Dong | None:
    """The dong the typed message names (its first 100 characters, as
    :func:`bot.core.dongs.match_dong` reads them), or ``None`` after replying that there is
    no such dong — the typed text quoted as typed (plain text), with the buttons ``keyboard``
    makes when given."""
    text = update.effective_message.text or ""
    dong = match_dong(await list_dongs(context.db), text[:100])
    if dong is None:
        await update.effective_message.reply_text(
            context.t._(
                "I could not find a dong called “{text}”. Please choose one of the buttons.",
                text=shorten(text, 40),
            ),
            reply_markup=await keyboard() if keyboard is not None else None,
        )
    return dong


# ---------------------------------------------------------------------------------------
# The "yes" of a draft's preview
# ---------------------------------------------------------------------------------------


def fresh_nonce(draft: MutableMapping[str, Any]) -> str:
    """A new nonce for the preview of ``draft`` about to be shown, kept in
    ``draft["nonce"]``: the preview's "yes" button carries it, so that only the latest
    preview confirms (:func:`confirms_preview`). Dropping ``draft["nonce"]`` when a field
    is asked again retires the preview on screen."""
    nonce = secrets.token_hex(4)
    draft["nonce"] = nonce
    return nonce


async def confirms_preview(
    update: Update, context: MaeulContext, pattern: re.Pattern[str], draft: MutableMapping[str, Any]
) -> bool:
    """Whether the press (data matching ``pattern``, the nonce its first group) is the "yes"
    of the latest preview of ``draft``; after a polite refusal when it is not (an older
    preview, or a forged press), so the conversation stays where it is."""
    match = await matched(update, context, pattern)
    if match is None:
        return False
    if draft.get("nonce") != match.group(1):
        await refuse(update, context)
        return False
    return True
