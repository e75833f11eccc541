"""Halls have a closing time; a case keeps the one of the hall it was received at

What reaches a hall after it has closed on a working day is deemed received on the next working
day, as what arrives on a non-working day is (docs/time-limits.md#deemed-receipt). The hall's
closing time (`closes_at`, "HH:MM" in Beijing time, NULL: no cut-off) is copied onto each case at
receipt (`receipt_closes_at`), so later changes of the hall's hours never move a case's dates.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('hall') as batch:
        batch.add_column(sa.Column('closes_at', sa.String(length=5), nullable=True))
    with op.batch_alter_table('case') as batch:
        batch.add_column(sa.Column('receipt_closes_at', sa.String(length=5), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('case') as batch:
        batch.drop_column('receipt_closes_at')
    with op.batch_alter_table('hall') as batch:
        batch.drop_column('closes_at')
