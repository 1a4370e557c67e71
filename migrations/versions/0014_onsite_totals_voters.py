"""assembly_votes.onsite_totals_voters: on-site voters marked when the paper totals were entered

Codes marked after the totals are paper ballots the totals leave out: the results are
provisional again until the totals are entered anew (bot.assembly.service.onsite_pending).
Totals entered before this column existed keep NULL and are taken as complete, as before.

Create Date: 2026-12-06

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'


def upgrade() -> None:
    with op.batch_alter_table('assembly_votes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('onsite_totals_voters', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('assembly_votes', schema=None) as batch_op:
        batch_op.drop_column('onsite_totals_voters')
