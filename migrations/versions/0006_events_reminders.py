"""Events, registrations, subscriptions, surveys and durable reminders (issue 6)

Create Date: 2026-11-22

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text

import models.base
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'


def upgrade() -> None:
    op.create_table('reminder_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=16), nullable=False),
    sa.Column('offsets', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminder_settings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'topic', name=op.f('pk_reminder_settings'))
    )
    op.create_table('reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('ref', sa.String(length=80), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('due_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=10), server_default='pending', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('claimed_by', sa.String(length=40), nullable=True),
    sa.Column('lease_until', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'dropped', 'cancelled', 'failed', 'skipped')", name=op.f('ck_reminders_status')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminders_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('key', name=op.f('uq_reminders_key'))
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_ref'), ['ref'], unique=False)
        batch_op.create_index('ix_reminders_status_due_at', ['status', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_user_id'), ['user_id'], unique=False)

    op.create_table('subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('chat_type', sa.String(length=12), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('topic', sa.String(length=8), nullable=False),
    sa.Column('value', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.CheckConstraint("topic IN ('kind', 'dong')", name=op.f('ck_subscriptions_topic')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_subscriptions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscriptions')),
    sa.UniqueConstraint('chat_id', 'topic', 'value', name=op.f('uq_subscriptions_chat_id'))
    )
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subscriptions_chat_id'), ['chat_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subscriptions_user_id'), ['user_id'], unique=False)

    op.create_table('event_occurrences',
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('occurrence_start', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('seats_taken', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('checkin_code', sa.String(length=12), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('seats_taken >= 0', name=op.f('ck_event_occurrences_seats_taken')),
    sa.ForeignKeyConstraint(['event_id'], ['kb_events.id'], name=op.f('fk_event_occurrences_event_id_kb_events')),
    sa.PrimaryKeyConstraint('event_id', 'occurrence_start', name=op.f('pk_event_occurrences')),
    sa.UniqueConstraint('checkin_code', name=op.f('uq_event_occurrences_checkin_code'))
    )
    op.create_table('event_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('occurrence_start', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('occurrence_index', sa.Integer(), nullable=False),
    sa.Column('starts_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('queued_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.String(length=16), nullable=True),
    sa.Column('promoted_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attended', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('attended_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attendance_by', sa.String(length=32), nullable=True),
    sa.CheckConstraint("status IN ('registered', 'waitlisted', 'cancelled', 'walkin')", name=op.f('ck_event_registrations_status')),
    sa.ForeignKeyConstraint(['event_id'], ['kb_events.id'], name=op.f('fk_event_registrations_event_id_kb_events')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_registrations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_registrations')),
    sa.UniqueConstraint('event_id', 'occurrence_start', 'user_id', name=op.f('uq_event_registrations_event_id'))
    )
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_registrations_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_registrations_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_registrations_user_id'), ['user_id'], unique=False)

    op.create_table('survey_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('occurrence_start', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['kb_events.id'], name=op.f('fk_survey_comments_event_id_kb_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_comments'))
    )
    with op.batch_alter_table('survey_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_comments_event_id'), ['event_id'], unique=False)

    op.create_table('survey_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('occurrence_start', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('rated', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('commented', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['kb_events.id'], name=op.f('fk_survey_invitations_event_id_kb_events')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_survey_invitations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_invitations')),
    sa.UniqueConstraint('token', name=op.f('uq_survey_invitations_token')),
    sa.UniqueConstraint('user_id', 'event_id', 'occurrence_start', name=op.f('uq_survey_invitations_user_id'))
    )
    with op.batch_alter_table('survey_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_invitations_user_id'), ['user_id'], unique=False)

    op.create_table('survey_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('occurrence_start', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_survey_responses_rating')),
    sa.ForeignKeyConstraint(['event_id'], ['kb_events.id'], name=op.f('fk_survey_responses_event_id_kb_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses'))
    )
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_responses_event_id'), ['event_id'], unique=False)

    with op.batch_alter_table('kb_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=8), server_default='kb', nullable=False))
        batch_op.add_column(sa.Column('cancelled', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('changes', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('kb_events', schema=None) as batch_op:
        batch_op.drop_column('changes')
        batch_op.drop_column('cancelled')
        batch_op.drop_column('origin')

    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_responses_event_id'))

    op.drop_table('survey_responses')
    with op.batch_alter_table('survey_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_invitations_user_id'))

    op.drop_table('survey_invitations')
    with op.batch_alter_table('survey_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_comments_event_id'))

    op.drop_table('survey_comments')
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_registrations_user_id'))
        batch_op.drop_index(batch_op.f('ix_event_registrations_starts_at'))
        batch_op.drop_index(batch_op.f('ix_event_registrations_event_id'))

    op.drop_table('event_registrations')
    op.drop_table('event_occurrences')
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscriptions_user_id'))
        batch_op.drop_index(batch_op.f('ix_subscriptions_chat_id'))

    op.drop_table('subscriptions')
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_user_id'))
        batch_op.drop_index('ix_reminders_status_due_at')
        batch_op.drop_index(batch_op.f('ix_reminders_ref'))

    op.drop_table('reminders')
    op.drop_table('reminder_settings')
