"""People who use the bot and the roles staff give them."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base


class Role(enum.StrEnum):
    """Roles beyond 'resident', which every user has."""

    RESIDENT = "resident"
    ACTIVIST = "activist"
    STAFF = "staff"  # staff of one dong (centre worker, council secretary)
    ADMIN = "admin"  # district admin: staff of every dong, keeps the content


def new_account_key() -> str:
    return secrets.token_hex(8)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True, index=True)
    first_name: Mapped[str | None] = mapped_column(String(256))
    username: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(8))  # the user's saved choice
    telegram_language: Mapped[str | None] = mapped_column(String(16))  # last seen language_code
    home_dong_id: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime | None]
    account_key: Mapped[str | None] = mapped_column(String(16), default=new_account_key)
    """Random, new with every account and when /forget empties one into a tombstone. A
    button meant for this account only carries a stamp of it (/forget's "yes" and "no"):
    the id is not enough, as SQLite gives a new account the id of a deleted one."""

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def has_role(self, role: Role, dong_id: str | None = None) -> bool:
        for granted in self.roles:
            if granted.role == Role.ADMIN:
                return True
            if granted.role == role and (
                role != Role.STAFF or dong_id is None or granted.dong_id == dong_id
            ):
                return True
        return role == Role.RESIDENT


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role", "dong_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    dong_id: Mapped[str] = mapped_column(String(64), default="")  # "" = district-wide
    granted_at: Mapped[datetime]
    granted_by: Mapped[str | None] = mapped_column(String(128))

    user: Mapped[User] = relationship(back_populates="roles")
