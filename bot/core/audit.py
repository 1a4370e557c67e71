"""Recording staff actions in the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import AuditLog


async def record(
    session: AsyncSession,
    *,
    at: datetime,
    actor: str,
    action: str,
    target_type: str,
    target_id: str,
    details: dict[str, Any] | None = None,
    actor_telegram_id: int | None = None,
) -> AuditLog:
    entry = AuditLog(
        at=at,
        actor=actor,
        actor_telegram_id=actor_telegram_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        details=details or {},
    )
    session.add(entry)
    await session.flush()
    return entry


async def recent(session: AsyncSession, limit: int = 50) -> list[AuditLog]:
    rows = await session.execute(select(AuditLog).order_by(AuditLog.id.desc()).limit(limit))
    return list(rows.scalars())
