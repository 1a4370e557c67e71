"""Users, their language and home dong, and the roles staff give them."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.core import audit
from bot.core.config import SUPPORTED_LANGUAGES
from bot.core.db import upsert
from models.invite import RoleInvite
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
    """The user with their roles, in one statement (every update asks: the roles' own
    ``selectin`` query would be a second one)."""
    result = await session.execute(
        select(User)
        .where(User.telegram_id == telegram_id)
        .options(joinedload(User.roles))
        .execution_options(populate_existing=True)
    )
    return result.unique().scalar_one_or_none()


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
    grant_id: int = 0
    """The ``user_roles`` row (what a remove button names)."""


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


async def _audit(
    session: AsyncSession,
    action: str,
    target: tuple[str, str],
    details: dict[str, Any],
    now: datetime,
    actor_telegram_id: int | None,
    actor: str | None = None,
) -> None:
    """An entry in the audit log about ``target`` (its type and id); ``actor`` defaults to
    the Telegram account that acted."""
    await audit.record(
        session,
        at=now,
        actor=actor or f"tg:{actor_telegram_id}",
        actor_telegram_id=actor_telegram_id,
        action=action,
        target_type=target[0],
        target_id=target[1],
        details=details,
    )


async def _roles_changed(
    session: AsyncSession,
    action: str,
    telegram_id: int,
    role: Role,
    dong: str,
    now: datetime,
    actor_telegram_id: int | None,
    actor: str,
) -> None:
    """Write a change of someone's roles, then its entry in the audit log."""
    await session.flush()
    details = {"role": role.value, "dong": dong}
    await _audit(
        session, action, ("user", str(telegram_id)), details, now, actor_telegram_id, actor
    )


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
    await _roles_changed(
        session, "role.add", telegram_id, parsed, dong, now, actor_telegram_id, actor
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
    await _roles_changed(
        session, "role.remove", telegram_id, parsed, dong, now, actor_telegram_id, actor
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
        RoleRow(tid, name, r.role, r.dong_id, r.granted_at, r.granted_by, r.id)
        for tid, name, r in rows.all()
    ]


async def get_grant(session: AsyncSession, grant_id: int) -> RoleRow | None:
    """One ``user_roles`` row with its user, or None when it is gone."""
    row = (
        await session.execute(
            select(User.telegram_id, User.first_name, UserRole)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.id == grant_id)
        )
    ).first()
    if row is None:
        return None
    tid, name, r = row
    return RoleRow(tid, name, r.role, r.dong_id, r.granted_at, r.granted_by, r.id)


# ---------------------------------------------------------------------------------------
# Invitations: a single-use deep link (t.me/<bot>?start=role_<token>) gives a role
# ---------------------------------------------------------------------------------------

INVITE_ROLES = (Role.ACTIVIST, Role.STAFF)
"""What an invitation can give. The admin role is given on the server only (``maeul admin
role add`` or ``ADMIN_IDS``): a forwarded link must never make someone a district admin."""
INVITE_LIFETIME = timedelta(hours=48)
INVITE_PREFIX = "role"
"""The deep link's payload prefix (``handlers/core/start.py`` routes it)."""


