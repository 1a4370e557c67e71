"""Knowledge-base tables: the district, its dongs, themes, grants, FAQ, events and assemblies.

The rows are written by :func:`bot.kb.import_kb` from a knowledge-base file (see
``shared/kb/SCHEMA.md``), by staff edits, and — for events — by staff creating, moving and
cancelling them (:mod:`bot.registrations`; ``origin = "staff"`` marks created ones).
Records are never deleted: one that a later import no longer contains is marked
``archived`` so that anything referring to it (votes, registrations,
reminders) keeps a valid target. Readers should filter on ``archived.is_(False)``.

Localized texts are JSON mappings ``{"ko": ..., "en": ...}`` (``ko`` always present).
Fields that code filters, sorts or joins on are real columns; the rest stays in JSON in
the shape the knowledge-base file gives it. ``position`` keeps the order of the file.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, one_of

ID_LENGTH = 64
"""Maximum length of a knowledge-base id (slug)."""

EVENT_KINDS = ("training", "meeting", "assembly", "forum", "consultation", "festival")
EVENT_ORIGINS = ("kb", "staff")
"""Where an event comes from: a knowledge-base file, or staff (``/newevent``, the CLI)."""
ASSEMBLY_METHODS = ("approve_reject", "choose_up_to")


def _utcnow() -> datetime:
    return datetime.now(UTC)


class KBRecordMixin:
    """Columns every knowledge-base table has."""

    archived: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(
        default=_utcnow, onupdate=_utcnow, server_default=func.now()
    )


class Region(KBRecordMixin, Base):
    """The district a deployment serves; one non-archived row."""

    __tablename__ = "kb_regions"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[dict[str, str]]
    timezone: Mapped[str] = mapped_column(String(64))
    centre: Mapped[dict[str, str]]
    contact: Mapped[dict[str, Any]]
    """``phone``, ``email`` (strings), ``address``, ``hours`` (localized texts)."""


class Dong(KBRecordMixin, Base):
    """An administrative neighbourhood (동)."""

    __tablename__ = "kb_dongs"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    position: Mapped[int]
    name: Mapped[dict[str, str]]


class Category(KBRecordMixin, Base):
    """An agenda / grant theme."""

    __tablename__ = "kb_categories"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    position: Mapped[int]
    name: Mapped[dict[str, str]]


class Grant(KBRecordMixin, Base):
    """A grant programme with an open call (공모사업)."""

    __tablename__ = "kb_grants"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    position: Mapped[int]
    name: Mapped[dict[str, str]]
    aliases: Mapped[list[str]]
    category_ids: Mapped[list[str]]
    summary: Mapped[dict[str, str]]
    eligibility: Mapped[dict[str, str]]
    rules: Mapped[dict[str, Any]]
    """``min_members``, ``min_age``, ``max_age``, ``min_group_age_years``, ``residency``
    (localized text), ``prior_grant_required`` (grant id); every key optional."""
    max_krw: Mapped[int] = mapped_column(BigInteger)
    total_krw: Mapped[int | None] = mapped_column(BigInteger)
    expected_awards: Mapped[int | None]
    self_funding_percent: Mapped[int | None]
    opens_on: Mapped[date] = mapped_column(index=True)
    closes_on: Mapped[date] = mapped_column(index=True)
    result_on: Mapped[date | None]
    how_to_apply: Mapped[dict[str, str]]
    documents: Mapped[list[Any]]
    """Localized texts."""
    support: Mapped[dict[str, str]]
    contact: Mapped[dict[str, Any]]
    """``team`` (localized text), ``phone``."""


class FaqEntry(KBRecordMixin, Base):
    """A question residents ask, with the centre's answer."""

    __tablename__ = "kb_faq_entries"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    position: Mapped[int]
    question: Mapped[dict[str, str]]
    answer: Mapped[dict[str, str]]
    keywords: Mapped[list[str]]
    related_ids: Mapped[list[str]]
    """Grant or event ids."""
    origin: Mapped[str] = mapped_column(String(8), default="kb", server_default="kb")
    """``kb``: from a KB file (a re-import that lacks it archives it); ``staff``: an answer
    staff taught from the bot (``/unanswered``), never archived by an import."""


