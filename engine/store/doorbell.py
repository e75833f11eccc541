"""The doorbell of external tasks: how a long-polling fetchAndLock learns, without holding a
database connection, that a task of its topic may have become available (docs/integration.md#long-polling).

Whoever makes a task available (a case reaching a service task, an unlock, a failure with
retries, an incident's retry) rings for its topic when its transaction commits:
- in this process, at once, through the unit of work's after-commit callbacks;
- on PostgreSQL, to every process, with `pg_notify('lianban_external_task', topic)` sent in the
  same transaction (PostgreSQL delivers it only if that transaction commits). One listener thread
  per process and database holds one connection of its own in LISTEN and rings here for what it
  hears; it starts with the first long poll, never in the app factory.

A ring is a hint, not a promise: the waiter fetches again and may find the task taken by another
worker. Nothing rings when a lock simply runs out or a retryTimeout passes: the waiters' short
poll finds those (engine/services/external_tasks/fetching.py)."""
from __future__ import annotations

import logging
import threading
from typing import Iterable, Optional

from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from engine.store import pg_pipeline

CHANNEL = "lianban_external_task"
ALL = "*"                               # a ring for every topic
_NOTIFY = "SELECT pg_notify(%s, %s)"
_RECONNECT_SECONDS = 5.0
log = logging.getLogger(__name__)


class Doorbell:
    """Per-topic ring counts under one condition. `mark(topics)` before looking, `wait(mark, s)`
    after finding nothing: a ring between the two is not lost, the counts differ at once."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._rings: dict[str, int] = {}
        self._all = 0
        self.waiting = 0                 # requests in wait() now (a leak shows here)
        self.seated = 0                  # requests in a long poll now (between take_seat and leave_seat)
        self._listener: Optional[_Listener] = None

    def mark(self, topics: Iterable[str]) -> tuple:
        with self._cond:
            return (self._all, tuple(self._rings.get(t, 0) for t in topics), tuple(topics))

    def _changed(self, mark: tuple) -> bool:
        all_count, counts, topics = mark
        return self._all != all_count or any(self._rings.get(t, 0) != c for t, c in zip(topics, counts))

    def ring(self, topics: Iterable[str]) -> None:
        with self._cond:
            for topic in topics:
                if topic == ALL:
                    self._all += 1
                else:
                    self._rings[topic] = self._rings.get(topic, 0) + 1
            self._cond.notify_all()

    def wait(self, mark: tuple, seconds: float) -> bool:
        """Wait up to `seconds` for a ring of one of the marked topics; True if it rang."""
        with self._cond:
            self.waiting += 1
            try:
                return self._cond.wait_for(lambda: self._changed(mark), timeout=max(seconds, 0.0))
            finally:
                self.waiting -= 1

    def take_seat(self, limit: int) -> bool:
        """A place among the `limit` requests this process lets wait at once (each holds a thread)."""
        with self._cond:
            if self.seated >= limit:
                return False
            self.seated += 1
            return True

    def leave_seat(self) -> None:
        with self._cond:
            self.seated -= 1

    def listen(self, engine: Engine) -> None:
        """On PostgreSQL, start this process's listener (once)."""
        if engine.dialect.name != "postgresql":
            return
        with self._cond:
            if self._listener is None:
                self._listener = _Listener(engine, self)
                self._listener.start()

    def close(self) -> None:
        with self._cond:
            listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()


class _Listener(threading.Thread):
    """LISTEN on a connection of its own (outside the pool: a long poll never takes one of the
    requests' connections); reconnects after a failure, ringing ALL so that waiters look again."""

    def __init__(self, engine: Engine, bell: Doorbell):
        super().__init__(name="lianban-external-task-listener", daemon=True)
        self._engine = create_engine(engine.url, poolclass=NullPool)
        self._bell = bell
        self._halt = threading.Event()
        self._conn = None

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                raw = self._engine.raw_connection()
                self._conn = raw.driver_connection
                self._conn.autocommit = True
                self._conn.execute(f"LISTEN {CHANNEL}")
                self._bell.ring([ALL])           # what was rung while nobody listened
                while not self._halt.is_set():
                    topics = [n.payload or ALL for n in self._conn.notifies(timeout=1.0)]
                    if topics:
                        self._bell.ring(topics)
            except Exception as exc:  # noqa: BLE001 - the listener must outlive a lost server
                if self._halt.is_set():
                    break
                log.warning("external-task listener lost its connection (%s); waiters poll until it is back", exc)
                self._halt.wait(_RECONNECT_SECONDS)
            finally:
                conn, self._conn = self._conn, None
                if conn is not None:
                    try:
                        conn.close()
                    except Exception:  # noqa: BLE001
                        pass

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=3)
        self._engine.dispose()


_BELLS: dict[int, Doorbell] = {}
_BELLS_LOCK = threading.Lock()


def bell_of(engine: Engine) -> Doorbell:
    """The doorbell of `engine` in this process."""
    bell = _BELLS.get(id(engine))
    if bell is None:
        with _BELLS_LOCK:
            bell = _BELLS.setdefault(id(engine), Doorbell())
    return bell


def close(engine: Engine) -> None:
    with _BELLS_LOCK:
        bell = _BELLS.pop(id(engine), None)
    if bell is not None:
        bell.close()


def ring_on_commit(conn: Connection, topics: Iterable[str]) -> None:
    """Inside a transaction: ring for `topics` once it commits (here, and on PostgreSQL everywhere)."""
    topics = sorted(set(topics))
    if not topics:
        return
    callbacks = conn.info.get("after_commit")
    if callbacks is not None:
        bell = bell_of(conn.engine)
        callbacks.append(lambda: bell.ring(topics))
    if conn.dialect.name == "postgresql":
        # a payload has under 8,000 bytes: a longer topic rings for all
        rows = [(CHANNEL, topic if len(topic.encode()) < 2000 else ALL) for topic in topics]
        queue = pg_pipeline.deferring(conn)
        if queue is not None:       # leaves with the next statement or the COMMIT: no round trip of its own
            queue.append((_NOTIFY, rows, None, None))
        else:
            for row in rows:
                conn.exec_driver_sql(_NOTIFY, row)
