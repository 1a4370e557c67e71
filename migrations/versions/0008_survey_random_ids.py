"""Survey ratings and comments under random ids (issue 9 §3)

A sequential id (on SQLite also the rowid) ordered the anonymous ratings and comments, and
that order could be matched with the order in which invitations were answered. Both tables
are written anew: random ids, the rows in a random order.

Create Date: 2026-12-02

"""
import secrets
from typing import Any

from alembic import op
import sqlalchemy as sa

import models.base

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'

RandomId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
COLUMNS = {
    'survey_responses': ('event_id', 'occurrence_start', 'rating'),
    'survey_comments': ('event_id', 'occurrence_start', 'text'),
}


def _rows(name: str) -> list[dict[str, Any]]:
    types = {'occurrence_start': models.base.UTCDateTime()}
    table = sa.table(name, *(sa.column(c, types.get(c)) for c in COLUMNS[name]))
    result = op.get_bind().execute(sa.select(*table.c))
    return [dict(row._mapping) for row in result]


def _create(name: str, id_type: Any, random: bool) -> sa.Table:
    columns: list[Any] = [
        sa.Column('id', id_type, autoincrement=not random, nullable=False),
        sa.Column('event_id', sa.String(length=64), nullable=False),
        sa.Column('occurrence_start', models.base.UTCDateTime(timezone=True), nullable=False),
    ]
    if name == 'survey_responses':
        columns += [
            sa.Column('rating', sa.Integer(), nullable=False),
            sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_survey_responses_rating')),
        ]
    else:
        columns.append(sa.Column('text', sa.Text(), nullable=False))
    columns += [
        sa.ForeignKeyConstraint(
            ['event_id'], ['kb_events.id'], name=op.f(f'fk_{name}_event_id_kb_events')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{name}')),
    ]
    table = op.create_table(name, *columns)
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{name}_event_id'), ['event_id'], unique=False)
    return table


def _rewrite(name: str, id_type: Any, random: bool) -> None:
    rows = _rows(name)
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f(f'ix_{name}_event_id'))
    op.drop_table(name)
    table = _create(name, id_type, random)
    secrets.SystemRandom().shuffle(rows)
    if random:
        ids: set[int] = set()
        while len(ids) < len(rows):
            ids.add(secrets.randbits(63) or 1)
        rows = [{'id': new_id, **row} for new_id, row in zip(ids, rows)]
    if rows:
        op.bulk_insert(table, rows)


def upgrade() -> None:
    for name in COLUMNS:
        _rewrite(name, RandomId, random=True)


def downgrade() -> None:
    """Downgrade schema: sequential ids again (the rows stay in a random order)."""
    for name in COLUMNS:
        _rewrite(name, sa.Integer(), random=False)
