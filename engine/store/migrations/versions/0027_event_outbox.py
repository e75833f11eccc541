"""Signals thrown inside a case, delivered to other cases through an outbox; messages correlated
by the waiting case's variables

The save of a case whose workflow threw a signal writes one `event_outbox` row in the same
transaction (name, variables, the throwing case, a unique id, and the highest subscription id
then: the cases waiting at the throw). The scheduler delivers it to each waiting case in that
case's own transaction, which also writes an `event_outbox_receipt` (outbox, case) row: unique,
so no case receives one throw twice, whichever worker (or two) delivers it and wherever one was
killed. A delivery that failed keeps a receipt with outcome `failed` and an incident whose
`outbox_id` lets a retry deliver it again (docs/integration.md#signals-thrown-inside-a-case).

`event_subscription_value` keeps, for each waiting message subscription, the scalar variables of
the waiting task (name, canonical JSON text), so a sender that correlates by variables finds the
case through the (name, value) index without loading any workflow
(docs/integration.md#correlation-by-variables).

`message_start` lists the message start events of each deployed version (written at deploy), so a
message of that name finds the process it starts (docs/integration.md#message-start-events).
Versions deployed before this revision have no rows: deploy them again to start them by message.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'event_outbox',
        sa.Column('id', _ID, primary_key=True),
        sa.Column('uid', sa.String(36), nullable=False, unique=True),
        sa.Column('kind', sa.String(8), nullable=False),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('variables', _JSON, nullable=False),
        sa.Column('source_case_id', _ID, sa.ForeignKey('case.id'), nullable=False),
        sa.Column('element_id', sa.String(255), nullable=True),
        sa.Column('watermark', _ID, nullable=False),
        sa.Column('state', sa.String(16), nullable=False),
        sa.Column('lock_owner', sa.String(128), nullable=True),
        sa.Column('lock_expires_at', _TS, nullable=True),
        sa.Column('delivered', sa.Integer, nullable=False, server_default='0'),
        sa.Column('created_at', _TS, nullable=False),
        sa.Column('done_at', _TS, nullable=True))
    op.create_index('ix_event_outbox_pending', 'event_outbox', ['id'],
                    sqlite_where=sa.text("state = 'pending'"), postgresql_where=sa.text("state = 'pending'"))
    op.create_table(
        'event_outbox_receipt',
        sa.Column('outbox_id', _ID, sa.ForeignKey('event_outbox.id'), primary_key=True),
        sa.Column('case_id', _ID, sa.ForeignKey('case.id'), primary_key=True),
        sa.Column('outcome', sa.String(16), nullable=False),
        sa.Column('created_at', _TS, nullable=False))
    op.create_table(
        'event_subscription_value',
        sa.Column('subscription_id', _ID, sa.ForeignKey('event_subscription.id'), primary_key=True),
        sa.Column('name', sa.String(128), primary_key=True),
        sa.Column('value', sa.String(255), nullable=False))
    op.create_index('ix_event_subscription_value', 'event_subscription_value', ['name', 'value'])
    op.create_table(
        'message_start',
        sa.Column('id', _ID, primary_key=True),
        sa.Column('definition_id', sa.Integer, sa.ForeignKey('process_definition.id'), nullable=False),
        sa.Column('process_key', sa.String(128), nullable=False),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('element_id', sa.String(255), nullable=False))
    op.create_index('ix_message_start_name', 'message_start', ['name', 'definition_id'])
    with op.batch_alter_table('incident') as batch:
        batch.add_column(sa.Column('outbox_id', _ID, sa.ForeignKey('event_outbox.id', name='fk_incident_outbox'),
                                   nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('incident') as batch:
        batch.drop_column('outbox_id')
    op.drop_index('ix_message_start_name', table_name='message_start')
    op.drop_table('message_start')
    op.drop_index('ix_event_subscription_value', table_name='event_subscription_value')
    op.drop_table('event_subscription_value')
    op.drop_table('event_outbox_receipt')
    op.drop_index('ix_event_outbox_pending', table_name='event_outbox')
    op.drop_table('event_outbox')
