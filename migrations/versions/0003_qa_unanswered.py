"""Unanswered questions log (Q&A, issue 3)

Create Date: 2026-11-22

"""
from alembic import op
import sqlalchemy as sa

import models.base

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'


def upgrade() -> None:
    op.create_table('qa_unanswered',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asked_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('normalized', sa.String(length=1000), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_unanswered'))
    )
    with op.batch_alter_table('qa_unanswered', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_unanswered_asked_at'), ['asked_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_unanswered_normalized'), ['normalized'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('qa_unanswered', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_unanswered_normalized'))
        batch_op.drop_index(batch_op.f('ix_qa_unanswered_asked_at'))

    op.drop_table('qa_unanswered')
