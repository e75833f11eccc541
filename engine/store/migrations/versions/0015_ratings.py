"""好差评: ratings, invitations, visits, the rectification ledger; the staff's 工号

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
_TS = sa.DateTime(timezone=True)
_FIGURES_WHERE = "voided_at IS NULL AND parent_id IS NULL"


def upgrade() -> None:
    with op.batch_alter_table('staff') as batch:
        batch.add_column(sa.Column('staff_no', sa.String(length=32), nullable=True))
    op.create_table(
        'rating_visit',
        sa.Column('id', _ID, primary_key=True),
        sa.Column('token', sa.String(64), nullable=False, unique=True),
        sa.Column('window_id', sa.Integer, sa.ForeignKey('window.id'), nullable=False),
        sa.Column('staff_id', sa.Integer, sa.ForeignKey('staff.id'), nullable=False),
        sa.Column('case_id', _ID, sa.ForeignKey('case.id')),
        sa.Column('opened_at', _TS, nullable=False),
        sa.Column('expires_at', _TS, nullable=False),
        sa.Column('rated_at', _TS))
    op.create_index('ix_rating_visit_window', 'rating_visit', ['window_id', 'opened_at'])
    op.create_table(
        'rating',
        sa.Column('id', _ID, primary_key=True),
        sa.Column('case_id', _ID, sa.ForeignKey('case.id')),
        sa.Column('visit_id', _ID, sa.ForeignKey('rating_visit.id'), unique=True),
        sa.Column('item_code', sa.String(31)),
        sa.Column('window_id', sa.Integer, sa.ForeignKey('window.id')),
        sa.Column('staff_id', sa.Integer, sa.ForeignKey('staff.id')),
        sa.Column('hall_id', sa.Integer, sa.ForeignKey('hall.id')),
        sa.Column('org_unit_id', sa.Integer, sa.ForeignKey('org_unit.id'), nullable=False),
        sa.Column('department_id', sa.Integer, sa.ForeignKey('department.id')),
        sa.Column('channel', sa.String(16), nullable=False),
        sa.Column('level', sa.Integer, nullable=False),
        sa.Column('indicators', _JSON, nullable=False),
        sa.Column('comment', sa.String(500)),
        sa.Column('source', sa.String(16), nullable=False),
        sa.Column('scheme_version', sa.Integer, nullable=False),
        sa.Column('rater_account_id', sa.Integer, sa.ForeignKey('staff.id')),
        sa.Column('created_at', _TS, nullable=False),
        sa.Column('voided_at', _TS),
        sa.Column('void_reason', sa.String(500)),
        sa.Column('parent_id', _ID, sa.ForeignKey('rating.id')))
    op.create_index('uq_rating_case_channel', 'rating', ['case_id', 'channel'], unique=True,
                    sqlite_where=sa.text("parent_id IS NULL AND case_id IS NOT NULL"),
                    postgresql_where=sa.text("parent_id IS NULL AND case_id IS NOT NULL"))
    op.create_index('ix_rating_figures', 'rating', ['created_at', 'org_unit_id', 'level', 'source', 'channel'],
                    sqlite_where=sa.text(_FIGURES_WHERE), postgresql_where=sa.text(_FIGURES_WHERE))
    op.create_table(
        'rating_invitation',
        sa.Column('id', _ID, primary_key=True),
        sa.Column('case_id', _ID, sa.ForeignKey('case.id'), nullable=False, unique=True),
        sa.Column('account_id', sa.Integer, sa.ForeignKey('staff.id')),
        sa.Column('invited_at', _TS, nullable=False),
        sa.Column('due_at', _TS, nullable=False),
        sa.Column('state', sa.String(16), nullable=False),
        sa.Column('rating_id', _ID))
    op.create_index('ix_rating_invitation_due', 'rating_invitation', ['state', 'due_at'])
    op.create_index('ix_rating_invitation_account_id', 'rating_invitation', ['account_id'])
    op.create_table(
        'rectification',
        sa.Column('id', _ID, primary_key=True),
        sa.Column('rating_id', _ID, sa.ForeignKey('rating.id'), nullable=False, unique=True),
        sa.Column('org_unit_id', sa.Integer, sa.ForeignKey('org_unit.id'), nullable=False),
        sa.Column('review_case_id', _ID, sa.ForeignKey('case.id')),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('path', sa.String(16)),
        sa.Column('due_on', sa.Date),
        sa.Column('reply', sa.String(2000)),
        sa.Column('replied_at', _TS),
        sa.Column('closed_at', _TS),
        sa.Column('revisited_at', _TS),
        sa.Column('revisit_note', sa.String(1000)),
        sa.Column('created_at', _TS, nullable=False))
    op.create_index('ix_rectification_unit', 'rectification', ['org_unit_id', 'status'])


def downgrade() -> None:
    op.drop_table('rectification')
    op.drop_table('rating_invitation')
    op.drop_table('rating')
    op.drop_table('rating_visit')
    with op.batch_alter_table('staff') as batch:
        batch.drop_column('staff_no')
