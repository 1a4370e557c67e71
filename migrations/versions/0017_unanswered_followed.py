"""qa_unanswered.followed: the record a follow-up question was asked after

"그럼 언제까지요?" asked right after an answer about a grant is about that grant; the log kept
only its text, so staff could not tell which programme was meant, and an answer taught from
it answered the bare words about every programme. The column keeps the record (``grant:<id>``,
``event:<id>``, ``assembly:<id>``: a public KB record, no person — models/qa.py). Existing
rows: NULL (what they followed is not known).

Create Date: 2026-12-07

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'


def upgrade() -> None:
    with op.batch_alter_table('qa_unanswered', schema=None) as batch_op:
        batch_op.add_column(sa.Column('followed', sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('qa_unanswered', schema=None) as batch_op:
        batch_op.drop_column('followed')
