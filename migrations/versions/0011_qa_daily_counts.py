"""Questions answered and not answered, counted per day and dong (issue 13, /stats)

A counter only: no question text, no user (models/qa_counts.py). Nothing to backfill:
answered questions were never recorded, and the unanswered log keeps no dong.

Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'


def upgrade() -> None:
    op.create_table('qa_daily_counts',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('dong_id', sa.String(length=64), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('unanswered', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'dong_id', name=op.f('pk_qa_daily_counts'))
    )


def downgrade() -> None:
    op.drop_table('qa_daily_counts')
