"""Per-update scope: one database transaction and the resolved user, for one update.

The application opens a scope around every update (see :mod:`bot.app`); handlers read it
through ``context`` (see :class:`bot.context.MaeulContext`). It lives in a context variable,
so concurrent updates each see their own.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from bot.i18n import Translator
    from models.user import User


@dataclass
class UpdateScope:
    session: AsyncSession
    user: User | None = None
    translator: Translator | None = None
    failed: bool = False
    notes: dict[str, object] = field(default_factory=dict)


_current: ContextVar[UpdateScope | None] = ContextVar("maeul_update_scope", default=None)


def current_scope() -> UpdateScope | None:
    return _current.get()


def enter_scope(scope: UpdateScope) -> object:
    return _current.set(scope)


def leave_scope(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
