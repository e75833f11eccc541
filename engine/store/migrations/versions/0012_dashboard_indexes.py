"""the supervisor dashboard: partial indexes that answer its counts from the index alone

The dashboard counts a district's open cases per receiving unit and card, its open steps per
unit and card, and its completed cases per period against their deadlines
(engine/services/supervision/dashboard.py). With 1,000,000 cases these scans read tens of
thousands of table rows each (bench/bench_dashboard.py: before/after in docs/time-limits.md).
Each index is partial: a case enters the first while it runs and the second once it completes;
a step is in the third only while open, so a finished case's history adds nothing.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

RUNNING = sa.text("status = 'running'")
COMPLETED = sa.text("status = 'completed'")
OPEN = sa.text("state = 'open'")


def upgrade() -> None:
    op.create_index('ix_case_running_unit', 'case', ['origin_org_unit_id', 'warning', 'origin_window_id', 'created_by'],
                    sqlite_where=RUNNING, postgresql_where=RUNNING)
    op.create_index('ix_case_completed_at', 'case', ['completed_at', 'origin_org_unit_id', 'promise_due', 'legal_due'],
                    sqlite_where=COMPLETED, postgresql_where=COMPLETED)
    op.create_index('ix_task_open_unit', 'task', ['routed_org_unit_id', 'warning', 'routed_department_id',
                                                  'assignee_id'], sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade() -> None:
    op.drop_index('ix_task_open_unit', table_name='task')
    op.drop_index('ix_case_completed_at', table_name='case')
    op.drop_index('ix_case_running_unit', table_name='case')
