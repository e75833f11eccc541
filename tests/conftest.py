"""Fixtures shared by every layer. Integration tests run once per database backend: SQLite (a
file per test session) and PostgreSQL (a database created for this run and dropped at its end, so
two runs on one machine never meet; skipped when the server is unreachable unless
LIANBAN_REQUIRE_POSTGRES=1, which CI sets)."""
from __future__ import annotations

import itertools
import os
import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text

from engine.config import Settings
from engine.domain.actor import Actor
from engine.domain.clock import FrozenClock
from engine.services.context import Context
from engine.store.db import make_engine, reachable
from engine.store.models import Base, Staff, Window
from engine.store.schema import upgrade
from tests import run_database

os.environ.setdefault("LIANBAN_VERIFY_STATE", "1")   # every dumps is checked against the stock serializer

ROOT = Path(__file__).resolve().parent.parent
# the server (and a database on it to connect to) where each run creates its own database
PG_SERVER_URL = os.environ.get("LIANBAN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
# a Friday morning in Lanzhou
T0 = datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc)

_prepared: dict[str, object] = {}


def _prepare(backend: str, tmp_root: Path) -> str:
    if backend in _prepared:
        return _prepared[backend]
    if backend == "sqlite":
        url = f"sqlite:///{tmp_root / 'lianban-test.db'}"
    else:
        if not reachable(PG_SERVER_URL):
            if os.environ.get("LIANBAN_REQUIRE_POSTGRES") == "1":
                pytest.fail(f"PostgreSQL is required but not reachable at {PG_SERVER_URL}")
            pytest.skip(f"PostgreSQL not reachable at {PG_SERVER_URL}")
        url = run_database.create(PG_SERVER_URL)
    eng = make_engine(url)
    upgrade(eng)
    if backend == "postgresql":               # why: _wipe_script
        with eng.begin() as conn:
            for t in Base.metadata.sorted_tables:
                conn.exec_driver_sql(f'ALTER TABLE "{t.name}" SET (autovacuum_enabled = false, '
                                     'toast.autovacuum_enabled = false)')
    eng.dispose()
    _prepared[backend] = url
    return url


def pytest_sessionfinish(session, exitstatus):
    url = _prepared.pop("postgresql", None)
    if url is not None:
        run_database.drop(PG_SERVER_URL, url)


def _counts(engine) -> tuple:
    """Every table's row count in one round trip."""
    counts = ", ".join(f'(SELECT COUNT(*) FROM "{t.name}")' for t in Base.metadata.sorted_tables)
    with engine.connect() as conn:
        return tuple(conn.execute(text(f"SELECT {counts}")).one())


class _Template:
    """A copy of every table's rows (and of the id counters) kept beside the tables themselves:
    a schema of the same PostgreSQL database, or a SQLite file attached for the copy. Restoring
    it is one short script run by the database, not a reload through the services."""

    def __init__(self, script: str, attach: str | None = None):
        self.script, self.attach = script, attach

    @classmethod
    def save(cls, engine, name: str) -> "_Template":
        tables = [t.name for t in Base.metadata.sorted_tables]
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
                for t in tables:
                    conn.exec_driver_sql(f'CREATE TABLE "{name}"."{t}" AS TABLE "{t}"')
                counters = conn.execute(text(
                    "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value FROM pg_sequences "
                    "WHERE schemaname = current_schema() AND last_value IS NOT NULL")).all()
            script = [f'INSERT INTO "{t}" SELECT * FROM "{name}"."{t}"' for t in tables]
            script += [f"SELECT setval('{seq}', {value}, true)" for seq, value in counters]
            return cls(";\n".join(script))
        path = Path(engine.url.database).with_name(f"{name}.db")
        raw = engine.raw_connection()
        try:
            raw.dbapi_connection.execute("VACUUM INTO ?", (str(path),))
        finally:
            raw.close()
        script = ["BEGIN IMMEDIATE", "PRAGMA defer_foreign_keys=ON"]
        script += [f'DELETE FROM main."{t}"' for t in reversed(tables)]
        script += [f'INSERT INTO main."{t}" SELECT * FROM tmpl."{t}"' for t in tables]
        with closing(sqlite3.connect(path)) as db:
            if db.execute("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'").fetchone():
                script += ["DELETE FROM main.sqlite_sequence",
                           "INSERT INTO main.sqlite_sequence SELECT * FROM tmpl.sqlite_sequence"]
        return cls(";\n".join(script + ["COMMIT"]), attach=str(path))

    def restore(self, engine) -> None:
        if self.attach is None:
            with engine.begin() as conn:
                conn.exec_driver_sql(_wipe_script("postgresql") + ";\n" + self.script)
            return
        raw = engine.raw_connection()
        try:
            db = raw.dbapi_connection
            db.execute("ATTACH DATABASE ? AS tmpl", (self.attach,))
            try:
                db.executescript(self.script)
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            finally:
                db.execute("DETACH DATABASE tmpl")
        finally:
            raw.close()


