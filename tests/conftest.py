"""Fixtures shared by every layer. Integration tests run once per database backend: SQLite (a
file per test session) and PostgreSQL (a database created for this run and dropped at its end, so
two runs on one machine never meet; skipped when the server is unreachable unless
LIANBAN_REQUIRE_POSTGRES=1, which CI sets)."""
from __future__ import annotations

import os
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
    eng.dispose()
    _prepared[backend] = url
    return url


def pytest_sessionfinish(session, exitstatus):
    url = _prepared.pop("postgresql", None)
    if url is not None:
        run_database.drop(PG_SERVER_URL, url)


def _wipe(engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for t in tables:
                conn.execute(text(f'DELETE FROM "{t}"'))
            conn.execute(text("DELETE FROM sqlite_sequence")) if conn.execute(
                text("SELECT name FROM sqlite_master WHERE name='sqlite_sequence'")).first() else None


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path_factory) -> str:
    return _prepare(request.param, tmp_path_factory.getbasetemp())


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def ctx(db_url, clock):
    context = Context.create(Settings(database_url=db_url), clock=clock)
    _wipe(context.engine)
    from engine.services.calendar import seed_from_package
    seed_from_package(context)
    yield context
    context.dispose()


@pytest.fixture
def demo(ctx):
    from demo.loader import load_demo
    load_demo(ctx, ROOT / "workflows")
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
