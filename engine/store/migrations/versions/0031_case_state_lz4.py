"""PostgreSQL: a case's workflow state is compressed with lz4 instead of pglz

Every command that moves a case rewrites its state (a few KB of JSON), and PostgreSQL compresses
it on the way in. With pglz that compression was the largest single item of the server's CPU per
step (bench/bench_engine.py, README "Performance"); lz4 compresses the same state several times
faster, at a slightly larger size. Existing rows keep pglz until their next save; reading either
is transparent. A server built without lz4 (its `default_toast_compression` does not offer it)
keeps pglz. SQLite stores the state as it is: nothing to do there.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

_HAS_LZ4 = sa.text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")


def _lz4_available(bind) -> bool:
    return bind.dialect.name == "postgresql" and bool(bind.execute(_HAS_LZ4).scalar())


def upgrade() -> None:
    bind = op.get_bind()
    if _lz4_available(bind):
        op.execute('ALTER TABLE "case" ALTER COLUMN state SET COMPRESSION lz4')


def downgrade() -> None:
    bind = op.get_bind()
    if _lz4_available(bind):
        op.execute('ALTER TABLE "case" ALTER COLUMN state SET COMPRESSION pglz')
