"""Assembly voting (issue 5)

Create Date: 2026-11-22

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text

import models.base
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'


def upgrade() -> None:
    op.create_table('assembly_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assembly_id', sa.String(length=64), nullable=False),
    sa.Column('kb_assembly_id', sa.String(length=64), nullable=True),
    sa.Column('dong_id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('eligibility', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('max_choices', sa.Integer(), nullable=True),
    sa.Column('opens_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closes_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('mode', sa.String(length=10), server_default='codes', nullable=False),
    sa.Column('revoting', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('eligible_population', sa.Integer(), nullable=True),
    sa.Column('quorum_percent', sa.Integer(), nullable=True),
    sa.Column('overrides', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('item_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('frozen_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ballots_cast', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('accumulator', sa.String(length=64), nullable=False),
    sa.Column('accumulator_tag', sa.String(length=64), nullable=True),
    sa.Column('tallied_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('online_tally', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('onsite_totals', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("method IN ('approve_reject', 'choose_up_to')", name=op.f('ck_assembly_votes_method')),
    sa.CheckConstraint("mode IN ('codes', 'open')", name=op.f('ck_assembly_votes_mode')),
    sa.CheckConstraint('ballots_cast >= 0', name=op.f('ck_assembly_votes_ballots_cast')),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_assembly_votes_window')),
    sa.ForeignKeyConstraint(['dong_id'], ['kb_dongs.id'], name=op.f('fk_assembly_votes_dong_id_kb_dongs')),
    sa.ForeignKeyConstraint(['kb_assembly_id'], ['kb_assemblies.id'], name=op.f('fk_assembly_votes_kb_assembly_id_kb_assemblies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assembly_votes')),
    sa.UniqueConstraint('assembly_id', name=op.f('uq_assembly_votes_assembly_id'))
    )
    with op.batch_alter_table('assembly_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assembly_votes_dong_id'), ['dong_id'], unique=False)

    op.create_table('assembly_vote_items',
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('description', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('budget_krw', sa.BigInteger(), nullable=True),
    sa.Column('category_id', sa.String(length=64), nullable=True),
    sa.Column('proposed_by', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['vote_id'], ['assembly_votes.id'], name=op.f('fk_assembly_vote_items_vote_id_assembly_votes')),
    sa.PrimaryKeyConstraint('vote_id', 'item_id', name=op.f('pk_assembly_vote_items'))
    )
    op.create_table('ballots',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('lookup', sa.String(length=64), nullable=False),
    sa.Column('current_tag', sa.String(length=64), nullable=True),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.Column('superseded', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['vote_id'], ['assembly_votes.id'], name=op.f('fk_ballots_vote_id_assembly_votes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballots')),
    sa.UniqueConstraint('lookup', name=op.f('uq_ballots_lookup')),
    sa.UniqueConstraint('vote_id', 'current_tag', name=op.f('uq_ballots_vote_id'))
    )
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballots_vote_id'), ['vote_id'], unique=False)

    op.create_table('voting_codes',
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('batch', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='issued', nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('issued', 'redeemed', 'onsite')", name=op.f('ck_voting_codes_status')),
    sa.ForeignKeyConstraint(['vote_id'], ['assembly_votes.id'], name=op.f('fk_voting_codes_vote_id_assembly_votes')),
    sa.PrimaryKeyConstraint('code_hash', name=op.f('pk_voting_codes'))
    )
    with op.batch_alter_table('voting_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voting_codes_vote_id'), ['vote_id'], unique=False)

    op.create_table('assembly_voters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=True),
    sa.Column('voted', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('onsite', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('reminded', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('review_nonce', sa.String(length=16), nullable=True),
    sa.Column('joined_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['code_hash'], ['voting_codes.code_hash'], name=op.f('fk_assembly_voters_code_hash_voting_codes')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_assembly_voters_user_id_users')),
    sa.ForeignKeyConstraint(['vote_id'], ['assembly_votes.id'], name=op.f('fk_assembly_voters_vote_id_assembly_votes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assembly_voters')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_assembly_voters_code_hash')),
    sa.UniqueConstraint('vote_id', 'user_id', name=op.f('uq_assembly_voters_vote_id'))
    )
    with op.batch_alter_table('assembly_voters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assembly_voters_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assembly_voters_vote_id'), ['vote_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('assembly_voters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assembly_voters_vote_id'))
        batch_op.drop_index(batch_op.f('ix_assembly_voters_user_id'))
    op.drop_table('assembly_voters')
    with op.batch_alter_table('voting_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voting_codes_vote_id'))
    op.drop_table('voting_codes')
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballots_vote_id'))
    op.drop_table('ballots')
    op.drop_table('assembly_vote_items')
    with op.batch_alter_table('assembly_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assembly_votes_dong_id'))
    op.drop_table('assembly_votes')
