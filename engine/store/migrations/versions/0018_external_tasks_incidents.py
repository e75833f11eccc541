"""External tasks (service tasks done by workers over HTTP) and incidents

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
_TS = sa.DateTime(timezone=True)
_OPEN = "state = 'open'"


def upgrade() -> None:
    op.create_table(
        'external_task',
        sa.Column('id', _ID, primary_key=True),
        sa.Column('case_id', _ID, sa.ForeignKey('case.id'), nullable=False),
        sa.Column('task_id', sa.String(36), nullable=False),
        sa.Column('element_id', sa.String(128), nullable=False),
        sa.Column('process_key', sa.String(128), nullable=False),
        sa.Column('topic', sa.String(200), nullable=False),
        sa.Column('priority', sa.Integer, nullable=False),
        sa.Column('variables', _JSON, nullable=False),
        sa.Column('state', sa.String(16), nullable=False),
        sa.Column('retries', sa.Integer),
        sa.Column('lock_owner', sa.String(255)),
        sa.Column('lock_expires_at', _TS),
        sa.Column('error_message', sa.String(2000)),
        sa.Column('error_details', sa.Text),
        sa.Column('created_at', _TS, nullable=False),
        sa.Column('completed_at', _TS),
        sa.Column('completed_by', sa.String(255)))
    op.create_index('ix_external_task_fetch', 'external_task', ['topic', 'priority', 'id'],
                    sqlite_where=sa.text(_OPEN), postgresql_where=sa.text(_OPEN))
    op.create_index('ix_external_task_case', 'external_task', ['case_id', 'state'])
    op.create_table(
        'incident',
        sa.Column('id', _ID, primary_key=True),
        sa.Column('case_id', _ID, sa.ForeignKey('case.id'), nullable=False),
        sa.Column('org_unit_id', sa.Integer, sa.ForeignKey('org_unit.id'), nullable=False),
        sa.Column('process_key', sa.String(128), nullable=False),
        sa.Column('element_id', sa.String(128)),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('message', sa.String(2000), nullable=False),
        sa.Column('details', sa.Text),
        sa.Column('state', sa.String(16), nullable=False),
        sa.Column('external_task_id', _ID, sa.ForeignKey('external_task.id')),
        sa.Column('timer_id', _ID, sa.ForeignKey('timer.id')),
        sa.Column('created_at', _TS, nullable=False),
        sa.Column('resolved_at', _TS),
        sa.Column('resolved_by', sa.String(64)),
        sa.Column('resolution', sa.String(16)),
        sa.Column('note', sa.String(1000)))
    op.create_index('ix_incident_state_unit', 'incident', ['state', 'org_unit_id', 'created_at'])
    op.create_index('ix_incident_case', 'incident', ['case_id'])


def downgrade() -> None:
    op.drop_table('incident')
    op.drop_table('external_task')
