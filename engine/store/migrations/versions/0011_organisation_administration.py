"""organisation administration: roles as data, post history, deactivation

Roles were a Python dict; they become the `role` table (seeded here with the seven built-in
roles) so an administrator can add one and BPMN can name it at once. Posts keep their history
(valid_from, valid_to): only one CURRENT post per staff, window and role, so the old unique
constraint becomes a partial unique index. Units, departments, halls and windows are never
deleted (closed cases point at them): they get an `active` flag.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

CURRENT = sa.text("valid_to IS NULL")
ROLES = [
    ("receiver", "综合受理", "Receiving"),
    ("agent", "帮办代办", "Assisting agent"),
    ("reviewer", "审查", "Review"),
    ("approver", "审批决定", "Approval"),
    ("head", "负责人", "Head"),
    ("supervisor", "督办监察", "Supervision"),
    ("issuer", "出件", "Issuing"),
]
FLAGGED = ("org_unit", "department", "hall", "window")


def upgrade() -> None:
    role = op.create_table(
        'role',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('name_zh', sa.String(length=100), nullable=False),
        sa.Column('name_en', sa.String(length=100), nullable=False),
        sa.Column('description', sa.String(length=500), nullable=True),
        sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'))
    op.bulk_insert(role, [{"code": c, "name_zh": zh, "name_en": en, "description": None, "active": True}
                          for c, zh, en in ROLES])
    for table in FLAGGED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False))
    unique = _unique_name()
    # SQLite names no constraint: the convention gives the reflected unique constraint a name to drop
    with op.batch_alter_table('staff_post', naming_convention={"uq": "uq_%(table_name)s_%(column_0_name)s"}) as b:
        b.add_column(sa.Column('valid_from', sa.DateTime(timezone=True), nullable=True))
        b.add_column(sa.Column('valid_to', sa.DateTime(timezone=True), nullable=True))
        if unique:
            b.drop_constraint(unique, type_='unique')
    op.create_index('uq_staff_post_current', 'staff_post', ['staff_id', 'window_id', 'role'], unique=True,
                    sqlite_where=CURRENT, postgresql_where=CURRENT)


def _unique_name():
    """The unique constraint on (staff_id, window_id, role) as the database names it (0001 left it
    unnamed: PostgreSQL named it, SQLite did not; a downgrade of this migration names it)."""
    for unique in sa.inspect(op.get_bind()).get_unique_constraints('staff_post'):
        if sorted(unique['column_names']) == ['role', 'staff_id', 'window_id']:
            return unique['name'] or 'uq_staff_post_staff_id'
    return None


def downgrade() -> None:
    op.drop_index('uq_staff_post_current', table_name='staff_post')
    op.execute("DELETE FROM staff_post WHERE valid_to IS NOT NULL")
    with op.batch_alter_table('staff_post') as batch:
        batch.drop_column('valid_to')
        batch.drop_column('valid_from')
        batch.create_unique_constraint('staff_post_staff_id_window_id_role_key', ['staff_id', 'window_id', 'role'])
    for table in FLAGGED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column('active')
    op.drop_table('role')
