"""The CallbackContext every Maeul handler receives."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import CallbackContext, ExtBot

from bot.core.i18n import Translator
from bot.core.scope import UpdateScope, current_scope

if TYPE_CHECKING:
    from bot.app import MaeulApplication
    from bot.core.runtime import Runtime
    from models.user import User


class MaeulContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Adds the update's database session, user and translator to PTB's context."""

    @property
    def runtime(self) -> Runtime:
        app: MaeulApplication = self.application  # type: ignore[assignment]
        return app.runtime

    @property
    def scope(self) -> UpdateScope:
        scope = current_scope()
        if scope is None:
            raise RuntimeError("no update scope: called outside an update")
        return scope

    @property
    def db(self) -> AsyncSession:
        return self.scope.session

    @property
    def user(self) -> User:
        user = self.scope.user
        if user is None:
            raise RuntimeError("this update has no user")
        return user

    @property
    def t(self) -> Translator:
        scope = current_scope()
        if scope is not None and scope.translator is not None:
            return scope.translator
        return self.runtime.translator()
