"""The dispatcher's Telegram side: sending one message, and starting with the bot.

:class:`TelegramSender` maps PTB's errors onto the dispatcher's (429 → retry later,
403 → blocked, timeouts and 5xx → transient, 400 → permanent). A 5xx *answered* by Telegram
(but 504) is :class:`~bot.reminders.dispatch.NotSent`: Telegram did not take the message, so
it counts against no rate limit; so is a timeout before any connection was made (a busy pool:
:func:`~bot.telegram.transport.was_not_sent`). Any other timeout or a broken connection may
have delivered it.

:func:`attach` gives an application its dispatcher. It sends through the application's
bot: replies and reminders take permits of the token's one rate budget
(:mod:`bot.core.ratebudget`) — the dispatcher holds its own permit while it sends, so a
message is never counted twice, and it sees every 429 itself. Should a PTB rate limiter
ever be configured on the application's bot, the dispatcher sends through a second ``Bot``
without one (PTB's limiter would queue its sends a second time and silently retry the 429s
the dispatcher must see). The JobQueue only wakes the dispatcher.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import CallbackContext

from bot import features
from bot.reminders.dispatch import (
    Blocked,
    Dispatcher,
    NotSent,
    Permanent,
    RetryLater,
    Transient,
)
from bot.reminders.rows import OutMessage
from bot.telegram.transport import make_request, was_not_sent

if TYPE_CHECKING:
    from bot.app import MaeulApplication

log = logging.getLogger(__name__)


def markup(message: OutMessage) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(label, url=data)  # a link (t.me/…?start=…)
                if data.startswith(("https://", "tg://"))
                else InlineKeyboardButton(label, callback_data=data)
                for label, data in row
            ]
            for row in message.buttons
        ]
    )


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _refused(exc: NetworkError) -> bool:
    """Telegram answered with an error status (PTB raises it without a transport error as
    its cause), other than 504 Gateway Timeout (the request may have been carried out)."""
    if exc.__cause__ is not None and not isinstance(exc.__cause__, TelegramError):
        return False  # the transport could not connect, or the connection broke
    text = str(exc).lower()
    return "(504)" not in text and "gateway timeout" not in text


class TelegramSender:
    """Sends one :class:`~bot.reminders.rows.OutMessage` with a PTB bot."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: int, message: OutMessage) -> None:
        try:
            await self.bot.send_message(
                chat_id,
                message.text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup(message),
                disable_web_page_preview=True,
            )
        except RetryAfter as exc:
            raise RetryLater(_seconds(exc.retry_after)) from exc
        except Forbidden as exc:
            raise Blocked(str(exc)) from exc
        except TimedOut as exc:  # (a NetworkError too)
            raise (NotSent if was_not_sent(exc) else Transient)(f"timed out: {exc}") from exc
        except ChatMigrated as exc:
            raise Permanent(f"the group moved to {exc.new_chat_id}") from exc
        except BadRequest as exc:  # (a NetworkError too)
            raise Permanent(str(exc)) from exc
        except NetworkError as exc:  # 5xx and connection failures
            raise (NotSent if _refused(exc) else Transient)(str(exc)) from exc
        except TelegramError as exc:
            raise Permanent(str(exc)) from exc


class DispatcherHandle:
    """The dispatcher of one application, with the bot it sends through."""

    def __init__(self, app: MaeulApplication) -> None:
        runtime = app.runtime
        settings = runtime.settings
        self.app = app
        self.own_bot: Bot | None = None
        bot: Bot = app.bot
        if getattr(app.bot, "rate_limiter", None) is not None:
            self.own_bot = Bot(
                token=app.bot.token,
                base_url=settings.telegram_base_url or "https://api.telegram.org/bot",
                base_file_url=settings.telegram_base_file_url
                or "https://api.telegram.org/file/bot",
                request=make_request(
                    settings.telegram_transport, connection_pool_size=settings.dispatch_lanes + 2
                ),
            )
            bot = self.own_bot
        self.dispatcher = Dispatcher(runtime, TelegramSender(bot), kinds=features.register())
        self._initialized = False

    async def ensure_started(self) -> None:
        if not self._initialized:
            if self.own_bot is not None:
                await self.own_bot.initialize()
            self._initialized = True
        self.dispatcher.start(self.app.create_task)

    async def close(self) -> None:
        self.dispatcher.stop()
        if self.own_bot is not None and self._initialized:
            await self.own_bot.shutdown()
            self._initialized = False


async def _wake(context: CallbackContext[Any, Any, Any, Any]) -> None:
    handle: DispatcherHandle | None = getattr(context.application, "dispatcher_handle", None)
    if handle is not None:
        await handle.ensure_started()


def attach(app: MaeulApplication) -> DispatcherHandle:
    """Give ``app`` its dispatcher, woken by the JobQueue every ``REMINDER_WAKE_SECONDS``
    (first soon after start-up: what became due while the bot was down goes out then)."""
    handle = DispatcherHandle(app)
    app.dispatcher_handle = handle
    settings = app.runtime.settings
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            _wake,
            interval=settings.reminder_wake_seconds,
            first=settings.reminder_first_wake_seconds,
            name="reminder-dispatcher",
        )
    else:  # pragma: no cover - the job-queue extra is a dependency
        log.warning("no JobQueue: reminders are sent only when something wakes the dispatcher")
    return handle


__all__ = ["DispatcherHandle", "TelegramSender", "attach", "markup"]
