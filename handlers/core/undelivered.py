"""A step's question that never reached the person: the step must not wait for its answer.

A step-by-step conversation (:mod:`handlers.core.steps`), or a wait kept in ``user_data``
(the reason of a rejection), moves to the state that awaits the answer in the update's
transaction, and the question is sent after the commit (bot/app.py). Two ways it can fail
to arrive:

- every attempt to send it fails (a 5xx, a dropped connection): :func:`unless_delivered`
  stops the waiting in a transaction of its own and tells the person to try again;
- the process dies between the commit and the send (killed, the machine lost): nobody is
  left to notice. The step's transaction marks the wait as asked and not yet delivered
  (``ptb_conversations.unconfirmed_at``; :data:`ASKED` in a ``user_data`` value), the
  delivery clears the mark, and a mark still set is a death: the person's next message
  ends the wait instead of being taken as the answer (the persistence's
  ``load_for_update``; :func:`never_asked`), and :func:`sweep_unconfirmed` ends the steps
  of people who wait for us, telling them with a durable message.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.core.db import begin_for_writing
from bot.core.i18n import N_
from bot.core.scope import current_scope
from bot.core.text import esc
from bot.reminders.outbox import tell
from bot.telegram.context import MaeulContext
from bot.telegram.persistence import (
    UNDER_WAY,
    conversation_key_back,
    forget_state,
    persistent_conversations,
    rewrite_value,
)
from models.persistence import PtbConversation, PtbUserData
from models.user import User

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def own_transaction(app: Any, runtime: Any) -> AsyncIterator[AsyncSession]:
    """A write transaction outside an update: the application's (:meth:`bot.app.
    MaeulApplication.transaction`, in turn with the updates), else a plain one."""
    opened = getattr(app, "transaction", None)
    if opened is not None:
        async with opened() as session:
            yield session
        return
    async with runtime.sessionmaker() as session:
        await begin_for_writing(session)
        yield session


def queued() -> int:
    """How many Bot API calls the open update has said so far: the ``since`` of
    :func:`unless_delivered` (0 outside an update)."""
    scope = current_scope()
    return len(scope.outbox) if scope is not None else 0


def unless_delivered(
    update: Update,
    context: MaeulContext,
    since: int,
    undo: Callable[[AsyncSession], Awaitable[bool]],
    confirm: Callable[[AsyncSession], Awaitable[bool]] | None = None,
) -> None:
    """The messages the open update said from ``since`` on (:func:`queued`) ask a question
    whose answer is then awaited. Once they are sent after the commit, if one was not
    delivered (a toast aside), ``undo`` stops the waiting in a transaction of its own (it
    returns whether it still had something to undo), and the person is told, if Telegram
    takes it now, that it failed and to try again. If all were delivered, ``confirm`` (when
    given) records that in a transaction of its own."""
    scope = current_scope()
    if scope is None or not scope.deferring or update.effective_chat is None:
        return
    asked = scope.outbox[since:]
    chat_id, t, bot, runtime = update.effective_chat.id, context.t, context.bot, context.runtime

    application = context.application

    async def check() -> None:
        if all(i.delivered is not False or i.endpoint == "answerCallbackQuery" for i in asked):
            if confirm is not None:
                try:
                    async with own_transaction(application, runtime) as session:
                        await confirm(session)
                        await session.commit()
                except SQLAlchemyError:  # the sweep will end the step: safe, if needless
                    log.warning("could not record that a step's question was delivered")
            return
        try:
            async with own_transaction(application, runtime) as session:
                if not await undo(session):
                    return
                await session.commit()
        except SQLAlchemyError:
            log.warning("could not stop waiting for the answer to an undelivered question")
            return
        try:
            await bot.send_message(chat_id, t._(UNDELIVERED))
        except TelegramError:
            log.info("the notice of an undelivered question was not delivered either")

    scope.after_commit.append(check)


def dropping_user_data(
    update: Update, context: MaeulContext, key: str
) -> Callable[[AsyncSession], Awaitable[bool]]:
    """The ``undo`` of :func:`unless_delivered` for a question awaited while
    ``user_data[key]`` holds what it is about: ``key`` is dropped, unless it has changed
    since."""
    return _rewriting_user_data(update, context, key, None)


def _rewriting_user_data(
    update: Update, context: MaeulContext, key: str, new: dict[str, Any] | None
) -> Callable[[AsyncSession], Awaitable[bool]]:
    """``user_data[key]`` becomes ``new`` (None: dropped), stored and in this instance's
    memory, in a transaction of its own — unless it has changed since now; returns whether
    it was still the same."""
    user_id, value = update.effective_user.id, context.user_data.get(key)

    async def rewrite(session: AsyncSession) -> bool:
        now = context.runtime.clock.utcnow()
        return await rewrite_value(
            session, PtbUserData, user_id, key, value, new, context.user_data, now
        )

    return rewrite


ASKED = "asked"
"""In a ``user_data`` value awaiting a typed answer (:func:`awaiting_typed`): when its
question was asked, until it is known to be delivered."""


def awaiting_typed(update: Update, context: MaeulContext, key: str, since: int) -> None:
    """``user_data[key]`` (a dict) awaits the answer to the question the open update said
    from ``since`` on, typed outside a conversation (the reason of a rejection …). As
    :class:`_Conversation` does for a step: if the question is not delivered, the waiting
    stops (:func:`unless_delivered`); and until it is known to be delivered the value
    carries :data:`ASKED`, so that a process killed before sending it leaves a wait that
    :func:`never_asked` recognises when the person next types."""
    value = context.user_data.get(key)
    if not isinstance(value, dict):
        return
    value[ASKED] = context.runtime.clock.utcnow().isoformat()
    unless_delivered(
        update,
        context,
        since,
        dropping_user_data(update, context, key),
        # delivered: the value loses its mark
        _rewriting_user_data(update, context, key, {k: v for k, v in value.items() if k != ASKED}),
    )


def never_asked(context: MaeulContext, key: str) -> bool:
    """Whether ``user_data[key]`` awaits the answer to a question still not known to be
    delivered a moment after it was asked (:func:`awaiting_typed`): an update of the same
    chat is handled only once the previous one's replies went out, so the process that
    asked died first — the person never saw the question. The caller drops the wait and
    says :data:`UNDELIVERED` instead of taking the text as the answer."""
    value = context.user_data.get(key)
    asked = value.get(ASKED) if isinstance(value, dict) else None
    if not isinstance(asked, str):
        return False
    try:
        at = datetime.fromisoformat(asked)
    except ValueError:
        return True
    return at < context.runtime.clock.utcnow() - UNDER_WAY


UNDELIVERED = N_(
    "Sorry, my last message did not reach you, so I am not waiting for an answer to it. "
    "Please try again."
)


async def sweep_unconfirmed(app: Application) -> int:  # type: ignore[type-arg]
    """End the steps whose question is still not known to be delivered
    ``UNCONFIRMED_QUESTION_SECONDS`` after the step committed, and tell each person so.

    A step's new state is committed before its question is sent (bot/app.py). When the
    process dies in between — killed, or the machine lost — nobody is left to see that the
    question never went out (:func:`unless_delivered` runs in that process), and the step
    would wait for the answer to a question the person never saw: the next thing they type
    (often what they had typed, again) would be taken as that answer. The step's
    transaction marks its conversation row (``unconfirmed_at``), the delivery clears it;
    a mark that outlives the grace is such a death. The conversation ends (what the steps
    saved elsewhere, a proposal's draft, stays: the feature's command offers to continue
    it), and the person is told with a durable message (bot.reminders.outbox), which the
    reminder dispatcher sends. Rows another instance holds in an update are skipped
    (PostgreSQL ``SKIP LOCKED``). Runs from the JobQueue (:func:`watch_unconfirmed`);
    returns how many steps it ended."""
    runtime = app.runtime  # type: ignore[attr-defined]
    now = runtime.clock.utcnow()
    cutoff = now - timedelta(seconds=runtime.settings.unconfirmed_question_seconds)
    due = select(PtbConversation).where(PtbConversation.unconfirmed_at < cutoff)
    async with runtime.sessionmaker() as session:  # most runs find none: no write lock
        if (
            await session.execute(due.with_only_columns(PtbConversation.key).limit(1))
        ).first() is None:
            return 0
    async with own_transaction(app, runtime) as session:
        rows = list((await session.execute(due.with_for_update(skip_locked=True))).scalars())
        if not rows:
            return 0
        handlers = {handler.name: handler for handler in persistent_conversations(app)}
        keys = {row.key: conversation_key_back(row.key) for row in rows}
        people = {
            person.telegram_id: person
            for person in (
                await session.execute(
                    select(User).where(User.telegram_id.in_({int(k[-1]) for k in keys.values()}))
                )
            ).scalars()
        }
        for row in rows:
            key = keys[row.key]
            chat_id, person = int(key[0]), people.get(int(key[-1]))
            text = runtime.translator(
                person.language if person else None, person.telegram_language if person else None
            )._(UNDELIVERED)
            await tell(
                session,
                chat_id=chat_id,
                text=esc(text),
                now=now,
                user_id=person.id if person else None,
                key=f"unconfirmed:{row.name}:{row.key}:{row.unconfirmed_at.isoformat()}",
            )
            state = row.state.get("s")
            await session.delete(row)
            handler = handlers.get(row.name)
            if handler is not None:  # this instance's copy
                forget_state(handler, key, state)
        await session.commit()
    log.warning("ended %d step(s) whose question was never delivered", len(rows))
    dispatcher = getattr(app, "dispatcher", None)
    if dispatcher is not None:
        dispatcher.wake()
    return len(rows)


async def _sweep(context: Any) -> None:
    try:
        await sweep_unconfirmed(context.application)
    except SQLAlchemyError:
        log.warning("could not look for steps whose question was never delivered")


def watch_unconfirmed(app: Application) -> None:  # type: ignore[type-arg]
    """Run :func:`sweep_unconfirmed` from the JobQueue, first soon after start-up."""
    seconds = app.runtime.settings.unconfirmed_question_seconds  # type: ignore[attr-defined]
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            _sweep, interval=max(1, min(15, seconds)), first=1, name="unconfirmed-steps"
        )
