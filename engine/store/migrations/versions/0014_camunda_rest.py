"""Camunda 7 REST compatibility: a deployment's source, a case's business key

Camunda Modeler sends `deployment-source` with every deployment and answers it back in the
deployment it lists; a process instance started through /engine-rest carries Camunda's
`businessKey`, which a case keeps beside its own number (engine/services/camunda).

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deployment') as batch:
        batch.add_column(sa.Column('source', sa.String(length=255), nullable=True))
    with op.batch_alter_table('case') as batch:
        batch.add_column(sa.Column('business_key', sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('case') as batch:
        batch.drop_column('business_key')
    with op.batch_alter_table('deployment') as batch:
        batch.drop_column('source')
