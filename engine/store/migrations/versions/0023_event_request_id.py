"""Audit events record the HTTP request that wrote them

Each event written while serving a request keeps that request's id (X-Request-Id, returned to
the client and on every log line of the request), so an operator can go from a log line or a
client's report to the rows it wrote. Existing events get NULL and keep their hashes: the id is
chained only when an event has one (engine/domain/audit.py).

Revision ID: 0023
Revises: 0016
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('event') as batch:
        batch.add_column(sa.Column('request_id', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('event') as batch:
        batch.drop_column('request_id')
