"""Grants a user follows: they get the grant's deadline reminder (the reminders feature)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.kb import ID_LENGTH


class GrantFollow(Base):
    """One user following one grant programme (unique per user and grant)."""

    __tablename__ = "grant_follows"
    __table_args__ = (UniqueConstraint("user_id", "grant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    grant_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("kb_grants.id"), index=True)
    created_at: Mapped[datetime]


__all__ = ["GrantFollow"]
