"""Single-use invitations to a role (``t.me/<bot>?start=role_<token>``).

An admin creates one from the bot; whoever opens the link first, before it expires, gets
the role. Only a SHA-256 of the token is stored: a copy of the database does not hold a
working link (the link is a bearer secret until it is used or expires).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class RoleInvite(Base):
    __tablename__ = "role_invites"
    __table_args__ = (CheckConstraint("role IN ('activist', 'staff')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    dong_id: Mapped[str] = mapped_column(String(64), default="")  # "" = district-wide
    created_by: Mapped[int] = mapped_column(BigInteger)
    """Telegram id of the admin who invited."""
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[int | None] = mapped_column(BigInteger)
    """Telegram id of who accepted it."""
    revoked_at: Mapped[datetime | None]


__all__ = ["RoleInvite"]
