"""ptb_conversations.unconfirmed_at: a step's question not yet known to be delivered

A step's new state is committed before its question is sent. A process killed in between
left the step waiting for the answer to a question the person never saw: their next
message was taken as that answer. The column is set in the step's transaction and cleared
once the question was delivered; a sweep ends the steps where it stays set
(handlers.core.undelivered.sweep_unconfirmed). Existing rows: NULL (nothing known to be missing).

Create Date: 2026-12-06

"""
import sqlalchemy as sa
from alembic import op

import models.base

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'


def upgrade() -> None:
    with op.batch_alter_table('ptb_conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unconfirmed_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_ptb_conversations_unconfirmed_at'), ['unconfirmed_at'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('ptb_conversations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ptb_conversations_unconfirmed_at'))
        batch_op.drop_column('unconfirmed_at')
