"""Messages thrown inside a case, delivered to another case through the outbox; pruning

A message throw that no element of its own process catches writes an `event_outbox` row of kind
`message` (docs/integration.md#messages-thrown-between-cases). Such a row carries what names its
receiver (`correlation`: variables, a business key), counts its delivery attempts (`attempts`; the
next one is due at `lock_expires_at`, the back-off) and gives up at `expires_at` (the message's
time to live), when an incident on the sending case says so.

Delivered rows are pruned after a retention (docs/integration.md#pruning-the-outbox): the index on
`done_at` of finished rows finds them without a scan.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('event_outbox') as batch:
        batch.add_column(sa.Column('correlation', _JSON, nullable=True))
        batch.add_column(sa.Column('attempts', sa.Integer, nullable=False, server_default='0'))
        batch.add_column(sa.Column('expires_at', _TS, nullable=True))
    op.create_index('ix_event_outbox_done', 'event_outbox', ['done_at'],
                    sqlite_where=sa.text("state = 'done'"), postgresql_where=sa.text("state = 'done'"))


def downgrade() -> None:
    op.drop_index('ix_event_outbox_done', table_name='event_outbox')
    with op.batch_alter_table('event_outbox') as batch:
        batch.drop_column('expires_at')
        batch.drop_column('attempts')
        batch.drop_column('correlation')
