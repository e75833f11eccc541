"""case documents (文书): the notices and decisions issued at each step of a case's lifecycle

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0005'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('case_document',
        sa.Column('id', BigId, primary_key=True),
        sa.Column('case_id', BigId, sa.ForeignKey('case.id'), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('number', sa.String(length=80), nullable=False),
        sa.Column('format', sa.String(length=8), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=True),
        sa.Column('event_seq', sa.Integer(), nullable=False),
        sa.UniqueConstraint('case_id', 'number'),
    )
    op.create_index('ix_case_document_case_id', 'case_document', ['case_id'])


def downgrade() -> None:
    op.drop_index('ix_case_document_case_id', table_name='case_document')
    op.drop_table('case_document')
