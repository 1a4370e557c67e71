"""What the features' SQL statements share on both databases (SQLite and PostgreSQL): the
dialect's INSERT, for ``ON CONFLICT`` clauses, and how many rows a statement touched."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_for(session: AsyncSession) -> Any:
    """``insert`` of the session's database, PostgreSQL's or SQLite's: the two that take
    ``on_conflict_do_nothing`` / ``on_conflict_do_update``."""
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def rowcount(result: Any) -> int:
    """Rows an UPDATE / INSERT … ON CONFLICT / DELETE touched (a CursorResult's rowcount)."""
    return int(result.rowcount)
