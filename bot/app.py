"""Builds the PTB application: one transaction per update, persistence written in it,
and what the update says sent only after it commits (see :mod:`bot.core.scope`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    ExtBot,
)

from bot.core.db import begin_for_writing
from bot.core.ratebudget import LocalBudget, budget_for, counts, held
from bot.core.runtime import Runtime
from bot.core.scope import Deferred, UpdateScope, current_scope, enter_scope, leave_scope
from bot.telegram.context import MaeulContext
from bot.telegram.persistence import SQLPersistence
from bot.telegram.transport import make_request, was_not_sent

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.reminders.dispatch import Dispatcher
    from bot.telegram.dispatcher import DispatcherHandle

log = logging.getLogger(__name__)

_SENT_AGAIN_AFTER = (0.5, 1.5)
"""Pauses before sending a deferred call again after a transient error (5xx, no link)."""
_LONGEST_FLOOD_WAIT = 30.0
"""The longest pause, in seconds, before a deferred call refused with a 429 goes again
(however long its ``retry_after``)."""
_IDEMPOTENT_PREFIXES = ("edit", "answer", "delete", "set", "pin", "unpin")
"""Calls that may be repeated after a timeout without showing anything twice."""


def _defers(endpoint: str) -> bool:
    """Every call that tells someone something waits for the commit; reads (getFile,
    getChat, getChatMember …) and the polling itself go out at once."""
    return not endpoint.startswith("get") and endpoint not in ("logOut", "close")


def _stand_in(endpoint: str, data: dict[str, Any]) -> Any:
    """What a deferred call returns to the handler: a placeholder of the right shape.

    Handlers must not rely on it (``message_id`` is 0): the real message exists only
    after the commit. Nothing in Maeul reads these results inside an update.
    """
    chat_id = data.get("chat_id")
    message = {
        "message_id": 0,
        "date": int(time.time()),
        "chat": {"id": chat_id if isinstance(chat_id, int) else 0, "type": "private"},
    }
    if endpoint == "sendMediaGroup":
        return [message for _ in data.get("media", ())] or [message]
    if endpoint in ("copyMessage",):
        return {"message_id": 0}
    if endpoint in ("copyMessages", "forwardMessages"):
        return [{"message_id": 0} for _ in data.get("message_ids", ())]
    if endpoint.startswith(("send", "forward")) or (
        endpoint.startswith("edit") and "inline_message_id" not in data
    ):
        return message
    return True


class MaeulBot(ExtBot[None]):
    """The bot of interactive replies: inside an update, its writes wait for the commit.

    Every Bot API call goes through ``_do_post``; while the current update's scope is
    open (:attr:`bot.core.scope.UpdateScope.deferring`), a call that tells someone something
    is recorded in the scope's outbox and answered with a placeholder. The application
    sends the outbox with :meth:`send_deferred` once the transaction has committed, and
    throws it away if it did not.

    With ``TELEGRAM_RATE_LIMIT`` (the default) every new message takes a permit of the
    token's one rate budget (:mod:`bot.core.ratebudget`, shared with the reminder
    dispatcher and, on PostgreSQL, every instance) and a 429 pauses that whole budget.
    """

    _rate_budget: LocalBudget | None = None

    @property
    def budget(self) -> LocalBudget | None:
        """The token's rate budget (``None`` with ``TELEGRAM_RATE_LIMIT=false``)."""
        return self._rate_budget

    async def _do_post(
        self, endpoint: str, data: dict[str, Any], **kwargs: Any
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        scope = current_scope()
        if scope is not None and scope.deferring and _defers(endpoint):
            scope.outbox.append(Deferred(endpoint, data, kwargs))
            return _stand_in(endpoint, data)  # type: ignore[no-any-return]
        return await self._post_within_budget(endpoint, data, **kwargs)

    async def _post_within_budget(
        self, endpoint: str, data: dict[str, Any], **kwargs: Any
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """A new message waits for a permit of the budget (replies go before reminders),
        unless the dispatcher already holds one for it; a 429 pauses the whole budget."""
        budget = self.budget
        chat_id = data.get("chat_id")
        permit = None
        if budget is not None and not held.get() and counts(endpoint):
            if isinstance(chat_id, int):
                try:
                    permit = await budget.acquire(chat_id)
                except Exception:  # the shared budget's database is down: still answer
                    log.warning("rate budget unavailable; sending without a permit")
        try:
            return await super()._do_post(endpoint, data, **kwargs)
        except RetryAfter as exc:
            if budget is not None:
                delay = exc.retry_after
                seconds = delay.total_seconds() if hasattr(delay, "total_seconds") else delay
                await budget.pause(float(seconds))
            raise
        finally:
            if permit is not None and budget is not None:
                await budget.release(permit)

    async def send_deferred(self, outbox: Sequence[Deferred]) -> int:
        """Send what an update said, in order, after its commit; returns how many failed
        (each item's ``delivered`` says whether it went through).

        A transient failure (5xx, connection lost, flood wait) is retried twice; a receipt
        that could not be edited into the pressed message is sent as a new message (retried
        the same way), so the person still sees it. A failure is logged by endpoint and
        error only — never with the message (it may hold a ballot receipt).
        """
        # In order, one after another: a chat sees its toast, then its screen, as the
        # handler said them (other chats' replies go out meanwhile).
        failed = 0
        for item in outbox:
            item.delivered = await self._send_one(item)
            if not item.delivered:
                failed += 1
        return failed

    async def _send_one(self, item: Deferred) -> bool:
        attempts = len(_SENT_AGAIN_AFTER) + 1
        for attempt in range(attempts):
            try:
                await self._post_within_budget(item.endpoint, dict(item.data), **item.kwargs)
                return True
            except RetryAfter as exc:
                if attempt + 1 == attempts:
                    break
                delay = exc.retry_after
                seconds = delay.total_seconds() if hasattr(delay, "total_seconds") else delay
                await asyncio.sleep(min(seconds, _LONGEST_FLOOD_WAIT))
            except BadRequest as exc:
                if "not modified" in exc.message:
                    return True  # the screen already shows it
                if "query is too old" in exc.message or "query id is invalid" in exc.message:
                    return True  # the spinner has stopped on its own; nothing to show
                log.warning("after-commit %s refused: %s", item.endpoint, exc.message)
                break
            except Forbidden:
                log.info("after-commit %s: the chat blocked the bot", item.endpoint)
                return False
            except TimedOut as exc:
                # no connection in time (a busy pool): nothing left, so it goes again
                if not (item.endpoint.startswith(_IDEMPOTENT_PREFIXES) or was_not_sent(exc)):
                    log.warning("after-commit %s timed out (may have arrived)", item.endpoint)
                    return False
                if attempt + 1 == attempts:
                    break
                await asyncio.sleep(_SENT_AGAIN_AFTER[attempt])
            except NetworkError as exc:
                if attempt + 1 == attempts:
                    log.warning("after-commit %s failed: %s", item.endpoint, exc.message)
                    break
                await asyncio.sleep(_SENT_AGAIN_AFTER[attempt])
            except TelegramError as exc:
                log.warning("after-commit %s failed: %s", item.endpoint, type(exc).__name__)
                break
        return await self._instead(item)

    async def _instead(self, item: Deferred) -> bool:
        """A text that could not be edited in place is sent as a new message — with the
        same retries as any reply (:meth:`_send_one`; a ``sendMessage`` that fails has
        nothing to stand in for it, so this goes no deeper)."""
        if item.endpoint != "editMessageText" or "chat_id" not in item.data:
            return False
        kept = ("chat_id", "text", "parse_mode", "reply_markup", "entities", "link_preview_options")
        data = {key: value for key, value in item.data.items() if key in kept}
        log.info("after-commit editMessageText not made; sending the text as a new message")
        return await self._send_one(Deferred("sendMessage", data, item.kwargs))


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """Updates of different chats in parallel; the updates of one chat one after another.

    PTB hands every update to :meth:`do_process_update` in the order Telegram sent them;
    each waits for the previous update of its chat (a FIFO lock per chat, else per user)
    before it runs, so a person's presses and messages are handled in the order they made
    them while other chats go on. Together with :class:`MaeulApplication` — whose
    transactions are short because nothing is sent inside them — a slow Bot API call to
    one chat no longer holds up everyone else.
    """

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    @staticmethod
    def _key(update: object) -> int | None:
        if isinstance(update, Update):
            if update.effective_chat is not None:
                return update.effective_chat.id
            if update.effective_user is not None:
                return update.effective_user.id
        return None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = self._key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key]
                self._locks.pop(key, None)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


class TransactionGate:
    """How many updates' transactions one process runs at once.

    ``parallel`` updates at a time may be inside their transactions (:meth:`update`); the
    persistence's writes outside updates (PTB's timer, shutdown) take every place at once
    (:meth:`alone`), so they never run beside an update. The semaphore is first come, first
    served: once :meth:`alone` waits, later updates queue behind it.
    """

    def __init__(self, parallel: int) -> None:
        self.parallel = max(1, parallel)
        self._places = asyncio.Semaphore(self.parallel)
        self._alone = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def update(self) -> AsyncIterator[None]:
        async with self._places:
            yield

    @contextlib.asynccontextmanager
    async def alone(self) -> AsyncIterator[None]:
        async with self._alone:
            taken = 0
            try:
                for _ in range(self.parallel):
                    await self._places.acquire()
                    taken += 1
                yield
            finally:
                for _ in range(taken):
                    self._places.release()


def parallel_transactions(runtime: Runtime) -> int:
    """Updates whose transactions may be open at once in this process: one on SQLite (a
    single writer; an update's transaction begins holding the write lock, and others would
    only poll the busy timeout), else the connection pool's size (PostgreSQL: the advisory
    locks on chat and user keep one person's updates apart, on every instance)."""
    if runtime.engine.dialect.name == "sqlite":
        return 1
    size = getattr(runtime.engine.pool, "size", None)
    return max(1, size()) if callable(size) else 1


class MaeulApplication(Application):  # type: ignore[type-arg]
    """An Application that wraps every update in one database transaction.

    The update's handlers share one session (``context.db``); it is committed when they
    succeed and rolled back when one raises. The persistence (conversation states,
    user_data, chat_data) is written in the same transaction, so a crash never leaves a
    conversation ahead of or behind the data it produced.
    """

    def __init__(self, runtime: Runtime, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runtime = runtime
        self.dispatcher_handle: DispatcherHandle | None = None  # set by bot.telegram.dispatcher
        self._gate = TransactionGate(parallel_transactions(runtime))
        """How many updates' handlers and commits at a time (see :meth:`process_update`)."""

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A write transaction of its own, beside the updates' (what an update's after-commit
        hooks and the JobQueue write): it waits for a place among them (the gate), so that
        on SQLite it never contends for the write lock with an update — it would otherwise
        poll the busy timeout, holding a pooled connection, while updates queue behind it.
        The caller commits."""
        async with self._gate.update(), self.runtime.sessionmaker() as session:
            await begin_for_writing(session)
            yield session

    @property
    def dispatcher(self) -> Dispatcher | None:
        """The reminder dispatcher (:mod:`bot.reminders.dispatch`), started with the bot."""
        return self.dispatcher_handle.dispatcher if self.dispatcher_handle else None

    async def stop(self) -> None:
        if self.dispatcher_handle is not None:  # sends in flight finish; the rest go back
            self.dispatcher_handle.dispatcher.stop()
        await super().stop()

    async def shutdown(self) -> None:
        if self.dispatcher_handle is not None:
            await self.dispatcher_handle.close()
        await super().shutdown()

    async def update_persistence(self) -> None:
        """Inside an update, its own state goes into its transaction (see
        :meth:`process_update`); outside (PTB's timer, jobs, shutdown) not while any update's
        transaction is open, so the timer never writes an update's state before (or
        without) its commit."""
        if current_scope() is not None:
            if isinstance(self.persistence, SQLPersistence):
                await self.persistence.stage_update(self)
            else:
                await super().update_persistence()
            return
        async with self._gate.alone():
            await super().update_persistence()

    async def process_update(self, update: object) -> None:
        """Handle one update in one transaction; say what it said only once committed.

        The order is the promise: handlers run (their Bot API writes are recorded, not
        sent), the persistence is written, the transaction commits, the connection goes
        back to the pool — and only then is the outbox sent. If a handler or the commit
        fails, the outbox is thrown away and the error handler tells the user, in their
        language, that nothing was saved (see :mod:`handlers.core.errors`).
        """
        if not isinstance(update, Update):
            await super().process_update(update)
            return
        committed = False
        # Updates of one chat stay in order (ChatOrderedUpdateProcessor). Of different
        # chats, on PostgreSQL up to the pool's size run their transactions at once: each
        # writes only its own state (SQLPersistence.stage_update), and the advisory locks
        # keep two updates of one person apart. On SQLite one at a time (TransactionGate).
        # The replies go after the commit either way: that is where the time goes against
        # Telegram (50–100 ms a call).
        persistence = self.persistence if isinstance(self.persistence, SQLPersistence) else None
        async with self._gate.update(), self.runtime.sessionmaker() as session:
            scope = UpdateScope(session=session)
            token = enter_scope(scope)
            work = persistence.begin_update() if persistence is not None else None
            try:
                await begin_for_writing(session)
                if persistence is not None:
                    dedup = self.runtime.settings.update_dedup
                    if dedup and not await persistence.claim_update(session, update):
                        log.debug("update %s was handled already; skipped", update.update_id)
                        return  # answered nothing (the session's close rolls back)
                    # the update's own state, read now (another instance may have moved it)
                    await persistence.load_for_update(session, update, self, locked=dedup)
                await super().process_update(update)
                if scope.failed:
                    # A handler raised: the user is told nothing was saved, and nothing
                    # is — neither its data nor what it changed of the conversation states,
                    # user_data and chat_data (put back as the database holds them).
                    await session.rollback()
                    if persistence is not None:
                        persistence.discard_update(self)
                    return
                await self.update_persistence()
                if persistence is not None:
                    await persistence.write_pending(session)
                for before in scope.before_commit:
                    await before(session)
                await session.commit()
                if persistence is not None:
                    persistence.committed()
                committed = True
            except Exception as exc:
                await session.rollback()
                if persistence is not None:  # (discarding forgets what was written too)
                    persistence.discard_update(self)
                scope.discard()
                scope.deferring = False
                scope.failed = True
                await self.process_error(update=update, error=exc)
            finally:
                scope.deferring = False
                if persistence is not None and work is not None:
                    persistence.end_update(work)
                leave_scope(token)
        if not committed:
            return
        if scope.wake_dispatcher and self.dispatcher is not None:
            self.dispatcher.wake()
        if scope.outbox and isinstance(self.bot, MaeulBot):
            await self.bot.send_deferred(scope.outbox)
        for hook in scope.after_commit:
            try:
                await hook()
            except Exception as exc:  # the change is saved; report and go on
                await self.process_error(update=update, error=exc)

    async def process_error(
        self,
        update: object | None,
        error: Exception,
        job: Any = None,
        coroutine: Any = None,
    ) -> bool:
        scope = current_scope()
        if scope is not None and not scope.failed:
            scope.failed = True
            await scope.session.rollback()
        if scope is not None:
            # Nothing of this update will be saved: forget what it was going to say, and
            # let the error handler speak at once.
            scope.discard()
            scope.deferring = False
        return await super().process_error(update, error, job=job, coroutine=coroutine)


def _idle(minutes: int) -> timedelta | None:
    """How long an unanswered step-by-step dialogue lasts (``CONVERSATION_IDLE_MINUTES``)."""
    return timedelta(minutes=minutes) if minutes > 0 else None


def build_application(runtime: Runtime, *, token: str | None = None) -> MaeulApplication:
    settings = runtime.settings
    bot_kwargs: dict[str, Any] = {}
    if settings.telegram_base_url:
        bot_kwargs["base_url"] = settings.telegram_base_url
    if settings.telegram_base_file_url:
        bot_kwargs["base_file_url"] = settings.telegram_base_file_url
    bot = MaeulBot(
        token or settings.bot_token or "",
        # the pool sizes ApplicationBuilder would choose
        request=make_request(settings.telegram_transport, connection_pool_size=256),
        get_updates_request=make_request(settings.telegram_transport),
        **bot_kwargs,
    )
    if settings.telegram_rate_limit:  # the token's one budget, shared with the dispatcher
        bot._rate_budget = budget_for(runtime)
    builder = (
        ApplicationBuilder()
        .application_class(MaeulApplication, kwargs={"runtime": runtime})
        .bot(bot)
        .context_types(ContextTypes(context=MaeulContext))
        .persistence(
            SQLPersistence(
                runtime.sessionmaker,
                runtime.clock,
                preload=False,
                idle=_idle(runtime.settings.conversation_idle_minutes),
            )
        )
        .post_init(_post_init)
        .concurrent_updates(ChatOrderedUpdateProcessor(settings.concurrent_updates))
    )
    app: MaeulApplication = builder.build()  # type: ignore[assignment]

    from handlers import register  # handlers import bot.*, so import them late

    register(app)
    from bot.telegram.dispatcher import attach

    attach(app)  # the reminder dispatcher, woken by the JobQueue
    return app


async def _post_init(app: Application) -> None:  # type: ignore[type-arg]
    from handlers.core.commands import publish_commands

    await publish_commands(app)
