"""Tables behind the SQL persistence of PTB's conversations, user_data and chat_data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class PtbUserData(Base):
    __tablename__ = "ptb_user_data"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


class PtbChatData(Base):
    __tablename__ = "ptb_chat_data"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


class PtbBotData(Base):
    __tablename__ = "ptb_bot_data"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # "bot_data" | "callback_data"
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


class PtbConversation(Base):
    __tablename__ = "ptb_conversations"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)  # JSON list of ids
    state: Mapped[dict[str, Any]]  # {"state": <json value>}
    updated_at: Mapped[datetime]
    unconfirmed_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    """Set in the transaction of a step that asks a question, cleared once the question was
    delivered: still set a while later, the process died before it could send the question
    (handlers.core.undelivered.sweep_unconfirmed ends such a step and tells the person)."""


class HandledUpdate(Base):
    """An update already handled (its transaction committed), when update de-duplication
    is on (``UPDATE_DEDUP``; see :meth:`bot.telegram.persistence.SQLPersistence.claim_update`).
    Kept a day: Telegram stops delivering an update again after 24 hours."""

    __tablename__ = "handled_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handled_at: Mapped[datetime] = mapped_column(index=True)
