"""Incidents are found by their external task

/api/v1/external-tasks filters and marks the tasks that have an open incident
(docs/integration.md#lianbans-own-api), a look from each external task to its incidents: an index
on incident.external_task_id keeps it from reading the whole incident table.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07
"""
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_incident_external_task', 'incident', ['external_task_id'])


def downgrade() -> None:
    op.drop_index('ix_incident_external_task', table_name='incident')
