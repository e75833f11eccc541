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


class UnitOfWork:
    """`with uow.begin() as conn:` runs one command in one transaction: commit on success,
    rollback on any exception, so a failed command leaves nothing behind.

    On SQLite the transaction is begun and ended on the driver connection itself: SQLAlchemy's
    Transaction object, events and commit bookkeeping cost about as much as the hot commands'
    statements (bench/bench_engine.py). A Core statement executed inside still works: SQLAlchemy
    then autobegins on top of the open driver transaction (the "begin" listener sees it and
    issues nothing) and the end of the unit of work commits or rolls back through it."""

    # SQLite connections a unit of work keeps between commands (about one per busy thread)
    MAX_IDLE = 8

    def __init__(self, engine: Engine):
        self.engine = engine
        self._on_driver = engine.dialect.name == "sqlite"
        # On SQLite a finished unit of work keeps its Connection for the next one instead of
        # giving it back to SQLAlchemy's pool: a checkout and check-in cost ~17 µs, as much as two
        # of a step's statements (bench/bench_engine.py). A list's pop and append are atomic, so
        # no two threads ever hold the same connection. PostgreSQL keeps the pool and its
        # pre-ping (a server restart must not break the next command).
        self._idle: list | None = [] if self._on_driver else None

    def _connection(self) -> Connection:
        idle = self._idle
        if idle:
            try:
                return idle.pop()
            except IndexError:       # another thread took the last one
                pass
        return self.engine.connect()

    def _release(self, conn: Connection, clean: bool) -> None:
        idle = self._idle
        if clean and idle is not None and len(idle) < self.MAX_IDLE and not conn.invalidated:
            idle.append(conn)
        else:
            conn.close()

    def close(self) -> None:
        """Close the connections kept between commands (before the engine is disposed)."""
        idle, self._idle = self._idle, ([] if self._idle is not None else None)
        for conn in idle or ():
            conn.close()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        conn = self._connection()
        clean = False
        try:
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
                    clean = not raw.in_transaction and not conn.in_transaction()
                    raise
            else:
                with conn.begin():
                    yield conn
            clean = True
        finally:
            self._release(conn, clean)
        for fn in callbacks:
            fn()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        conn = self._connection()
        clean = False
        try:
            conn.info["after_commit"] = []
            if self._on_driver:
                with _driver_transaction(conn, "DEFERRED"):
                    yield conn
            else:
                with conn.begin():
                    yield conn
            clean = True
        finally:
            self._release(conn, clean)


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
