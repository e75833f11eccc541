"""Timer start events start new cases: one schedule per timer start event of a deployed version

`start_schedule` is written at deploy (inactive) for each timer start event of a new version; an
administrator or designer activates it naming the receiving window, and a newer version of the
process replaces it. The scheduler starts a case at each due time; `start_schedule_run` keeps one
row per (schedule, due time), whose unique key makes a due time start one case even when two
workers reach it (docs/camunda-bpmn.md#timer-start-events).

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'start_schedule',
        sa.Column('id', _ID, primary_key=True),
        sa.Column('definition_id', sa.Integer, sa.ForeignKey('process_definition.id'), nullable=False),
        sa.Column('process_key', sa.String(128), nullable=False),
        sa.Column('element_id', sa.String(255), nullable=False),
        sa.Column('timer_kind', sa.String(16), nullable=False),
        sa.Column('timer_text', sa.String(255), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('window_id', sa.Integer, sa.ForeignKey('window.id'), nullable=True),
        sa.Column('item_code', sa.String(64), nullable=True),
        sa.Column('anchor_at', _TS, nullable=True),
        sa.Column('next_due_at', _TS, nullable=True),
        sa.Column('last_case_id', _ID, sa.ForeignKey('case.id'), nullable=True),
        sa.Column('last_error', sa.String(500), nullable=True),
        sa.Column('changed_by', sa.String(128), nullable=True),
        sa.Column('created_at', _TS, nullable=False),
        sa.Column('updated_at', _TS, nullable=False),
        sa.UniqueConstraint('definition_id', 'element_id'))
    op.create_index('ix_start_schedule_due', 'start_schedule', ['status', 'next_due_at'])
    op.create_index('ix_start_schedule_key', 'start_schedule', ['process_key'])
    op.create_table(
        'start_schedule_run',
        sa.Column('id', _ID, primary_key=True),
        sa.Column('schedule_id', _ID, sa.ForeignKey('start_schedule.id'), nullable=False),
        sa.Column('due_at', _TS, nullable=False),
        sa.Column('case_id', _ID, sa.ForeignKey('case.id'), nullable=True),
        sa.Column('error', sa.String(500), nullable=True),
        sa.Column('worker', sa.String(128), nullable=False),
        sa.Column('created_at', _TS, nullable=False),
        sa.UniqueConstraint('schedule_id', 'due_at'))


def downgrade() -> None:
    op.drop_table('start_schedule_run')
    op.drop_index('ix_start_schedule_key', table_name='start_schedule')
    op.drop_index('ix_start_schedule_due', table_name='start_schedule')
    op.drop_table('start_schedule')