class InviteError(ValueError):
    """An invitation that cannot be accepted; ``reason`` is ``unknown``, ``used``,
    ``expired``, ``revoked`` or ``already`` (the person has the role: nothing is used up)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Invite:
    id: int
    token: str
    """The secret part of the link. Shown once, to the admin who created it; never stored."""
    role: str
    dong_id: str
    expires_at: datetime


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_invite(
    session: AsyncSession,
    role: str,
    *,
    dong_id: str | None,
    inviter_telegram_id: int,
    now: datetime,
    known_dongs: set[str] | None = None,
    lifetime: timedelta = INVITE_LIFETIME,
) -> Invite:
    """A new invitation (``role.invite`` in the audit log, by the admin who made it).

    The token has 144 random bits (24 URL-safe characters, inside Telegram's 64-character
    /start payload); only its SHA-256 is kept, so the database alone gives no working link.
    """
    parsed, dong = _check(role, dong_id, known_dongs)
    if parsed not in INVITE_ROLES:
        raise RoleError(f"the {parsed.value} role cannot be given by an invitation")
    token = secrets.token_urlsafe(18)
    row = RoleInvite(
        token_hash=_token_hash(token),
        role=parsed.value,
        dong_id=dong,
        created_by=inviter_telegram_id,
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(row)
    await session.flush()
    details = {"role": parsed.value, "dong": dong, "expires_at": row.expires_at.isoformat()}
    target = ("invite", str(row.id))
    await _audit(session, "role.invite", target, details, now, inviter_telegram_id)
    return Invite(row.id, token, parsed.value, dong, row.expires_at)


async def find_invite(session: AsyncSession, token: str) -> RoleInvite | None:
    result = await session.execute(
        select(RoleInvite).where(RoleInvite.token_hash == _token_hash(token))
    )
    return result.scalar_one_or_none()


def invite_state(invite: RoleInvite, now: datetime) -> str:
    """``pending``, ``used``, ``revoked`` or ``expired``."""
    if invite.used_at is not None:
        return "used"
    if invite.revoked_at is not None:
        return "revoked"
    if invite.expires_at <= now:
        return "expired"
    return "pending"


async def accept_invite(
    session: AsyncSession, token: str, user: User, *, now: datetime
) -> RoleInvite:
    """Give ``user`` the invitation's role and use the invitation up.

    Single use is decided by the database: a conditional UPDATE (not used, not revoked,
    not expired) that only one transaction can win, so two people opening the same link
    at once cannot both get the role. The role is granted in the inviter's name
    (``role.add`` by them, ``granted_by`` theirs); ``role.invite.accept`` records who
    accepted whose invitation. Raises :class:`InviteError`.
    """
    invite = await find_invite(session, token)
    if invite is None:
        raise InviteError("unknown")
    state = invite_state(invite, now)
    if state != "pending":
        raise InviteError(state)
    if any(r.role == invite.role and r.dong_id == invite.dong_id for r in user.roles):
        raise InviteError("already")
    won = await session.execute(
        update(RoleInvite)
        .where(
            RoleInvite.id == invite.id,
            RoleInvite.used_at.is_(None),
            RoleInvite.revoked_at.is_(None),
            RoleInvite.expires_at > now,
        )
        .values(used_at=now, used_by=user.telegram_id)
        .execution_options(synchronize_session=False)
    )
    if getattr(won, "rowcount", 0) != 1:
        raise InviteError("used")
    await session.refresh(invite)
    await grant_role(
        session,
        user.telegram_id,
        invite.role,
        dong_id=invite.dong_id or None,
        actor=f"tg:{invite.created_by}",
        actor_telegram_id=invite.created_by,
        now=now,
    )
    await audit.record(
        session,
        at=now,
        actor=f"tg:{user.telegram_id}",
        actor_telegram_id=user.telegram_id,
        action="role.invite.accept",
        target_type="invite",
        target_id=str(invite.id),
        details={
            "role": invite.role,
            "dong": invite.dong_id,
            "invited_by": invite.created_by,
            "user": user.telegram_id,
        },
    )
    return invite


async def pending_invites(session: AsyncSession, now: datetime) -> list[RoleInvite]:
    rows = await session.execute(
        select(RoleInvite)
        .where(
            RoleInvite.used_at.is_(None),
            RoleInvite.revoked_at.is_(None),
            RoleInvite.expires_at > now,
        )
        .order_by(RoleInvite.created_at.desc(), RoleInvite.id.desc())
    )
    return list(rows.scalars())


async def revoke_invite(
    session: AsyncSession, invite_id: int, *, actor_telegram_id: int, now: datetime
) -> bool:
    """Withdraw a pending invitation (``role.invite.revoke``); False if it was not pending."""
    invite = await session.get(RoleInvite, invite_id, populate_existing=True)
    if invite is None or invite_state(invite, now) != "pending":
        return False
    invite.revoked_at = now
    await session.flush()
    details = {"role": invite.role, "dong": invite.dong_id}
    target = ("invite", str(invite.id))
    await _audit(session, "role.invite.revoke", target, details, now, actor_telegram_id)
    return True
