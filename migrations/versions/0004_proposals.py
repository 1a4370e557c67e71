"""Agenda proposals (issue 4)

Create Date: 2026-11-22

"""
from alembic import op
import sqlalchemy as sa

import models.base

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'

STATUSES = (
    "'submitted', 'under_review', 'accepted', 'rejected', 'merged', 'withdrawn', "
    "'selected', 'not_selected', 'in_progress', 'done'"
)


def upgrade() -> None:
    op.create_table('proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dong_id', sa.String(length=64), nullable=False),
    sa.Column('category_id', sa.String(length=64), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('photo_file_id', sa.String(length=256), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('visibility', sa.String(length=10), server_default='visible', nullable=False),
    sa.Column('support_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('threshold_notified_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint(f'status IN ({STATUSES})', name=op.f('ck_proposals_status')),
    sa.CheckConstraint("visibility IN ('visible', 'flagged', 'hidden')", name=op.f('ck_proposals_visibility')),
    sa.CheckConstraint('support_count >= 0', name=op.f('ck_proposals_support_count')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_proposals_author_id_users')),
    sa.ForeignKeyConstraint(['category_id'], ['kb_categories.id'], name=op.f('fk_proposals_category_id_kb_categories')),
    sa.ForeignKeyConstraint(['dong_id'], ['kb_dongs.id'], name=op.f('fk_proposals_dong_id_kb_dongs')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['proposals.id'], name=op.f('fk_proposals_merged_into_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposals'))
    )
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposals_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_dong_id'), ['dong_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_status'), ['status'], unique=False)

    op.create_table('proposal_dong_settings',
    sa.Column('dong_id', sa.String(length=64), nullable=False),
    sa.Column('support_threshold', sa.Integer(), nullable=True),
    sa.Column('staff_chat_id', sa.BigInteger(), nullable=True),
    sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=128), nullable=False),
    sa.ForeignKeyConstraint(['dong_id'], ['kb_dongs.id'], name=op.f('fk_proposal_dong_settings_dong_id_kb_dongs')),
    sa.PrimaryKeyConstraint('dong_id', name=op.f('pk_proposal_dong_settings'))
    )
    op.create_table('proposal_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('dong_id', sa.String(length=64), nullable=True),
    sa.Column('category_id', sa.String(length=64), nullable=True),
    sa.Column('title', sa.String(length=80), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('photo_file_id', sa.String(length=256), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_proposal_drafts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_drafts')),
    sa.UniqueConstraint('user_id', name=op.f('uq_proposal_drafts_user_id'))
    )
    op.create_table('proposal_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_proposal_history_actor_id_users')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_history_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_history'))
    )
    with op.batch_alter_table('proposal_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_history_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('dismissed', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_reports_proposal_id_proposals')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_proposal_reports_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_reports')),
    sa.UniqueConstraint('proposal_id', 'user_id', name=op.f('uq_proposal_reports_proposal_id'))
    )
    with op.batch_alter_table('proposal_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_reports_user_id'), ['user_id'], unique=False)

    op.create_table('proposal_supports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_supports_proposal_id_proposals')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_proposal_supports_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_supports')),
    sa.UniqueConstraint('proposal_id', 'user_id', name=op.f('uq_proposal_supports_proposal_id'))
    )
    with op.batch_alter_table('proposal_supports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_supports_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('proposal_supports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_supports_user_id'))
    op.drop_table('proposal_supports')
    with op.batch_alter_table('proposal_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_reports_user_id'))
    op.drop_table('proposal_reports')
    with op.batch_alter_table('proposal_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_history_proposal_id'))
    op.drop_table('proposal_history')
    op.drop_table('proposal_drafts')
    op.drop_table('proposal_dong_settings')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposals_status'))
        batch_op.drop_index(batch_op.f('ix_proposals_dong_id'))
        batch_op.drop_index(batch_op.f('ix_proposals_created_at'))
        batch_op.drop_index(batch_op.f('ix_proposals_category_id'))
        batch_op.drop_index(batch_op.f('ix_proposals_author_id'))
    op.drop_table('proposals')
