"""Database engines and the unit of work (one transaction per command).

Commands run on a SQLAlchemy Core connection, not an ORM session: the hot paths execute a
handful of prebuilt statements per command, and the ORM's per-statement bookkeeping cost
more than the engine step itself (measured in bench/bench_engine.py)."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url, **kwargs)
    return create_engine(url, pool_pre_ping=True, **kwargs)


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


class UnitOfWork:
    """`with uow.begin() as conn:` runs one command in one transaction: commit on success,
    rollback on any exception, so a failed command leaves nothing behind.

    On SQLite the transaction is begun and ended on the driver connection itself: SQLAlchemy's
    Transaction object, events and commit bookkeeping cost about as much as the hot commands'
    statements (bench/bench_engine.py). A Core statement executed inside still works: SQLAlchemy
    then autobegins on top of the open driver transaction (the "begin" listener sees it and
    issues nothing) and the end of the unit of work commits or rolls back through it."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._on_driver = engine.dialect.name == "sqlite"

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            callbacks: list = []
            conn.info["after_commit"] = callbacks
            if self._on_driver:      # _driver_transaction(conn, "IMMEDIATE"), one generator less
                raw = conn.connection.dbapi_connection
                raw.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    _end(conn, raw, commit=True)
                except BaseException:
                    _end(conn, raw, commit=False)
                    raise
            else:
                with conn.begin():
                    yield conn
            for fn in callbacks:
                fn()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn.info["after_commit"] = []
            if self._on_driver:
                with _driver_transaction(conn, "DEFERRED"):
                    yield conn
            else:
                with conn.begin():
                    yield conn


@contextmanager
def _driver_transaction(conn: Connection, mode: str) -> Iterator[None]:
    """BEGIN <mode> on the SQLite driver connection; COMMIT when the block ends normally, else
    (or when the commit fails) ROLLBACK, so the connection goes back to the pool clean."""
    raw = conn.connection.dbapi_connection
    raw.execute(f"BEGIN {mode}")
    try:
        yield
        _end(conn, raw, commit=True)
    except BaseException:
        _end(conn, raw, commit=False)
        raise


def _end(conn: Connection, raw, commit: bool) -> None:
    if conn.in_transaction():        # a Core statement autobegan SQLAlchemy's transaction on ours
        conn.commit() if commit else conn.rollback()
    elif raw.in_transaction:
        raw.commit() if commit else raw.rollback()


def after_commit(conn: Connection, fn) -> None:
    """Run `fn` only once the transaction has committed (e.g. put a workflow back in the cache)."""
    conn.info["after_commit"].append(fn)


def reachable(url: str) -> bool:
    """Can a connection to `url` be opened and answer a query? (For tests and benchmarks that
    use PostgreSQL when the machine has it.)"""
    from sqlalchemy import text
    try:
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        finally:
            engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False


def is_postgres(conn) -> bool:
    return conn.dialect.name == "postgresql"
