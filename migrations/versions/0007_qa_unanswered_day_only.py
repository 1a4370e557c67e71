"""Unanswered questions keep the day only, under random ids (issue 9 §3)

A timestamp matched ``users.last_seen_at`` to the millisecond and tied a resident's free
text to their account; a sequential id ordered the questions of a day. The table is
written anew: the day of each earlier question (in UTC, the stored zone), a random id, and
the rows in a random order, so that not even their physical position keeps the old order.

Create Date: 2026-12-02

"""
import secrets
from datetime import UTC, date, datetime
from typing import Any

from alembic import op
import sqlalchemy as sa

import models.base

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'

RandomId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def _rows(*columns: str) -> list[dict[str, Any]]:
    types = {'asked_at': models.base.UTCDateTime(), 'asked_on': sa.Date()}
    table = sa.table('qa_unanswered', *(sa.column(c, types.get(c)) for c in columns))
    result = op.get_bind().execute(sa.select(*table.c))
    return [dict(row._mapping) for row in result]


def _drop() -> None:
    with op.batch_alter_table('qa_unanswered', schema=None) as batch_op:
        for index in sa.inspect(op.get_bind()).get_indexes('qa_unanswered'):
            batch_op.drop_index(index['name'])
    op.drop_table('qa_unanswered')


def _create(id_column: sa.Column, day_column: sa.Column) -> sa.Table:
    """qa_unanswered with the given id and day columns; the other columns, the primary key
    and the indexes (one on the day column) are the same before and after."""
    table = op.create_table('qa_unanswered',
    id_column,
    day_column,
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('normalized', sa.String(length=1000), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_unanswered'))
    )
    day = day_column.name
    with op.batch_alter_table('qa_unanswered', schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_qa_unanswered_{day}'), [day], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_unanswered_normalized'), ['normalized'], unique=False)
    return table


def upgrade() -> None:
    rows = _rows('asked_at', 'text', 'normalized', 'language')
    _drop()
    table = _create(
        sa.Column('id', RandomId, autoincrement=False, nullable=False),
        sa.Column('asked_on', sa.Date(), nullable=False),
    )
    secrets.SystemRandom().shuffle(rows)
    ids: set[int] = set()
    while len(ids) < len(rows):
        ids.add(secrets.randbits(63) or 1)
    if rows:
        op.bulk_insert(table, [
            {
                'id': new_id,
                'asked_on': row['asked_at'].astimezone(UTC).date(),
                'text': row['text'],
                'normalized': row['normalized'],
                'language': row['language'],
            }
            for new_id, row in zip(ids, rows)
        ])


def downgrade() -> None:
    """Downgrade schema: midnight UTC of each day, sequential ids again."""
    rows = _rows('asked_on', 'text', 'normalized', 'language')
    _drop()
    table = _create(
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('asked_at', models.base.UTCDateTime(timezone=True), nullable=False),
    )
    if rows:
        op.bulk_insert(table, [
            {
                'asked_at': datetime.combine(_day(row['asked_on']), datetime.min.time(), UTC),
                'text': row['text'],
                'normalized': row['normalized'],
                'language': row['language'],
            }
            for row in rows
        ])


def _day(value: Any) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value
