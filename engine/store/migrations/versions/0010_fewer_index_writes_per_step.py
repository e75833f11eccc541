"""fewer index writes per case: partial indexes where most rows have nothing to index

ix_case_status was a prefix of ix_case_status_promise_due; a new case has no applicant account
and no 一件事 parent; a task is in ix_task_assignee only while it is open and claimed. Each index
entry a command writes is a WAL page at commit (bench/bench_engine.py).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

HAS_ACCOUNT = sa.text("applicant_account_id IS NOT NULL")
HAS_PARENT = sa.text("parent_case_id IS NOT NULL")
OPEN_AND_CLAIMED = sa.text("state = 'open' AND assignee_id IS NOT NULL")


def upgrade() -> None:
    op.drop_index('ix_case_status', table_name='case')
    op.drop_index('ix_case_applicant_account_id', table_name='case')
    op.create_index('ix_case_applicant_account_id', 'case', ['applicant_account_id'],
                    sqlite_where=HAS_ACCOUNT, postgresql_where=HAS_ACCOUNT)
    op.drop_index('ix_case_parent_case_id', table_name='case')
    op.create_index('ix_case_parent_case_id', 'case', ['parent_case_id'],
                    sqlite_where=HAS_PARENT, postgresql_where=HAS_PARENT)
    op.drop_index('ix_task_assignee', table_name='task')
    op.create_index('ix_task_assignee', 'task', ['assignee_id', 'created_at'],
                    sqlite_where=OPEN_AND_CLAIMED, postgresql_where=OPEN_AND_CLAIMED)


def downgrade() -> None:
    op.drop_index('ix_task_assignee', table_name='task')
    op.create_index('ix_task_assignee', 'task', ['assignee_id', 'state'])
    op.drop_index('ix_case_parent_case_id', table_name='case')
    op.create_index('ix_case_parent_case_id', 'case', ['parent_case_id'])
    op.drop_index('ix_case_applicant_account_id', table_name='case')
    op.create_index('ix_case_applicant_account_id', 'case', ['applicant_account_id'])
    op.create_index('ix_case_status', 'case', ['status'])
