"""fewer index writes per step: partial card indexes, drop unused ones

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

CARDED = sa.text("warning != 'none'")


def upgrade() -> None:
    op.drop_index('ix_task_due', table_name='task')
    op.drop_index('ix_event_case_id', table_name='event')
    op.drop_index('ix_task_warning_unit', table_name='task')
    op.create_index('ix_task_warning_unit', 'task', ['state', 'warning', 'routed_org_unit_id'],
                    sqlite_where=CARDED, postgresql_where=CARDED)
    op.drop_index('ix_case_warning_unit', table_name='case')
    op.create_index('ix_case_warning_unit', 'case', ['status', 'warning', 'origin_org_unit_id'],
                    sqlite_where=CARDED, postgresql_where=CARDED)


def downgrade() -> None:
    op.drop_index('ix_case_warning_unit', table_name='case')
    op.create_index('ix_case_warning_unit', 'case', ['status', 'warning', 'origin_org_unit_id'])
    op.drop_index('ix_task_warning_unit', table_name='task')
    op.create_index('ix_task_warning_unit', 'task', ['state', 'warning', 'routed_org_unit_id'])
    op.create_index('ix_event_case_id', 'event', ['case_id'])
    op.create_index('ix_task_due', 'task', ['state', 'due_at'])
