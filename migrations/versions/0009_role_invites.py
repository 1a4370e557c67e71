"""Role invitations: single-use deep links an admin sends (issue 13)

Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa

import models.base

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'


def upgrade() -> None:
    op.create_table('role_invites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('dong_id', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('used_by', sa.BigInteger(), nullable=True),
    sa.Column('revoked_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role IN ('activist', 'staff')", name=op.f('ck_role_invites_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_invites')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_role_invites_token_hash'))
    )


def downgrade() -> None:
    op.drop_table('role_invites')
