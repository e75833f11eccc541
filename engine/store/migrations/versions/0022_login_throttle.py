"""Hardening: login throttling and the security version

`login_throttle` counts failed logins per account name and per client address and holds their
lockouts, so that every API process refuses a locked login. `security_version` is one counter
raised by every revocation (a logout, a revoked token, an account deactivated or its roles or
password changed); every process compares it on each request with the value its token cache was
filled under (docs/security.md).

Revision ID: 0022
Revises: 0016
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

UTC = sa.DateTime(timezone=True)

revision = '0022'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'login_throttle',
        sa.Column('scope', sa.String(length=8), primary_key=True),
        sa.Column('subject', sa.String(length=128), primary_key=True),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('window_started_at', UTC, nullable=False),
        sa.Column('locked_until', UTC, nullable=True),
        sa.Column('lockouts', sa.Integer(), nullable=False),
    )
    table = op.create_table(
        'security_version',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('version', sa.Integer(), nullable=False),
    )
    op.bulk_insert(table, [{'id': 1, 'version': 0}])


def downgrade() -> None:
    op.drop_table('security_version')
    op.drop_table('login_throttle')
