"""kb_faq_entries.origin: answers staff taught from the bot survive a KB re-import

Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'


def upgrade() -> None:
    with op.batch_alter_table('kb_faq_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=8), server_default='kb', nullable=False))
    # entries published from the bot before this column existed: their audit entries say so
    op.execute(
        "UPDATE kb_faq_entries SET origin = 'staff' WHERE id IN "
        "(SELECT target_id FROM audit_log WHERE action = 'faq.create' AND target_type = 'faq')"
    )


def downgrade() -> None:
    with op.batch_alter_table('kb_faq_entries', schema=None) as batch_op:
        batch_op.drop_column('origin')
