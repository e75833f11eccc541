"""Deemed receipt: what a case received or accepted on a non-working day counts from

Chinese practice deems an application that arrives on a weekend or holiday received on the next
working day, and 自受理之日起 does not count that day (engine/domain/deadlines.py deemed_day).
Each case records the rule it was counted under (configurable like the start-day convention)
and the day its receipt and its acceptance were moved to, when they were.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('case') as batch:
        # cases started before this revision were counted from the day itself: keep them so
        batch.add_column(sa.Column('receipt_rule', sa.String(length=16), nullable=False,
                                   server_default='as_received'))
        batch.add_column(sa.Column('deemed_received_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('deemed_accepted_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('case') as batch:
        batch.drop_column('deemed_accepted_on')
        batch.drop_column('deemed_received_on')
        batch.drop_column('receipt_rule')
