"""Agenda proposals (마을의제): what residents propose their dong should do next year.

A :class:`Proposal` belongs to one dong and one theme (a KB category) and moves through
the lifecycle in :mod:`bot.proposals`; every move is a :class:`ProposalHistory` row (who,
when, why). Supports (공감) are rows, one per person per proposal (a unique constraint), and
``Proposal.support_count`` is changed in the same transaction as the rows, by the database
(``support_count = support_count + 1``), so parallel presses never lose or double a count.
Reports (신고) are rows too; enough of them hide a proposal pending staff review. Drafts of
the ``/propose`` conversation live in :class:`ProposalDraft` (one per user) so that they
survive a restart; per-dong settings (support threshold, staff group chat) in
:class:`ProposalDongSettings`.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, one_of

TITLE_LENGTH = 80
PHOTO_ID_LENGTH = 256


class ProposalStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    MERGED = "merged"
    WITHDRAWN = "withdrawn"
    SELECTED = "selected"
    NOT_SELECTED = "not_selected"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class Visibility(enum.StrEnum):
    VISIBLE = "visible"
    FLAGGED = "flagged"  # hidden automatically after repeated reports, pending staff review
    HIDDEN = "hidden"  # hidden by staff


class HistoryAction(enum.StrEnum):
    SUBMIT = "submit"
    STATUS = "status"
    HIDE = "hide"
    FLAG = "flag"
    RESTORE = "restore"


class Proposal(Base):
    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint(one_of("status", ProposalStatus), name="status"),
        CheckConstraint(one_of("visibility", Visibility), name="visibility"),
        CheckConstraint("support_count >= 0", name="support_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dong_id: Mapped[str] = mapped_column(ForeignKey("kb_dongs.id"), index=True)
    category_id: Mapped[str] = mapped_column(ForeignKey("kb_categories.id"), index=True)
    """The theme: one of the knowledge base's categories."""
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    description: Mapped[str] = mapped_column(Text)
    photo_file_id: Mapped[str | None] = mapped_column(String(PHOTO_ID_LENGTH))
    status: Mapped[str] = mapped_column(String(20), index=True, default=ProposalStatus.SUBMITTED)
    visibility: Mapped[str] = mapped_column(
        String(10), default=Visibility.VISIBLE, server_default=Visibility.VISIBLE.value
    )
    support_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    answer: Mapped[str | None] = mapped_column(Text)
    """The committee's latest official answer."""
    answered_at: Mapped[datetime | None]
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    threshold_notified_at: Mapped[datetime | None]
    """When staff were told that the support threshold was reached (only once)."""
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]


class ProposalHistory(Base):
    """One step of a proposal's life: submitted, a status change, hidden, restored."""

    __tablename__ = "proposal_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    """The user who acted; None for the system (reports) or the command line."""
    actor: Mapped[str] = mapped_column(String(128))
    """``tg:<telegram id>``, ``cli:<login>`` or ``system``."""
    at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(Text)


class ProposalSupport(Base):
    """공감: one per person per proposal."""

    __tablename__ = "proposal_supports"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]


class ProposalReport(Base):
    """신고: one per person per proposal. Dismissed reports no longer count."""

    __tablename__ = "proposal_reports"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    at: Mapped[datetime]
    dismissed: Mapped[bool] = mapped_column(default=False, server_default=false())


class ProposalDraft(Base):
    """The unfinished ``/propose`` of one user (fields are set as the steps are answered)."""

    __tablename__ = "proposal_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    dong_id: Mapped[str | None] = mapped_column(String(64))
    category_id: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(String(TITLE_LENGTH))
    description: Mapped[str | None] = mapped_column(Text)
    photo_file_id: Mapped[str | None] = mapped_column(String(PHOTO_ID_LENGTH))
    version: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    """Increases with every change, so that an outdated preview's Submit is refused."""
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ProposalDongSettings(Base):
    """Per-dong settings: the support threshold and the staff group chat."""

    __tablename__ = "proposal_dong_settings"

    dong_id: Mapped[str] = mapped_column(ForeignKey("kb_dongs.id"), primary_key=True)
    support_threshold: Mapped[int | None]
    """None: :data:`bot.proposals.DEFAULT_SUPPORT_THRESHOLD`."""
    staff_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(128))


__all__ = [
    "HistoryAction",
    "Proposal",
    "ProposalDongSettings",
    "ProposalDraft",
    "ProposalHistory",
    "ProposalReport",
    "ProposalStatus",
    "ProposalSupport",
    "Visibility",
]
