"""The Alembic migrations build exactly the schema the models describe, on both databases."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from engine.store.models import Base


def test_migrations_match_the_models(ctx):
    with ctx.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_a_saved_case_state_is_compressed_with_lz4_on_postgresql(demo):
    """Migration 0031: PostgreSQL compresses the workflow state every command rewrites with lz4
    (when the server offers it), several times cheaper than its default pglz."""
    import pytest
    from sqlalchemy import text

    from tests.integration.test_case_flow import start_food
    ctx = demo
    if ctx.engine.dialect.name != "postgresql":
        pytest.skip("SQLite stores the state uncompressed")
    with ctx.engine.connect() as conn:
        if not conn.execute(text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                                 "WHERE name = 'default_toast_compression'")).scalar():
            pytest.skip("this PostgreSQL server was built without lz4")
    started = start_food(ctx)
    with ctx.engine.connect() as conn:
        size, method = conn.execute(text('SELECT length(state), pg_column_compression(state) FROM "case" '
                                          "WHERE id = :id"), {"id": started.case_id}).one()
    assert size > 2000          # large enough to be compressed at all
    assert method == "lz4"


def test_the_case_table_leaves_room_for_its_rows_next_versions_on_postgresql(ctx):
    """Migration 0032: every command rewrites its case's row; with room left on the page the new
    version stays there and no index of the table is touched (a HOT update)."""
    import pytest
    from sqlalchemy import text
    if ctx.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no fillfactor")
    with ctx.engine.connect() as conn:
        options = conn.execute(text("SELECT reloptions FROM pg_class WHERE oid = '\"case\"'::regclass")).scalar()
    assert "fillfactor=70" in (options or [])