class Event(KBRecordMixin, Base):
    """A meeting, training, forum … ``starts_at``/``ends_at`` are the first occurrence."""

    __tablename__ = "kb_events"
    __table_args__ = (CheckConstraint(one_of("kind", EVENT_KINDS), name="kind"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[dict[str, str]]
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    rrule: Mapped[str | None] = mapped_column(Text)
    """RFC 5545 recurrence rule (without ``RRULE:``), or None for a single occurrence."""
    dong_id: Mapped[str | None] = mapped_column(ForeignKey("kb_dongs.id"), index=True)
    """None: district-wide."""
    place: Mapped[dict[str, str]]
    audience: Mapped[dict[str, str]]
    description: Mapped[dict[str, str]]
    registration_required: Mapped[bool | None]
    """None: the file gives no registration block."""
    registration_capacity: Mapped[int | None]
    registration_closes_hours_before: Mapped[int | None]
    survey: Mapped[bool] = mapped_column(default=False, server_default=false())
    related_grant_ids: Mapped[list[str]]
    origin: Mapped[str] = mapped_column(String(8), default="kb", server_default="kb")
    """``kb``: from a KB file (a re-import that lacks it archives it); ``staff``: created by
    staff, never archived by an import."""
    cancelled: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Staff cancelled the whole event (kept, shown as cancelled). Imports leave it alone."""
    changes: Mapped[list[Any] | None]
    """Staff changes to single occurrences: ``{"occurrence": <original start, ISO>,
    "status": "cancelled" | "moved", "starts_at", "ends_at"}`` (see
    :class:`bot.kb.OccurrenceChange`). Imports leave it alone."""


class Assembly(KBRecordMixin, Base):
    """An online general assembly vote (주민총회) of one dong."""

    __tablename__ = "kb_assemblies"
    __table_args__ = (CheckConstraint(one_of("method", ASSEMBLY_METHODS), name="method"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    position: Mapped[int]
    dong_id: Mapped[str] = mapped_column(ForeignKey("kb_dongs.id"), index=True)
    title: Mapped[dict[str, str]]
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    method: Mapped[str] = mapped_column(String(20))
    max_choices: Mapped[int | None]
    """Set iff ``method == "choose_up_to"``."""
    eligibility: Mapped[dict[str, str]]
    quorum_percent: Mapped[int | None]

    items: Mapped[list[AssemblyItem]] = relationship(
        back_populates="assembly",
        order_by="AssemblyItem.position",
        lazy="selectin",
        cascade="all, delete-orphan",
    )
    """All items, archived ones included, in ballot order."""


class AssemblyItem(KBRecordMixin, Base):
    """One agenda item on an assembly's ballot; ids are unique within their assembly."""

    __tablename__ = "kb_assembly_items"

    assembly_id: Mapped[str] = mapped_column(ForeignKey("kb_assemblies.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    position: Mapped[int]
    title: Mapped[dict[str, str]]
    description: Mapped[dict[str, str]]
    budget_krw: Mapped[int] = mapped_column(BigInteger)
    category_id: Mapped[str] = mapped_column(ForeignKey("kb_categories.id"), index=True)
    proposed_by: Mapped[dict[str, str] | None]

    assembly: Mapped[Assembly] = relationship(back_populates="items", lazy="raise_on_sql")


__all__ = [
    "ASSEMBLY_METHODS",
    "EVENT_KINDS",
    "EVENT_ORIGINS",
    "ID_LENGTH",
    "Assembly",
    "AssemblyItem",
    "Category",
    "Dong",
    "Event",
    "FaqEntry",
    "Grant",
    "KBRecordMixin",
    "Region",
]
