"""PostgreSQL: the case table keeps 30 % of each page free for the next versions of its rows

Every command that moves a case writes a new version of its row (the workflow state, the version,
the audit chain's head), about six per case. None of those columns is indexed, so PostgreSQL can
write the new version on the same page without touching the table's ten indexes (a "HOT" update),
but only when that page has room. Cases are inserted one after the other onto full pages, so 42 %
of the saves in bench/bench_engine.py went to another page and added an entry to every index: a
cost paid at the COMMIT, where the command waits. With 30 % of each page left free on insert
(`fillfactor` 70; the dead version of the row before is pruned when the page fills again), 83 %
of the saves stay on their page and the table was a third smaller. In one process, two schemas
alternately (10 rounds of 200 cases, three times), the COMMIT's wait fell by 18–30 µs per
command; full bench_engine.py runs, a process each, did not show it through their noise
(docs/engine-core.md#postgresql). Existing pages keep what they hold: the setting applies to the
rows written from now on. SQLite has no such setting.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-08
"""
from alembic import op

revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None

CASE_FILLFACTOR = 70


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f'ALTER TABLE "case" SET (fillfactor = {CASE_FILLFACTOR})')


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE "case" RESET (fillfactor)')
