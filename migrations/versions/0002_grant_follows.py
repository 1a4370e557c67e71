"""Grant follows (browsing, issue 3)

Create Date: 2026-11-22

"""
from alembic import op
import sqlalchemy as sa

import models.base

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'


def upgrade() -> None:
    op.create_table('grant_follows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['grant_id'], ['kb_grants.id'], name=op.f('fk_grant_follows_grant_id_kb_grants')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_grant_follows_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_follows')),
    sa.UniqueConstraint('user_id', 'grant_id', name=op.f('uq_grant_follows_user_id'))
    )
    with op.batch_alter_table('grant_follows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_follows_grant_id'), ['grant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grant_follows_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('grant_follows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_follows_user_id'))
        batch_op.drop_index(batch_op.f('ix_grant_follows_grant_id'))

    op.drop_table('grant_follows')
