"""users.account_key: a random value per account, for buttons meant for that account only

SQLite gives a new account the id of a deleted one (the newest row's id, when /forget
deleted it), so /forget's "yes" and "no" told accounts apart by id and creation hour only
— and an account made anew within the hour matched. Each account now has a random key
(models.user.new_account_key), new again when /forget keeps the row as a tombstone; the
buttons carry a stamp of it. Existing accounts get theirs here, one by one.

Create Date: 2026-12-06

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('account_key', sa.String(length=16), nullable=True))
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('account_key', sa.String))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(
            users.update().where(users.c.id == user_id).values(account_key=secrets.token_hex(8))
        )


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('account_key')
