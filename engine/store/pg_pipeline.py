"""Fewer round trips to PostgreSQL: a command's BEGIN and its writes travel with the statements
that need an answer, in one psycopg pipeline (docs/engine-core.md#postgresql).

On a 2-core machine a round trip to a local server costs ~0.16 ms of waiting plus the server's
own work, and a step of a case made ten of them: the pool's ping, psycopg's BEGIN, the lock,
four or five writes one at a time, COMMIT. Three changes cut that to three:

- The driver runs in autocommit mode and the transaction's BEGIN is *queued* (SQLAlchemy's
  "begin" event) instead of sent: it leaves together with the transaction's first statement.
- Inside a unit of work, writes whose result nobody reads (`FastWrite.write`: the task
  projection, timers, the case's state, the audit events) are queued too, and sent in one
  pipeline with the next statement that needs an answer, or at the commit. A queued write may
  carry the row count it must have changed; a mismatch raises the caller's error before the
  COMMIT is sent, so a command still commits all or nothing.
- The pool pings a connection only when it has been idle for a while (`PING_AFTER_IDLE_S`): a
  connection used a moment ago is alive or the command fails and rolls back like any other.

Every SQLAlchemy statement first sends what is queued (the "before_cursor_execute" event), so
statement order and what a statement sees are exactly as without the queue."""
from __future__ import annotations

import time
from typing import Callable, Optional

import psycopg
from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, Engine

# (SQL, parameter rows, expected row count or None, error factory when it differs)
Queued = tuple[str, list, Optional[int], Optional[Callable[[], Exception]]]

_BEGIN: Queued = ("BEGIN", [], None, None)
QUEUE = "pg_queue"            # on the DB-API connection's pool record: the statements not sent yet
_DEFER = "pg_defer_writes"   # set by a unit of work: FastWrite.write may queue
_USED = "pg_last_used"
# a connection idle for longer than this is pinged before use (a restarted server is noticed
# before the command starts, as SQLAlchemy's pre-ping would)
PING_AFTER_IDLE_S = 2.0
# `expect` of a queued write that checks itself: on a mismatch it sets a NOT NULL column (one of
# GUARDED_COLUMNS) to NULL and fails, which stops the rest of the pipeline, the COMMIT included.
# Unlike a row count, this needs no round trip of its own before the COMMIT.
GUARDED = "guarded"
GUARDED_COLUMNS = ("version",)
GUARD_FAILURES = (psycopg.errors.NotNullViolation,)


def install(engine: Engine) -> None:
    """Queue BEGINs and deferred writes on the connections of a PostgreSQL engine (psycopg 3)."""
    for name, listener in (("connect", _autocommit), ("checkout", _ping_if_idle), ("checkin", _stamp),
                           ("begin", _queue_begin), ("before_cursor_execute", _send_queued),
                           ("commit", _send_before_commit), ("rollback", _drop_queued)):
        event.listen(engine, name, listener)


def _autocommit(dbapi_conn, record) -> None:
    # the transaction is begun by the queued BEGIN, not by the driver's own (separate) one
    dbapi_conn.autocommit = True
    record.info[QUEUE] = []


def _ping_if_idle(dbapi_conn, record, proxy) -> None:
    last = record.info.get(_USED)
    now = time.monotonic()
    record.info[_USED] = now
    if last is not None and now - last > PING_AFTER_IDLE_S:
        try:
            dbapi_conn.execute(";")
        except Exception as error:  # noqa: BLE001 - any failure: the pool opens a fresh one
            raise exc.DisconnectionError() from error


def _stamp(dbapi_conn, record) -> None:
    if record is not None:
        record.info[_USED] = time.monotonic()
        queue = record.info.get(QUEUE)
        if queue:
            queue.clear()


def _queue_begin(conn) -> None:
    queue = _queue(conn)
    if queue is not None:
        queue.clear()
        queue.append(_BEGIN)


def _send_queued(conn, cursor, statement, parameters, context, executemany) -> None:
    if _queue(conn):
        flush(conn)


def _send_before_commit(conn) -> None:
    if _queue(conn):
        flush(conn, commit=True)


def _drop_queued(conn) -> None:
    try:
        queue = _queue(conn)
    except exc.PendingRollbackError:
        return      # the connection was lost and invalidated: its record, queue included, goes with it
    if queue:
        queue.clear()


def _queue(conn: Connection) -> Optional[list]:
    # Connection.info is the pool record's: it lives as long as the DB-API connection
    return conn.info.get(QUEUE)


def waiting(conn: Connection) -> Optional[list]:
    """The statements queued on `conn` and not sent yet; None on SQLite, which never queues, and
    is spared the look (Connection.info goes through the pool record on every access)."""
    return conn.info.get(QUEUE) if conn.dialect.name == "postgresql" else None


def deferring(conn: Connection) -> Optional[list]:
    """The queue of `conn` when it may take deferred writes (a unit of work on PostgreSQL)."""
    if conn.dialect.name != "postgresql" or not conn.info.get(_DEFER):
        return None
    return _queue(conn)


def defer_writes(conn: Connection, on: bool) -> None:
    """Let FastWrite.write queue on `conn` (a unit of work, which flushes at its commit)."""
    if QUEUE in conn.info:
        conn.info[_DEFER] = on


def flush(conn: Connection, sql: Optional[str] = None, params=None, commit: bool = False):
    """Send what is queued on `conn`, followed by `sql` (when given), in one round trip; returns the
    cursor of `sql` with its results, or None. With `commit`, the COMMIT goes in the same round
    trip unless a queued write must have its row count checked first. Raises the error of a
    queued write whose check fails (nothing is committed then)."""
    queue = _queue(conn)
    raw = conn.connection.dbapi_connection
    if not queue:
        if sql is None:
            return None
        cursor = raw.cursor()
        cursor.execute(sql, params)
        return cursor
    pending = list(queue)
    queue.clear()
    if commit and len(pending) == 1 and pending[0] is _BEGIN:
        return None                      # a transaction that ran nothing: no BEGIN, no COMMIT
    answer, counted, guards = None, [], []
    try:
        with raw.pipeline():
            counted, guards = _send(raw, pending)
            if sql is not None:
                answer = raw.cursor()
                answer.execute(sql, params)
            if commit and not counted:
                raw.cursor().execute("COMMIT")
    except GUARD_FAILURES as failure:
        # a guarded write refused itself (its guard made the column NULL): the caller's error
        if guards and failure.diag.column_name in GUARDED_COLUMNS:
            raise guards[0]() from None
        raise
    for target, expect, error in counted:
        if target.rowcount != expect:
            raise error()
    return answer


def _send(raw, pending: list) -> tuple[list, list]:
    """Queue `pending` on the pipeline of `raw`; returns (the (cursor, expected count, error) of
    the writes to count once the results are in, the errors of the guarded writes)."""
    counted, guards = [], []
    shared = raw.cursor()
    for sql, rows, expect, error in pending:
        target = raw.cursor() if type(expect) is int else shared
        if not rows:
            target.execute(sql)
        elif len(rows) == 1:
            target.execute(sql, rows[0])
        else:
            target.executemany(sql, rows)
        if expect is GUARDED:
            guards.append(error)
        elif expect is not None:
            counted.append((target, expect, error))
    return counted, guards
