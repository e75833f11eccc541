"""The unit of work: one command, one transaction (engine/store/db.py opens it), and the
repositories that run inside it. A service writes

    with ctx.uow.begin() as tx:
        case = tx.cases.lock(case_id)
        tx.tasks.claim(task_id, staff_id, now)

and never sees a statement or a connection (cosmicpython's `uow.products`)."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from functools import partial
from typing import Callable, Iterator, TypeVar

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from engine.store.db import make_engine

from engine.store.db import is_unavailable, unavailable
from engine.store import pg_pipeline

from engine.store.repositories.accounts import Accounts
from engine.store.repositories.blobs import Blobs
from engine.store.repositories.calendar import Calendar
from engine.store.repositories.cases import Cases
from engine.store.repositories.catalogue import Catalogue
from engine.store.repositories.clocks import Clocks
from engine.store.repositories.definitions import Definitions
from engine.store.repositories.deliveries import Deliveries
from engine.store.repositories.diagrams import Diagrams
from engine.store.repositories.documents import Documents
from engine.store.repositories.events import Events
from engine.store.repositories.external_tasks import ExternalTasks
from engine.store.repositories.idempotency import IdempotencyKeys
from engine.store.repositories.incidents import Incidents
from engine.store.repositories.materials import CaseMaterials
from engine.store.repositories.messages import Messages
from engine.store.repositories.outbox import Outbox
from engine.store.repositories.org import Organisation
from engine.store.repositories.org_admin import OrgAdmin
from engine.store.repositories.packages import Packages
from engine.store.repositories.ratings import Ratings
from engine.store.repositories.supervision import Supervision
from engine.store.repositories.tasks import Tasks
from engine.store.repositories.timers import Timers
from engine.store.repositories.vault import Vault
from engine.store.repositories.security import Security
from engine.store.repositories.start_schedules import StartSchedules

T = TypeVar("T")


class _repository:
    """A repository made on first use in a transaction and kept on it (a transaction that never
    touches the vault never builds its repository)."""

    def __init__(self, cls):
        self.cls = cls

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, tx, owner=None):
        if tx is None:
            return self
        repo = tx.__dict__[self.name] = self.cls(tx.conn)
        return repo


class Transaction:
    cases = _repository(Cases)
    tasks = _repository(Tasks)
    timers = _repository(Timers)
    events = _repository(Events)
    calendar = _repository(Calendar)
    clocks = _repository(Clocks)
    documents = _repository(Documents)
    idempotency = _repository(IdempotencyKeys)
    definitions = _repository(Definitions)
    catalogue = _repository(Catalogue)
    packages = _repository(Packages)
    supervision = _repository(Supervision)
    org = _repository(Organisation)
    org_admin = _repository(OrgAdmin)
    accounts = _repository(Accounts)
    materials = _repository(CaseMaterials)
    vault = _repository(Vault)
    blobs = _repository(Blobs)
    deliveries = _repository(Deliveries)
    diagrams = _repository(Diagrams)
    ratings = _repository(Ratings)
    messages = _repository(Messages)
    outbox = _repository(Outbox)
    external_tasks = _repository(ExternalTasks)
    incidents = _repository(Incidents)
    security = _repository(Security)
    start_schedules = _repository(StartSchedules)

    def __init__(self, conn: Connection):
        self.conn = conn

    def send_ahead(self) -> None:
        """Let the writes made so far leave now, before a stretch of computing: on PostgreSQL the
        server runs them meanwhile (their answers are read with the next statement's, so nothing
        changes but the time: engine/store/pg_pipeline.py); on SQLite they ran already."""
        pg_pipeline.send_ahead(self.conn)

    def after_commit(self, fn) -> None:
        """Run `fn` only once the transaction has committed (e.g. put a workflow back in the cache)."""
        self.conn.info["after_commit"].append(fn)



class UnitOfWork:
    """`with uow.begin() as tx:` runs one command in one transaction: commit on success,
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
        # A finished unit of work keeps its Connection for the next one instead of giving it back
        # to SQLAlchemy's pool: a checkout and check-in (with their events and the reset) cost
        # ~17 µs on SQLite, as much as two of a step's statements, and on PostgreSQL about 7 % of
        # a case's CPU in this process (bench/bench_engine.py). A list's pop and append are
        # atomic, so no two threads ever hold the same connection. PostgreSQL's kept connections
        # are pinged when they were idle for a while, as the pool's checkout does
        # (pg_pipeline.reusable): a server restart must not break the next command.
        self._idle: list = []
        # PostgreSQL: each thread's autocommit connection for glance(), and every one made (to close)
        self._glancing = threading.local()
        self._glancing_all: list = []
        self._glance_engine: Engine | None = None

    def _connection(self) -> Connection:
        idle = self._idle
        while idle:
            try:
                conn = idle.pop()
            except IndexError:       # another thread took the last one
                break
            if self._on_driver or pg_pipeline.reusable(conn):
                return conn
            conn.invalidate()        # the server went away meanwhile: the pool opens a new one
            conn.close()
        return self.engine.connect()

    def kept(self) -> int:
        """How many connections wait here for the next command (checked out of the pool, not in use)."""
        return len(self._idle)

    def _open(self) -> Connection:
        """A connection for one unit of work; the database being away is `Unavailable` (503)."""
        try:
            return self._connection()
        except Exception as exc:
            if is_unavailable(exc):
                raise unavailable(exc) from exc
            raise

    def _release(self, conn: Connection, clean: bool) -> None:
        idle = self._idle
        if clean and len(idle) < self.MAX_IDLE and not conn.invalidated:
            if not self._on_driver:
                pg_pipeline.park(conn)
            idle.append(conn)
        else:
            conn.close()

    def close(self) -> None:
        """Close the connections kept between commands (before the engine is disposed)."""
        idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
        glancing, self._glancing_all = self._glancing_all, []
        for conn in glancing:
            conn.close()
        if self._glance_engine is not None:
            self._glance_engine.dispose()

    def glance(self, read: Callable[[Transaction], T]) -> T:
        """`read(tx)` for ONE read-only statement, outside any transaction (a single statement sees
        one committed state by itself): what every request asks (the security version) in one
        round trip. SQLite: a kept connection without BEGIN and COMMIT. PostgreSQL: a connection
        this thread keeps in autocommit, outside the pool (no checkout, no pre-ping, no BEGIN and
        COMMIT: one round trip instead of four). A connection that fails (a server restart) is
        dropped and the read tried once more on a new one; it is idempotent."""
        if self._on_driver:
            conn = self._connection()
            try:
                return read(Transaction(conn))
            finally:
                self._release(conn, not conn.in_transaction())
        try:
            return self._glance_twice(read)
        except Exception as exc:
            if is_unavailable(exc):       # the server is away: 503 with Retry-After, as any command
                raise unavailable(exc) from exc
            raise

    def _glance_twice(self, read: Callable[[Transaction], T]) -> T:
        for attempt in (1, 2):
            conn = getattr(self._glancing, "conn", None)
            if conn is None:
                conn = self._glancing.conn = self._glance_connection()
            try:
                return read(Transaction(conn))
            except Exception:
                self._glancing.conn = None
                conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _glance_connection(self) -> Connection:
        if self._glance_engine is None:
            self._glance_engine = make_engine(self.engine.url.render_as_string(hide_password=False),
                                              poolclass=NullPool)
        conn = self._glance_engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self._glancing_all.append(conn)
        return conn

    @contextmanager
    def begin(self) -> Iterator[Transaction]:
        conn = self._open()
        clean = False
        try:
            callbacks: list = []
            conn.info["after_commit"] = callbacks
            if self._on_driver:      # _driver_transaction(conn, "IMMEDIATE"), one generator less
                raw = conn.connection.dbapi_connection
                raw.execute("BEGIN IMMEDIATE")
                try:
                    yield Transaction(conn)
                    _end(conn, raw, commit=True)
                except BaseException:
                    _end(conn, raw, commit=False)
                    clean = not raw.in_transaction and not conn.in_transaction()
                    raise
            else:
                # PostgreSQL: BEGIN and the writes whose results nobody reads wait in a queue and
                # leave with the next read, or with the COMMIT (engine/store/pg_pipeline.py)
                pg_pipeline.begin(conn)
                conn.info[pg_pipeline.COMMIT_READ] = None
                try:
                    yield Transaction(conn)
                    commit_read = conn.info[pg_pipeline.COMMIT_READ]
                    if commit_read is None:
                        pg_pipeline.commit(conn)
                    else:
                        # what the command leaves behind, read in the COMMIT's round trip
                        read, params, thens = commit_read
                        bound = [read.statement(conn, p) for p in params]
                        rows = read.rows(conn, pg_pipeline.commit(conn, (bound[0][0], [b for _, b in bound])))
                        callbacks.extend(partial(then, rows) for then in thens)
                except BaseException:
                    clean = pg_pipeline.rollback(conn) and not conn.in_transaction()
                    raise
            clean = True
        except Exception as exc:
            if is_unavailable(exc):       # rolled back above: nothing was written
                raise unavailable(exc) from exc
            raise
        finally:
            self._release(conn, clean)
        for fn in callbacks:
            fn()

    def ping(self) -> str:
        """Run a trivial query; returns the database's dialect name (raises when unreachable)."""
        with self.read() as tx:
            tx.conn.exec_driver_sql("SELECT 1")
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Transaction]:
        conn = self._open()
        clean = False
        try:
            conn.info["after_commit"] = []
            if self._on_driver:
                with _driver_transaction(conn, "DEFERRED"):
                    yield Transaction(conn)
            else:
                with conn.begin():
                    yield Transaction(conn)
            clean = True
        except Exception as exc:
            if is_unavailable(exc):
                raise unavailable(exc) from exc
            raise
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
