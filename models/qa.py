"""Questions the Q&A engine could not answer, for staff to improve the knowledge base.

No user id is stored: only the text, the language it was written in and the **day** it was
asked. ``normalized`` groups the same question written with other spacing or punctuation.

Why the day only (issue 9 §3): every update sets ``users.last_seen_at`` to the same instant
the question was logged at, so a timestamp here matched one user's ``last_seen_at`` to the
millisecond and tied a resident's free text ("I voted yes on everything") to their account.
A day matches everyone active that day. For the same reason the id is random, not a
sequence: a sequence (and SQLite's rowid, which is the id) would order the questions of a
day, and the order could be matched against the order of users' last activity.
What remains: PostgreSQL keeps a table's rows in insertion order (``ctid``), which orders
the questions among themselves but carries no time.

A follow-up ("그럼 언제까지요?" right after an answer about a grant) also keeps the record it
followed (``followed``: ``grant:<id>``, ``event:<id>`` or ``assembly:<id>``), without which
staff cannot tell what it asks. That is a public record of the knowledge base, not a person:
every resident who asked about it shares it, and it says nothing of how anyone voted.
"""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base

FOLLOWED_LENGTH = 80
"""``assembly:`` and a KB id (at most 64 characters, models/kb.py) fit."""

RandomId = BigInteger().with_variant(Integer(), "sqlite")
"""``INTEGER PRIMARY KEY`` (the rowid) on SQLite, ``bigint`` on PostgreSQL."""


def random_id() -> int:
    return secrets.randbits(63) or 1


class UnansweredQuestion(Base):
    __tablename__ = "qa_unanswered"

    id: Mapped[int] = mapped_column(
        RandomId, primary_key=True, autoincrement=False, default=random_id
    )
    asked_on: Mapped[date] = mapped_column(index=True)
    """The day, in the zone of the time the caller gave (the bot passes its local now)."""
    text: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(String(1000), index=True)
    language: Mapped[str | None] = mapped_column(String(8))
    followed: Mapped[str | None] = mapped_column(String(FOLLOWED_LENGTH))
    """``kind:id`` of the record the chat had just been told about when the question was
    asked (the engine's ``follow``); NULL for a question asked without one."""


def followed_ref(kind: str, id_: str) -> str:
    """A record as :attr:`UnansweredQuestion.followed` keeps it."""
    return f"{kind}:{id_}"[:FOLLOWED_LENGTH]


def followed_record(followed: str | None) -> tuple[str, str] | None:
    """``(kind, id)`` of a kept :attr:`UnansweredQuestion.followed` (``None``: none)."""
    if not followed or ":" not in followed:
        return None
    kind, _, id_ = followed.partition(":")
    return kind, id_
