"""Questions answered and not answered, counted per day and dong (issue 13, /stats)

A counter only: no question text, no user (models/qa_counts.py). Nothing to backfill:
answered questions were never recorded, and the unanswered log keeps no dong.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('qa_daily_counts',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('dong_id', sa.String(length=64), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('unanswered', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'dong_id', name=op.f('pk_qa_daily_counts'))
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('qa_daily_counts')