# states every test of this process (an xdist worker is a process) may start from, by backend,
# clock time and name ("fresh": the calendar seeded; "demo": and the demo data loaded)
_templates: dict[tuple, _Template] = {}
_fresh_counts: dict[tuple, tuple] = {}          # the row counts of "fresh"


def _template_key(ctx, name: str) -> tuple | None:
    if not isinstance(ctx.clock, FrozenClock):
        return None
    return ctx.engine.dialect.name, ctx.clock.now(), name


def _case_tables() -> set[str]:
    """"case" and every table that refers to it, directly or through another: what tests write."""
    names, grown = {"case"}, True
    while grown:
        grown = False
        for t in Base.metadata.sorted_tables:
            if t.name not in names and any(fk.column.table.name in names for fk in t.foreign_keys):
                names.add(t.name)
                grown = True
    return names


CASE_TABLES = _case_tables()
# PostgreSQL: every COMPACT_EVERY-th wipe truncates every table (see _wipe_script)
COMPACT_EVERY = 25
_wipes = itertools.count()


def _wipe_script(dialect: str) -> str:
    """Empty every table and restart the id counters.
    On PostgreSQL, TRUNCATE of every table (a new file per table and index) took 0.06 s per test
    on a quiet machine and 0.3-0.5 s on a busy one, DELETE a tenth of that. But after a DELETE a
    connection may put its next row into space freed on an earlier page, and a query without
    ORDER BY then reads the rows of one test out of the order they were written (some tests read
    a case's events that way). So the tables of cases, where tests write, are truncated each time
    and the rest (the calendar, the organisation, the catalogue, the deployed workflows: what
    templates put back in their order) are deleted; every COMPACT_EVERY-th wipe truncates all, so
    the deleted rows do not pile up, and autovacuum is off on the run's tables (_prepare) so it
    never hands freed space back in between."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    if dialect != "postgresql":
        return ";\n".join(f'DELETE FROM "{t}"' for t in tables)
    everything = next(_wipes) % COMPACT_EVERY == 0
    truncated = [t for t in tables if everything or t in CASE_TABLES]
    script = ["TRUNCATE " + ", ".join(f'"{t}"' for t in truncated) + " RESTART IDENTITY CASCADE"]
    script += [f'DELETE FROM "{t}"' for t in tables if t not in truncated]
    script.append("SELECT setval(quote_ident(schemaname) || '.' || quote_ident(sequencename), start_value, false) "
                  "FROM pg_sequences WHERE schemaname = current_schema()")
    return ";\n".join(script)


def _wipe(engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql(_wipe_script("postgresql"))
        return
    raw = engine.raw_connection()
    try:
        db = raw.dbapi_connection
        has_counters = db.execute("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'").fetchone()
        db.executescript("BEGIN IMMEDIATE;\n" + _wipe_script("sqlite")
                         + (";\nDELETE FROM sqlite_sequence" if has_counters else "") + ";\nCOMMIT")
    except BaseException:
        if raw.dbapi_connection.in_transaction:
            raw.dbapi_connection.execute("ROLLBACK")
        raise
    finally:
        raw.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path_factory) -> str:
    return _prepare(request.param, tmp_path_factory.getbasetemp())


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def ctx(db_url, clock):
    """A context on this run's database, emptied, with the working-day calendar seeded. The
    seeded calendar is copied from a template after the first test (seeding it took ~0.1 s)."""
    context = Context.create(Settings(database_url=db_url), clock=clock)
    key = _template_key(context, "fresh")
    if key in _templates:
        _templates[key].restore(context.engine)
    else:
        _wipe(context.engine)
        from engine.services.calendar import seed_from_package
        seed_from_package(context)
        if key is not None:
            _templates[key] = _Template.save(context.engine, f"template_{len(_templates)}")
            _fresh_counts[key] = _counts(context.engine)
            context.caches.clear()
    yield context
    context.dispose()


@pytest.fixture
def demo(ctx):
    """The demo data (organisation, accounts, catalogue, every workflow deployed, packages) on
    `ctx`'s database. Loading it took about a second per test, so it is loaded once per backend
    and clock time in this process and kept as a template; later tests get a copy of its rows,
    the same database a fresh load gives (same ids, same id counters). A test whose fixtures
    wrote to the database before `demo` ran gets a real load."""
    from demo.loader import load_demo
    key, fresh = _template_key(ctx, "demo"), _template_key(ctx, "fresh")
    untouched = fresh in _fresh_counts and _counts(ctx.engine) == _fresh_counts[fresh]
    if untouched and key in _templates:
        _templates[key].restore(ctx.engine)
        ctx.caches.clear()                     # this context had seen the database without the demo
        return ctx
    load_demo(ctx, ROOT / "workflows")
    if untouched:
        _templates[key] = _Template.save(ctx.engine, f"template_{len(_templates)}")
    return ctx


def staff(ctx, username: str) -> Actor:
    """The actor for an account, with its system roles and kind (as the API's token check builds it)."""
    with ctx.uow.read() as s:
        row = s.conn.execute(select(Staff.id, Staff.roles, Staff.kind).where(Staff.username == username)).one()
    return Actor(username, staff_id=row.id, roles=frozenset(row.roles or ()), kind=row.kind)


def window_id(ctx, code: str) -> int:
    with ctx.uow.begin() as s:
        return s.conn.execute(select(Window.id).where(Window.code == code)).scalar_one()


def row_counts(ctx) -> dict[str, int]:
    """Every table's row count: a failed command must leave these exactly as they were."""
    with ctx.uow.begin() as s:
        return {t.name: s.conn.execute(text(f'SELECT COUNT(*) FROM "{t.name}"')).scalar()
                for t in Base.metadata.sorted_tables}


def snapshot(ctx) -> dict:
    """Row counts plus the mutable columns of cases, tasks and timers."""
    with ctx.uow.begin() as s:
        cases = s.conn.execute(text('SELECT id, version, status, audit_seq, audit_head, state FROM "case" '
                                    'ORDER BY id')).all()
        tasks = s.conn.execute(text("SELECT id, state, assignee_id, completed_at FROM task ORDER BY id")).all()
        timers = s.conn.execute(text("SELECT id, state, attempts FROM timer ORDER BY id")).all()
    return {"counts": row_counts(ctx), "cases": [tuple(r) for r in cases], "tasks": [tuple(r) for r in tasks],
            "timers": [tuple(r) for r in timers]}


_app: list = []          # this process's one app for app_for (a pytest-xdist worker is a process)


def app_for(ctx):
    """`create_app(context=ctx)` with `testing` on, as most API tests use it: the app (its routes
    and OpenAPI description took 0.2-0.5 s to build, on ~1,000 tests) is built once per process
    and bound to each test's context (api/app.py `bind`, create_app's own last step). Only for
    tests that change nothing of the app itself; a test needing two apps builds them."""
    from api.app import bind, create_app
    if not _app:
        _app.append(create_app(context=ctx))
    app = bind(_app[0], ctx)
    app.testing = True
    return app
