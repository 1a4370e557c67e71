"""Per-update scope: one database transaction, the resolved user, and what the update has
to say, for one update.

The application opens a scope around every update (see :mod:`bot.app`); handlers read it
through ``context`` (see :class:`bot.telegram.context.MaeulContext`). It lives in a
context variable, so concurrent updates each see their own.

**Say it only after it is committed.** While a scope is open, every Bot API call that
*tells* someone something (send, edit, answer a button, delete …) is not sent: it is
recorded in :attr:`UpdateScope.outbox` (see :class:`bot.app.MaeulBot`) and sent, in order,
only after the update's transaction has committed. If the handlers fail or the commit
fails, the outbox is thrown away and the error handler tells the user that nothing was
saved. So a voter can never be told "your vote is counted" for a ballot that was rolled
back, and no transaction stays open while Telegram is called.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from bot.core.i18n import Translator
    from models.user import User


@dataclass
class Deferred:
    """One Bot API call recorded during an update, sent after its commit."""

    endpoint: str
    data: dict[str, Any]
    kwargs: dict[str, Any]
    delivered: bool | None = None
    """Set once it was sent after the commit: whether Telegram took it (after the retries)."""


@dataclass
class UpdateScope:
    session: AsyncSession
    user: User | None = None
    translator: Translator | None = None
    failed: bool = False
    notes: dict[str, object] = field(default_factory=dict)
    deferring: bool = True
    """True while the update's transaction is open: Bot API writes go to :attr:`outbox`."""
    outbox: list[Deferred] = field(default_factory=list)
    wake_dispatcher: bool = False
    """Set when the update queued durable messages (:mod:`bot.reminders.outbox`): wake the
    dispatcher once the transaction has committed."""
    before_commit: list[Callable[[AsyncSession], Awaitable[None]]] = field(default_factory=list)
    """Coroutines run in the transaction after the persistence has written the update's
    conversation states, user_data and chat_data, just before the commit."""
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    """Coroutines to run once the transaction has committed (after the outbox is sent)."""

    def discard(self) -> None:
        """Forget what this update wanted to say (its transaction was rolled back)."""
        self.outbox.clear()
        self.before_commit.clear()
        self.after_commit.clear()


_current: ContextVar[UpdateScope | None] = ContextVar("maeul_update_scope", default=None)


def current_scope() -> UpdateScope | None:
    return _current.get()


def enter_scope(scope: UpdateScope) -> object:
    return _current.set(scope)


def leave_scope(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
