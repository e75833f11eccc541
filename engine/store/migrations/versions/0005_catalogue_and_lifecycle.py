"""catalogue (基本目录 + versioned 实施清单) and the case lifecycle columns

The old `service_item` table held one row per item a case could be started for: that is an
implementation entry, so it is renamed `item_implementation` (cases keep pointing at it) and a new
`service_item` holds the basic catalogue shared by every tier (四级四同).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
UTC = sa.DateTime(timezone=True)
PUBLISHED = sa.text("status = 'published'")


def _old_columns() -> list:
    """The renamed table as 0001/0002 left it, minus the unique constraint on `code` (SQLite
    cannot drop an unnamed constraint; batch mode rebuilds the table from this definition)."""
    return [
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('category', sa.String(length=32), nullable=False),
        sa.Column('process_key', sa.String(length=128), nullable=False),
        sa.Column('deciding_tier', sa.String(length=16), nullable=False),
        sa.Column('attrs', JSON, nullable=False),
        sa.Column('legal_limit', sa.Integer(), nullable=True),
        sa.Column('legal_unit', sa.String(length=16), nullable=False),
        sa.Column('promise_limit', sa.Integer(), nullable=True),
        sa.Column('promise_unit', sa.String(length=16), nullable=False),
        sa.Column('extension_limit', sa.Integer(), nullable=True),
    ]


NEW_IMPLEMENTATION_COLUMNS = [
    ('service_item_id', sa.Integer(), True, None),
    ('version', sa.Integer(), False, '1'),
    ('status', sa.String(length=16), False, 'published'),
    ('local_code', sa.String(length=64), True, None),
    ('handling_item_code', sa.String(length=50), True, None),
    ('org_unit_id', sa.Integer(), True, None),
    ('body_name', sa.String(length=200), True, None),
    ('body_uscc', sa.String(length=18), True, None),
    ('tier', sa.String(length=16), True, None),
    ('delegation_mode', sa.String(length=16), True, None),
    ('entrusting_department', sa.String(length=200), True, None),
    ('accepting_tiers', JSON, False, '[]'),
    ('deciding_department', sa.String(length=32), True, None),
    ('project_type', sa.String(length=16), False, 'promised'),
    ('onsite_visits', sa.Integer(), True, None),
    ('handle_forms', JSON, False, '[]'),
    ('online_depth', sa.Integer(), True, None),
    ('mobile', sa.Boolean(), False, sa.false()),
    ('express', sa.Boolean(), False, sa.false()),
    ('pay_online', sa.Boolean(), False, sa.false()),
    ('fee_required', sa.Boolean(), False, sa.false()),
    ('fee_basis', sa.Text(), True, None),
    ('fees', JSON, False, '[]'),
    ('materials', JSON, False, '[]'),
    ('tolerant_acceptance', sa.Boolean(), False, sa.false()),
    ('application_form', sa.String(length=255), True, None),
    ('guide', JSON, False, '{}'),
    ('created_at', UTC, True, None),
    ('published_at', UTC, True, None),
    ('retired_at', UTC, True, None),
]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    op.rename_table('service_item', 'item_implementation')
    if sqlite:
        copy = sa.Table('item_implementation', sa.MetaData(), *_old_columns())
        ctx = op.batch_alter_table('item_implementation', recreate='always', copy_from=copy)
    else:
        op.drop_constraint('service_item_code_key', 'item_implementation', type_='unique')
        ctx = op.batch_alter_table('item_implementation')
    with ctx as batch_op:
        for name, type_, nullable, default in NEW_IMPLEMENTATION_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=nullable, server_default=default))
    op.create_table('service_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('category', sa.String(length=32), nullable=False),
        sa.Column('legal_basis', sa.Text(), nullable=False),
        sa.Column('power_source', sa.String(length=200), nullable=True),
        sa.Column('created_at', UTC, nullable=False),
        sa.Column('updated_at', UTC, nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'),
    )
    with op.batch_alter_table('item_implementation') as batch_op:
        batch_op.create_foreign_key('fk_item_implementation_service_item', 'service_item', ['service_item_id'], ['id'])
        batch_op.create_foreign_key('fk_item_implementation_org_unit', 'org_unit', ['org_unit_id'], ['id'])
        batch_op.create_unique_constraint('uq_item_implementation_code_version', ['code', 'version'])
        batch_op.create_index('ix_item_implementation_service_item_id', ['service_item_id'])
        batch_op.create_index('ix_item_implementation_local_code', ['local_code'])
    op.create_index('uq_item_implementation_published', 'item_implementation', ['code'], unique=True,
                    sqlite_where=PUBLISHED, postgresql_where=PUBLISHED)

    with op.batch_alter_table('case') as batch_op:
        batch_op.add_column(sa.Column('lifecycle', sa.String(length=24), nullable=False, server_default='received'))
        batch_op.add_column(sa.Column('decision', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('decided_at', UTC, nullable=True))
        batch_op.add_column(sa.Column('delivery_method', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('delivery', JSON, nullable=True))
        batch_op.add_column(sa.Column('delivered_at', UTC, nullable=True))
        batch_op.add_column(sa.Column('parent_case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                                      nullable=True))
        batch_op.create_foreign_key('fk_case_parent_case', 'case', ['parent_case_id'], ['id'])
        batch_op.create_index('ix_case_parent_case_id', ['parent_case_id'])


def downgrade() -> None:
    raise NotImplementedError("0005 is not reversible: restore from a backup")
