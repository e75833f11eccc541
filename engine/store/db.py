"""Database engines and the unit of work (one transaction per command).

Commands run on a SQLAlchemy Core connection, not an ORM session: the hot paths execute a
handful of prebuilt statements per command, and the ORM's per-statement bookkeeping cost
more than the engine step itself (measured in bench/bench_engine.py)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from engine.domain import json_text
from engine.domain.errors import LianbanError, Unavailable
from engine.store import pg_pipeline

# what a client is told to wait before sending the same request again while the database is away
# (a PostgreSQL restart takes a few seconds; a pool timeout clears as soon as a command ends)
RETRY_AFTER_SECONDS = 5
# SQLite's operational errors that pass (another writer, a file briefly unreadable); the rest of
# them ("no such table", "no such column") are bugs or a missing migration, not an outage
_SQLITE_TRANSIENT = ("database is locked", "database is busy", "unable to open database file", "disk I/O error")


# json.dumps(value) for the JSON columns a command writes (task outcomes, audit payloads, the
# applicant: a dozen values per case), set up once (engine/domain/json_text.py)
json_dumps = json_text.encoder()


def make_engine(url: str, **kwargs) -> Engine:
    kwargs.setdefault("json_serializer", json_dumps)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, **kwargs)
    # JIT compilation off: it pays for itself only on long analytic queries; on the dashboard's
    # aggregates over a million cases it cost more than it saved (first opening 528 -> 256 ms,
    # bench/bench_dashboard.py) and OLTP statements never reach its cost threshold anyway.
    # libpq takes one `options`: keep the URL's own (a search_path, say) and add ours to it
    own = make_url(url).query.get("options")
    own = " ".join(own) if isinstance(own, tuple) else own
    # psycopg's own server-side preparing is off: the hot statements are prepared by
    # engine/store/pg_pipeline.py's _Wire, and psycopg, having prepared anything itself, answers
    # a DROP, ALTER or ROLLBACK run through a cursor with DEALLOCATE ALL, which would take the
    # _Wire's statements away with its own
    connect_args = {"options": " ".join(filter(None, (own, "-c jit=off"))), "prepare_threshold": None,
                    **kwargs.pop("connect_args", {})}
    if "isolation_level" in kwargs:          # an administrative engine (CREATE DATABASE): as is
        return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)
    # BEGINs and a command's writes travel with its reads; the pool pings only connections that
    # were idle (engine/store/pg_pipeline.py)
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    pg_pipeline.install(engine)
    return engine


def _sqlite_engine(url: str, **kwargs) -> Engine:
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # every unit of work ends its transaction itself (commit or rollback), so the pool need not
    # issue another rollback on each check-in
    kwargs.setdefault("pool_reset_on_return", None)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's implicit BEGIN is deferred,
        # which turns concurrent read-then-write transactions into SQLITE_BUSY at upgrade time)
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        # checkpoint every ~32 MB of WAL instead of SQLite's ~4 MB: a checkpoint (copy the pages
        # back, two fsyncs) ran inside every ~100th command and cost 5-7 % of a case
        # (bench/bench_engine.py, 1000 vs 8000 pages). What a power cut can take is unchanged in
        # kind: with synchronous=NORMAL, commits not yet fsynced (by a checkpoint, or written back
        # by the OS within its writeback interval) may roll back; a crash of the process loses
        # nothing. After a burst the WAL file is cut back to 64 MB.
        cur.execute("PRAGMA wal_autocheckpoint=8000")
        cur.execute("PRAGMA journal_size_limit=67108864")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # SQLite has one writer: a command takes the write lock up front so it never fails
        # halfway; read-only queries use a deferred transaction and do not block writers
        dbapi_conn = conn.connection.dbapi_connection
        if dbapi_conn.in_transaction:     # UnitOfWork began it on the driver already
            return
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        dbapi_conn.execute(f"BEGIN {mode}")  # straight to the driver: hot path

    return engine


def is_unavailable(exc: BaseException) -> bool:
    """Is `exc` the database being away (refused, shut down, connection lost, pool exhausted,
    SQLite locked past its busy timeout) rather than a bug or a constraint? Every PostgreSQL
    OperationalError is: by the DB-API's definition it is outside the program's control
    (connection, operator intervention, resources, a deadlock victim), and sending the request
    again is the right answer to all of them."""
    if isinstance(exc, PoolTimeout):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        exc = exc.orig
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc)
        return any(reason in text for reason in _SQLITE_TRANSIENT)
    return isinstance(exc, psycopg.OperationalError)


def unavailable(exc: BaseException) -> Unavailable:
    """The Unavailable error a client is shown for `exc` (the driver's text, first line only)."""
    orig = getattr(exc, "orig", None) or exc
    reason = (str(orig).strip() or type(orig).__name__).splitlines()[0]
    return Unavailable(f"the database is unavailable right now ({reason}); nothing was changed, try again shortly",
                       retry_after=RETRY_AFTER_SECONDS)


def pool_status(engine: Engine) -> tuple[int, int]:
    """(connections the pool keeps, connections checked out of it now), for the metrics."""
    pool = engine.pool
    size = getattr(pool, "size", None)
    checked_out = getattr(pool, "checkedout", None)
    return (size() if callable(size) else 0), (checked_out() if callable(checked_out) else 0)


def require_reachable(url: str) -> None:
    """Raise one LianbanError naming the database (password masked) when `url` is malformed, its
    SQLite directory cannot be created or its server does not answer."""
    try:
        shown = make_url(url).render_as_string(hide_password=True)
        engine = make_engine(url)
    except ArgumentError as exc:
        raise LianbanError(f"LIANBAN_DATABASE_URL is not a usable database URL ({exc})",
                           code="database_url_invalid", field="LIANBAN_DATABASE_URL") from None
    except OSError as exc:                     # SQLite: the file's directory cannot be created
        raise LianbanError(f"cannot reach the database {shown}: {exc}", code="database_unreachable") from None
    try:
        with engine.connect():
            pass
    except DBAPIError as exc:
        reason = (str(exc.orig).strip() or type(exc.orig).__name__).splitlines()[0]
        raise LianbanError(f"cannot reach the database {shown}: {reason}", code="database_unreachable") from None
    finally:
        engine.dispose()


def reachable(url: str) -> bool:
    """Can a connection to `url` be opened? (For tests and benchmarks that use PostgreSQL when
    the machine has it.)"""
    try:
        require_reachable(url)
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False
    return True
