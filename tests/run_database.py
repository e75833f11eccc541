"""One PostgreSQL database per test run: created on first use, dropped when the run ends.

Two runs on one machine (two checkouts, a developer and CI, two helpers) each get their own
database, so neither truncates nor migrates the other's tables. The name carries the process id:
a run that was killed before it could drop its database leaves it behind, and the next run on
this machine drops every such database whose process is gone. Under pytest-xdist each worker is
a process of its own and the name also carries the worker's id (gw0, gw1, ...), so two workers
of one run never share a database either."""
from __future__ import annotations

import os
import secrets

from sqlalchemy import text
from sqlalchemy.engine import make_url

from engine.store.db import make_engine

PREFIX = "lianban_t_"


def _admin(server_url: str):
    # CREATE/DROP DATABASE cannot run inside a transaction block
    return make_engine(server_url, isolation_level="AUTOCOMMIT")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _drop_leftovers(conn) -> None:
    names = conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                         {"p": PREFIX + "%"}).scalars().all()
    for name in names:
        pid = name[len(PREFIX):].split("_", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def create(server_url: str) -> str:
    """A new empty database on the server of `server_url`; returns its URL. Its commits do not
    wait for the disk (synchronous_commit off: a test database need not survive a power cut, and
    each commit waiting for its flush was a large share of a PostgreSQL test's time)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")          # gw0, gw1, ... under pytest-xdist
    name = f"{PREFIX}{os.getpid()}_{worker}_{secrets.token_hex(4)}"
    engine = _admin(server_url)
    try:
        with engine.connect() as conn:
            _drop_leftovers(conn)
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
    finally:
        engine.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop(server_url: str, url: str) -> None:
    """Drop the database of `url` that `create` made (connections still open are closed by FORCE)."""
    name = make_url(url).database
    if not (name or "").startswith(PREFIX):
        raise ValueError(f"{name!r} was not made by run_database.create")
    engine = _admin(server_url)
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def exists(server_url: str, url: str) -> bool:
    engine = _admin(server_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                {"n": make_url(url).database}).first() is not None
    finally:
        engine.dispose()
