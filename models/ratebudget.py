"""The shared rate budget's state on PostgreSQL (see :mod:`bot.core.ratebudget`).

Times are seconds since the epoch by the *database's* clock (``clock_timestamp()``), so
instances on hosts whose clocks differ still count the same windows. The tables exist on
SQLite too (one schema for both) but only PostgreSQL uses them, where migration 0010 makes
them UNLOGGED (no write-ahead log: the state is worthless after a crash).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Double, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class RateSend(Base):
    """One message's permit: taken at ``started``; in flight until ``lease`` unless given
    back (``done``: when Telegram answered; its slots free a window after that)."""

    __tablename__ = "rate_sends"
    __table_args__ = (
        Index("ix_rate_sends_bucket_done", "bucket", "done"),
        Index("ix_rate_sends_bucket_chat_id_done", "bucket", "chat_id", "done"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    bucket: Mapped[str] = mapped_column(String(16))
    """The bot token's budget (a hash of the token, never the token)."""
    chat_id: Mapped[int] = mapped_column(BigInteger)
    bulk: Mapped[bool]
    started: Mapped[float] = mapped_column(Double)
    lease: Mapped[float] = mapped_column(Double)
    done: Mapped[float | None] = mapped_column(Double)


class RateBudget(Base):
    """A token's budget: paused until ``paused_until`` after a 429."""

    __tablename__ = "rate_budgets"

    bucket: Mapped[str] = mapped_column(String(16), primary_key=True)
    paused_until: Mapped[float] = mapped_column(Double)


__all__ = ["RateBudget", "RateSend"]
