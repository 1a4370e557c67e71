"""Users, their language and home dong, and the roles staff give them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import audit
from bot.core.config import SUPPORTED_LANGUAGES
from bot.core.db import upsert
from models.user import Role, User, UserRole

ASSIGNABLE_ROLES = (Role.ACTIVIST, Role.STAFF, Role.ADMIN)


class TelegramUserLike(Protocol):
    id: int
    first_name: str
    username: str | None
    language_code: str | None


class RoleError(ValueError):
    """A role change that cannot be made; the message says why."""


SEEN_RESOLUTION = timedelta(hours=1)
"""``users.last_seen_at`` is kept to the hour: enough to know who is active, too coarse to
date one action (a question, a cast) — and most updates then write nothing to ``users``."""


def seen_at(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


async def touch_user(session: AsyncSession, tg: TelegramUserLike, now: datetime) -> User:
    """Create or refresh the user's row from a Telegram user; return it with roles loaded.

    Nothing is written when the row already says all of it (name, username, language,
    active, seen this hour).
    """
    seen = seen_at(now)
    user = await get_user(session, tg.id)
    if (
        user is not None
        and user.active
        and user.first_name == (tg.first_name or "")[:256]
        and user.username == tg.username
        and user.telegram_language == tg.language_code
        and user.last_seen_at == seen
    ):
        return user
    row = {
        "telegram_id": tg.id,
        "first_name": (tg.first_name or "")[:256],
        "username": tg.username,
        "telegram_language": tg.language_code,
        "active": True,
        "created_at": seen,
        "last_seen_at": seen,
    }
    await upsert(
        session,
        User,
        [row],
        ["telegram_id"],
        update=["first_name", "username", "telegram_language", "active", "last_seen_at"],
    )
    user = await get_user(session, tg.id)
    assert user is not None
    return user


async def get_user(session: AsyncSession, telegram_id: int) -> User | None:
    result = await session.execute(
        select(User)
        .where(User.telegram_id == telegram_id)
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def set_language(session: AsyncSession, user: User, lang: str) -> None:
    if lang not in SUPPORTED_LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")
    user.language = lang
    await session.flush()


async def set_home_dong(session: AsyncSession, user: User, dong_id: str | None) -> None:
    user.home_dong_id = dong_id
    await session.flush()


def is_admin(user: User, admin_ids: frozenset[int]) -> bool:
    return user.telegram_id in admin_ids or any(r.role == Role.ADMIN for r in user.roles)


def is_staff_of(user: User, dong_id: str | None, admin_ids: frozenset[int]) -> bool:
    if is_admin(user, admin_ids):
        return True
    return any(
        r.role == Role.STAFF and (dong_id is None or r.dong_id == dong_id) for r in user.roles
    )


@dataclass(frozen=True)
class RoleRow:
    telegram_id: int
    name: str | None
    role: str
    dong_id: str
    granted_at: datetime
    granted_by: str | None


def _check(role: str, dong_id: str | None, known_dongs: set[str] | None) -> tuple[Role, str]:
    try:
        parsed = Role(role)
    except ValueError:
        names = ", ".join(r.value for r in ASSIGNABLE_ROLES)
        raise RoleError(f"unknown role {role!r}; expected one of {names}") from None
    if parsed == Role.RESIDENT:
        raise RoleError("every user is a resident; there is nothing to grant")
    if parsed == Role.STAFF:
        if not dong_id:
            raise RoleError("the staff role needs a dong (--dong)")
        if known_dongs is not None and dong_id not in known_dongs:
            raise RoleError(f"unknown dong {dong_id!r}")
        return parsed, dong_id
    if dong_id:
        raise RoleError(f"the {parsed.value} role is district-wide; leave out --dong")
    return parsed, ""


async def grant_role(
    session: AsyncSession,
    telegram_id: int,
    role: str,
    *,
    dong_id: str | None,
    actor: str,
    now: datetime,
    known_dongs: set[str] | None = None,
    actor_telegram_id: int | None = None,
) -> bool:
    """Give a Telegram id a role. Returns False when it already had it."""
    parsed, dong = _check(role, dong_id, known_dongs)
    user = await get_user(session, telegram_id)
    if user is None:
        user = User(telegram_id=telegram_id, created_at=now, active=True)
        session.add(user)
        await session.flush()
        await session.refresh(user, ["roles"])
    if any(r.role == parsed and r.dong_id == dong for r in user.roles):
        return False
    user.roles.append(UserRole(role=parsed.value, dong_id=dong, granted_at=now, granted_by=actor))
    await session.flush()
    await audit.record(
        session,
        at=now,
        actor=actor,
        actor_telegram_id=actor_telegram_id,
        action="role.add",
        target_type="user",
        target_id=str(telegram_id),
        details={"role": parsed.value, "dong": dong},
    )
    return True


async def revoke_role(
    session: AsyncSession,
    telegram_id: int,
    role: str,
    *,
    dong_id: str | None,
    actor: str,
    now: datetime,
    actor_telegram_id: int | None = None,
) -> bool:
    """Take a role away. Returns False when the user did not have it."""
    parsed, dong = _check(role, dong_id, None)
    user = await get_user(session, telegram_id)
    if user is None:
        return False
    match = [r for r in user.roles if r.role == parsed and r.dong_id == dong]
    if not match:
        return False
    for granted in match:
        user.roles.remove(granted)
    await session.flush()
    await audit.record(
        session,
        at=now,
        actor=actor,
        actor_telegram_id=actor_telegram_id,
        action="role.remove",
        target_type="user",
        target_id=str(telegram_id),
        details={"role": parsed.value, "dong": dong},
    )
    return True


async def list_roles(session: AsyncSession, role: str | None = None) -> list[RoleRow]:
    stmt = (
        select(User.telegram_id, User.first_name, UserRole)
        .join(UserRole, UserRole.user_id == User.id)
        .order_by(UserRole.role, UserRole.dong_id, User.telegram_id)
    )
    if role:
        stmt = stmt.where(UserRole.role == role)
    rows = await session.execute(stmt)
    return [
        RoleRow(tid, name, r.role, r.dong_id, r.granted_at, r.granted_by)
        for tid, name, r in rows.all()
    ]
