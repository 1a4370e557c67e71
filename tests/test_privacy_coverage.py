"""Every column that refers to a person is covered by /mydata and /forget.

A new table (or column) holding a user id, a chat id or a Telegram id must be registered
with a privacy provider (``bot/<feature>/privacy.py``, :mod:`bot.core.privacy`), or be
listed below as not personal, with the reason.
"""

from __future__ import annotations

import re

from sqlalchemy import BigInteger, Column, MetaData, Table

import models  # noqa: F401  (every table on Base.metadata)
from bot.core import privacy
from bot.features import register_privacy
from models.base import Base

NOT_PERSONAL = {
    "proposal_dong_settings.staff_chat_id": "a staff group chat, not a person",
}

NAME_RE = re.compile(r"(^|_)(user|chat|telegram)_id$|^author_id$|^actor_id$")


def _personal(column: Column) -> bool:  # type: ignore[type-arg]
    if any(fk.column.table.name == "users" for fk in column.foreign_keys):
        return True
    if NAME_RE.search(column.name):
        return True
    # a Telegram id kept as who did something ("created_by", "used_by")
    return column.name.endswith("_by") and isinstance(column.type, BigInteger)


def personal_columns(metadata: MetaData) -> set[str]:
    found = set()
    for table in metadata.tables.values():
        for column in table.columns:
            if _personal(column):
                found.add(f"{table.name}.{column.name}")
    return found


def uncovered(metadata: MetaData, registry: privacy.Registry) -> set[str]:
    return personal_columns(metadata) - registry.covered - set(NOT_PERSONAL)


def test_every_personal_column_is_exported_and_forgotten():
    registry = register_privacy(privacy.Registry())
    assert uncovered(Base.metadata, registry) == set()
    # and nothing is covered that does not exist (a renamed column would hide there)
    columns = {f"{t.name}.{c.name}" for t in Base.metadata.tables.values() for c in t.columns}
    assert registry.covered - columns == set()


def test_a_new_table_with_a_user_id_is_noticed():
    registry = register_privacy(privacy.Registry())
    metadata = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    Table(
        "petitions",
        metadata,
        Column("id", BigInteger, primary_key=True),
        Column("signer_id", BigInteger),  # no foreign key, no telling name: not found
    )
    from sqlalchemy import ForeignKey

    Table(
        "likes",
        metadata,
        Column("id", BigInteger, primary_key=True),
        Column("liker", BigInteger, ForeignKey("users.id")),
        Column("owner_chat_id", BigInteger),
        Column("approved_by", BigInteger),
    )
    assert uncovered(metadata, registry) == {
        "likes.liker",
        "likes.owner_chat_id",
        "likes.approved_by",
    }


def test_the_account_is_always_forgotten_last():
    registry = register_privacy(privacy.Registry())
    names = [p.name for p in registry.ordered()]
    assert names[-1] == privacy.ACCOUNT
    assert {"proposals", "assembly", "events", "kb", "qa", "reminders"} <= set(names)
