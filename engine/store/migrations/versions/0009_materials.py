"""materials: content-addressed blobs, the applicant's vault (云档案), case materials, mandates

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('blob',
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('media_type', sa.String(length=64), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', UTC, nullable=False),
        sa.PrimaryKeyConstraint('sha256'),
    )
    op.create_table('applicant_document',
        sa.Column('id', BIG_ID, nullable=False),
        sa.Column('owner_account_id', sa.Integer(), nullable=True),
        sa.Column('owner_key', sa.String(length=64), nullable=True),
        sa.Column('kind', sa.String(length=48), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('number', sa.String(length=64), nullable=True),
        sa.Column('issuer', sa.String(length=200), nullable=True),
        sa.Column('valid_until', sa.Date(), nullable=True),
        sa.Column('trust_level', sa.String(length=1), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('blob_sha256', sa.String(length=64), nullable=True),
        sa.Column('created_at', UTC, nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('verified_at', UTC, nullable=True),
        sa.Column('verified_by', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['owner_account_id'], ['staff.id'], ),
        sa.ForeignKeyConstraint(['blob_sha256'], ['blob.sha256'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_applicant_document_owner_account_id', 'applicant_document', ['owner_account_id'])
    op.create_index('ix_applicant_document_owner_key', 'applicant_document', ['owner_key'])
    op.create_table('case_material',
        sa.Column('id', BIG_ID, nullable=False),
        sa.Column('case_id', BIG_ID, nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('mode', sa.String(length=16), nullable=False),
        sa.Column('trust_level', sa.String(length=1), nullable=True),
        sa.Column('blob_sha256', sa.String(length=64), nullable=True),
        sa.Column('filename', sa.String(length=255), nullable=True),
        sa.Column('document_id', BIG_ID, nullable=True),
        sa.Column('declaration', sa.Text(), nullable=True),
        sa.Column('deadline', sa.Date(), nullable=True),
        sa.Column('commitment', sa.Text(), nullable=True),
        sa.Column('auto_filled', sa.Boolean(), nullable=False),
        sa.Column('created_at', UTC, nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('verified_at', UTC, nullable=True),
        sa.Column('verified_by', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
        sa.ForeignKeyConstraint(['blob_sha256'], ['blob.sha256'], ),
        sa.ForeignKeyConstraint(['document_id'], ['applicant_document.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('case_id', 'code'),
    )
    op.create_table('case_mandate',
        sa.Column('id', BIG_ID, nullable=False),
        sa.Column('case_id', BIG_ID, nullable=False),
        sa.Column('agent_account_id', sa.Integer(), nullable=False),
        sa.Column('principal_name', sa.String(length=200), nullable=False),
        sa.Column('scope', sa.String(length=16), nullable=False),
        sa.Column('blob_sha256', sa.String(length=64), nullable=True),
        sa.Column('filename', sa.String(length=255), nullable=True),
        sa.Column('document_id', BIG_ID, nullable=True),
        sa.Column('signed_on', sa.Date(), nullable=False),
        sa.Column('created_at', UTC, nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
        sa.ForeignKeyConstraint(['agent_account_id'], ['staff.id'], ),
        sa.ForeignKeyConstraint(['blob_sha256'], ['blob.sha256'], ),
        sa.ForeignKeyConstraint(['document_id'], ['applicant_document.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('case_id'),
    )


def downgrade() -> None:
    for table in ('case_mandate', 'case_material', 'applicant_document', 'blob'):
        op.drop_table(table)
