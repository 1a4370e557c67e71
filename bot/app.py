"""Builds the PTB application: one transaction per update, persistence written after it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes

from bot.context import MaeulContext
from bot.persistence import SQLPersistence
from bot.runtime import Runtime
from bot.scope import UpdateScope, current_scope, enter_scope, leave_scope

if TYPE_CHECKING:
    from bot.dispatch import Dispatcher
    from bot.dispatch_telegram import DispatcherHandle

log = logging.getLogger(__name__)


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
        self.dispatcher_handle: DispatcherHandle | None = None  # set by bot.dispatch_telegram

    @property
    def dispatcher(self) -> Dispatcher | None:
        """The reminder dispatcher (:mod:`bot.dispatch`), started with the bot."""
        return self.dispatcher_handle.dispatcher if self.dispatcher_handle else None

    async def stop(self) -> None:
        if self.dispatcher_handle is not None:  # sends in flight finish; the rest go back
            self.dispatcher_handle.dispatcher.stop()
        await super().stop()

    async def shutdown(self) -> None:
        if self.dispatcher_handle is not None:
            await self.dispatcher_handle.close()
        await super().shutdown()

    async def process_update(self, update: object) -> None:
        if not isinstance(update, Update):
            await super().process_update(update)
            return
        async with self.runtime.sessionmaker() as session:
            scope = UpdateScope(session=session)
            token = enter_scope(scope)
            try:
                await super().process_update(update)
                if scope.failed:
                    await session.rollback()
                await self.update_persistence()
                if isinstance(self.persistence, SQLPersistence):
                    await self.persistence.write_pending(session)
                await session.commit()
            except Exception as exc:
                await session.rollback()
                scope.failed = True
                await self.process_error(update=update, error=exc)
            finally:
                leave_scope(token)

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
        return await super().process_error(update, error, job=job, coroutine=coroutine)


def build_application(runtime: Runtime, *, token: str | None = None) -> MaeulApplication:
    settings = runtime.settings
    builder = (
        ApplicationBuilder()
        .application_class(MaeulApplication, kwargs={"runtime": runtime})
        .token(token or settings.bot_token or "")
        .context_types(ContextTypes(context=MaeulContext))
        .persistence(SQLPersistence(runtime.sessionmaker, runtime.clock))
        .post_init(_post_init)
        .concurrent_updates(False)
    )
    if settings.telegram_base_url:
        builder = builder.base_url(settings.telegram_base_url)
    if settings.telegram_base_file_url:
        builder = builder.base_file_url(settings.telegram_base_file_url)
    if settings.telegram_rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))  # type: ignore[arg-type]
    app: MaeulApplication = builder.build()  # type: ignore[assignment]

    from handlers import register  # handlers import bot.*, so import them late

    register(app)
    from bot.dispatch_telegram import attach

    attach(app)  # the reminder dispatcher, woken by the JobQueue
    return app


async def _post_init(app: Application) -> None:  # type: ignore[type-arg]
    from handlers.commands import publish_commands

    await publish_commands(app)
