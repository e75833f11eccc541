"""forms snapshotted per process definition version; 一件事 packages

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('process_definition') as batch_op:
        batch_op.add_column(sa.Column('forms', JSON, nullable=True))
        batch_op.add_column(sa.Column('start_form', sa.String(length=128), nullable=True))
    op.create_table('item_package',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('code', sa.String(length=64), nullable=False, unique=True),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('lead_department', sa.String(length=32), nullable=False),
        sa.Column('implementation_id', sa.Integer(), sa.ForeignKey('item_implementation.id'), nullable=False),
        sa.Column('members', JSON, nullable=False),
        sa.Column('form', JSON, nullable=False),
        sa.Column('materials', JSON, nullable=False),
        sa.Column('promise_limit', sa.Integer(), nullable=False),
        sa.Column('promise_unit', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('item_package')
    with op.batch_alter_table('process_definition') as batch_op:
        batch_op.drop_column('start_form')
        batch_op.drop_column('forms')
