"""The shared rate budget: one per bot token across instances (issue 12)

``rate_sends`` holds each message's permit, ``rate_budgets`` a token's 429 pause; both
are used on PostgreSQL only (bot/core/ratebudget.py), created everywhere for one schema.
UNLOGGED on PostgreSQL: no write-ahead log for state that is worthless after a crash
(emptied then, which only forgets the last minute's permits).

Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'


def upgrade() -> None:
    op.create_table('rate_budgets',
    sa.Column('bucket', sa.String(length=16), nullable=False),
    sa.Column('paused_until', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('bucket', name=op.f('pk_rate_budgets')),
    )
    op.create_table('rate_sends',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('bucket', sa.String(length=16), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('bulk', sa.Boolean(), nullable=False),
    sa.Column('started', sa.Double(), nullable=False),
    sa.Column('lease', sa.Double(), nullable=False),
    sa.Column('done', sa.Double(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_sends')),
    )
    op.create_index('ix_rate_sends_bucket_chat_id_done', 'rate_sends', ['bucket', 'chat_id', 'done'], unique=False)
    op.create_index('ix_rate_sends_bucket_done', 'rate_sends', ['bucket', 'done'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE rate_budgets SET UNLOGGED')
        op.execute('ALTER TABLE rate_sends SET UNLOGGED')


def downgrade() -> None:
    op.drop_index('ix_rate_sends_bucket_done', table_name='rate_sends')
    op.drop_index('ix_rate_sends_bucket_chat_id_done', table_name='rate_sends')
    op.drop_table('rate_sends')
    op.drop_table('rate_budgets')
