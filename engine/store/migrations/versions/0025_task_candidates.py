"""Tasks offered to several named staff accounts (camunda:candidateUsers)

A user task naming several candidate users is offered to each of them: one row per (task, staff)
while the task is open. The inbox reads a staff member's offers through ix_task_candidate_staff
(docs/camunda-bpmn.md#assignees). No existing task had offers: nothing to fill.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'task_candidate',
        sa.Column('task_id', sa.String(length=36), sa.ForeignKey('task.id'), primary_key=True),
        sa.Column('staff_id', sa.Integer(), sa.ForeignKey('staff.id'), primary_key=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_task_candidate_staff', 'task_candidate', ['staff_id', 'created_at'])


def downgrade() -> None:
    op.drop_index('ix_task_candidate_staff', table_name='task_candidate')
    op.drop_table('task_candidate')
