"""Event registrations, attendance, surveys, subscriptions and durable reminders (issue 6).

An occurrence of an event is identified by the event id and its *original* start (the
start its recurrence rule gives it, RFC 5545's RECURRENCE-ID), which stays the same when
staff move that one occurrence. ``starts_at`` columns record the actual start a person
was last told about, so a move is noticed and announced once.

Every message the bot sends on its own (reminders, notices, announcements) is a row of
:class:`Reminder`: the database is the dispatcher's source of truth (see
:mod:`bot.dispatch`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, one_of
from models.kb import ID_LENGTH
from models.qa import RandomId, random_id

REGISTRATION_STATUSES = ("registered", "waitlisted", "cancelled", "walkin")
"""``walkin``: checked in without having registered (counts as attended, not registered)."""
REMINDER_STATUSES = ("pending", "sending", "sent", "dropped", "cancelled", "failed", "skipped")
"""``dropped``: pointless by the time it was due (expired, the event moved …);
``skipped``: the recipient blocked the bot; ``failed``: gave up after retries."""


class EventOccurrence(Base):
    """Per-occurrence state: seats taken (kept with atomic updates) and the check-in code."""

    __tablename__ = "event_occurrences"
    __table_args__ = (CheckConstraint("seats_taken >= 0", name="seats_taken"),)

    event_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("kb_events.id"), primary_key=True
    )
    occurrence_start: Mapped[datetime] = mapped_column(primary_key=True)
    seats_taken: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    checkin_code: Mapped[str | None] = mapped_column(String(12), unique=True)
    created_at: Mapped[datetime]


class Registration(Base):
    """One person registered for (or waiting for, or checked in to) one occurrence."""

    __tablename__ = "event_registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "occurrence_start", "user_id"),
        CheckConstraint(one_of("status", REGISTRATION_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("kb_events.id"), index=True)
    occurrence_start: Mapped[datetime]
    """The original start (RECURRENCE-ID)."""
    occurrence_index: Mapped[int]
    """Position in the series; a moved series maps registrations by it."""
    starts_at: Mapped[datetime] = mapped_column(index=True)
    """The actual start the person was last told about."""
    ends_at: Mapped[datetime]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    queued_at: Mapped[datetime]
    """Waitlist order: when the person asked for a seat."""
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(16))
    """``user``: they cancelled; ``event``: staff cancelled the occurrence."""
    promoted_at: Mapped[datetime | None]
    attended: Mapped[bool] = mapped_column(default=False, server_default=false())
    attended_at: Mapped[datetime | None]
    attendance_by: Mapped[str | None] = mapped_column(String(32))
    """``code`` (the person checked in) or ``staff:<telegram id>``."""


class Reminder(Base):
    """One message the bot sends on its own, due at ``due_at`` (see :mod:`bot.dispatch`)."""

    __tablename__ = "reminders"
    __table_args__ = (
        CheckConstraint(one_of("status", REMINDER_STATUSES), name="status"),
        Index("ix_reminders_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    """Idempotency key: planning the same reminder twice inserts it once."""
    ref: Mapped[str | None] = mapped_column(String(80), index=True)
    """What it is about (``reg:12``, ``grant:3:neighbour-making``): cancel by it."""
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    due_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class ReminderSetting(Base):
    """A person's reminder times for one kind of event (or ``grant``): minutes before."""

    __tablename__ = "reminder_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(16), primary_key=True)
    offsets: Mapped[list[Any]]
    """Minutes before the start, largest first; empty: off."""
    updated_at: Mapped[datetime]


class Subscription(Base):
    """A private or group chat subscribed to a topic: a kind (``trainings`` …) or a dong."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("chat_id", "topic", "value"),
        CheckConstraint("topic IN ('kind', 'dong')", name="topic"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    chat_type: Mapped[str] = mapped_column(String(12))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    """The subscriber of a private chat; None for a group."""
    topic: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(ID_LENGTH))
    language: Mapped[str | None] = mapped_column(String(8))
    """A group's language (the administrator's when they subscribed it)."""
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    """Telegram id of who subscribed it (the group administrator)."""


class SurveyInvitation(Base):
    """Who was asked about which occurrence; whether they answered (never what)."""

    __tablename__ = "survey_invitations"
    __table_args__ = (UniqueConstraint("user_id", "event_id", "occurrence_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("kb_events.id"))
    occurrence_start: Mapped[datetime]
    rated: Mapped[bool] = mapped_column(default=False, server_default=false())
    commented: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime]


class SurveyResponse(Base):
    """One 1–5 rating of an occurrence. No person, no time, and a random id (a sequence,
    and SQLite's rowid, would order the ratings and the order could be matched against the
    order in which invitations were answered).

    What remains on PostgreSQL: the rating is written in the transaction that marks the
    invitation ``rated``, so the two rows share ``xmin`` until one is rewritten (rewriting
    the ratings once the survey closes, as the tally does with the ballot box, would part
    them)."""

    __tablename__ = "survey_responses"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),)

    id: Mapped[int] = mapped_column(
        RandomId, primary_key=True, autoincrement=False, default=random_id
    )
    event_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("kb_events.id"), index=True)
    occurrence_start: Mapped[datetime]
    rating: Mapped[int]


class SurveyComment(Base):
    """An optional comment on an occurrence, stored apart from ratings and people, under a
    random id (as :class:`SurveyResponse`)."""

    __tablename__ = "survey_comments"

    id: Mapped[int] = mapped_column(
        RandomId, primary_key=True, autoincrement=False, default=random_id
    )
    event_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("kb_events.id"), index=True)
    occurrence_start: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text)


__all__ = [
    "REGISTRATION_STATUSES",
    "REMINDER_STATUSES",
    "EventOccurrence",
    "Registration",
    "Reminder",
    "ReminderSetting",
    "Subscription",
    "SurveyComment",
    "SurveyInvitation",
    "SurveyResponse",
]
