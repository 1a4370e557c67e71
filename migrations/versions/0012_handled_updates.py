"""handled_updates: update ids already handled, so a webhook's redelivery is skipped

Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa

import models.base

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'


def upgrade() -> None:
    op.create_table('handled_updates',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('handled_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('update_id', name=op.f('pk_handled_updates'))
    )
    op.create_index(op.f('ix_handled_updates_handled_at'), 'handled_updates', ['handled_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_handled_updates_handled_at'), table_name='handled_updates')
    op.drop_table('handled_updates')
