"""Messages and signals: what each waiting case waits for, and the ids of delivered messages

`event_subscription` mirrors the messages and signals a running case's workflow waits for, so a
sender finds the waiting cases without loading any workflow; `message_delivery` keeps each
delivered message's id and answer, so a resent message is answered without acting twice. Cases
are found by business key through a partial index (most cases have none).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'event_subscription',
        sa.Column('id', _ID, primary_key=True),
        sa.Column('case_id', _ID, sa.ForeignKey('case.id'), nullable=False),
        sa.Column('kind', sa.String(8), nullable=False),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('element_id', sa.String(255), nullable=False),
        sa.Column('task_id', sa.String(36), nullable=False),
        sa.Column('created_at', _TS, nullable=False))
    op.create_index('ix_event_subscription_case_id', 'event_subscription', ['case_id'])
    op.create_index('ix_event_subscription_name', 'event_subscription', ['kind', 'name', 'case_id'])
    op.create_table(
        'message_delivery',
        sa.Column('id', _ID, primary_key=True),
        sa.Column('kind', sa.String(8), nullable=False),
        sa.Column('message_id', sa.String(128), nullable=False),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('request', sa.String(64), nullable=False),
        sa.Column('response', _JSON, nullable=False),
        sa.Column('account_id', sa.Integer, sa.ForeignKey('staff.id')),
        sa.Column('created_at', _TS, nullable=False),
        sa.UniqueConstraint('kind', 'message_id'))
    op.create_index('ix_case_business_key', 'case', ['business_key'],
                    sqlite_where=sa.text('business_key IS NOT NULL'),
                    postgresql_where=sa.text('business_key IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_case_business_key', table_name='case')
    op.drop_table('message_delivery')
    op.drop_index('ix_event_subscription_name', table_name='event_subscription')
    op.drop_index('ix_event_subscription_case_id', table_name='event_subscription')
    op.drop_table('event_subscription')
