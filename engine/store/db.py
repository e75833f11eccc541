"""Database engines and the unit of work (one transaction per command)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url, **kwargs)
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_engine(url: str, **kwargs) -> Engine:
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
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
        # SQLite has one writer: take the write lock up front so a command never fails halfway
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


class UnitOfWork:
    """`with uow.begin() as s:` gives a Session inside one transaction; it commits on success
    and rolls back on any exception, so a failed command leaves nothing behind."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)

    def begin(self) -> "_Transaction":
        return _Transaction(self._sessions())


class _Transaction:
    def __init__(self, session: Session):
        self.session = session
        self._after_commit: list = []
        self.session.info["tx"] = self

    def after_commit(self, fn) -> None:
        """Run `fn` only if the transaction commits (e.g. put a workflow back in the cache)."""
        self._after_commit.append(fn)

    def __enter__(self) -> Session:
        self.session.begin()
        return self.session

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.session.commit()
                for fn in self._after_commit:
                    fn()
            else:
                self.session.rollback()
        finally:
            self.session.close()


def after_commit(session: Session, fn) -> None:
    session.info["tx"].after_commit(fn)
