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
statement order and what a statement sees are exactly as without the queue.

A command may also send its queued writes *ahead* (`send_ahead`) before a stretch of its own
work (a step serializes its workflow after writing the task rows): they leave at once, without
waiting for an answer, and the server executes them while this process computes; their answers
are read with those of the next exchange (its read, or the COMMIT), in one pipeline, so errors,
order and all-or-nothing are as if they had waited in the queue."""
from __future__ import annotations

import re
import time
from typing import Callable, Optional

import psycopg
from psycopg import pq
from psycopg.adapt import PyFormat, Transformer
from psycopg.waiting import Ready, Wait
from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, Engine

# (SQL, parameter rows, expected row count or None, error factory when it differs)
Queued = tuple[bytes, list, Optional[int], Optional[Callable[[], Exception]]]

_BEGIN: Queued = (b"BEGIN", [], None, None)
QUEUE = "pg_queue"            # on the DB-API connection's pool record: the statements not sent yet
# set by a unit of work (`begin`) to its queue (QUEUE's list itself: FastWrite.write may queue, and
# finds the queue with one look instead of two), None outside one
_DEFER = "pg_defer_writes"
_USED = "pg_last_used"
COMMIT_READ = "pg_commit_read"   # set by `read_with_commit` for the unit of work's COMMIT
_WIRE = "pg_wire"            # on the pool record: the connection's _Wire (its prepared statements)
# a connection idle for longer than this is pinged before use (a restarted server is noticed
# before the command starts, as SQLAlchemy's pre-ping would)
PING_AFTER_IDLE_S = 2.0
# `expect` of a queued statement that checks itself: on a mismatch it fails, which stops the rest
# of the pipeline, the COMMIT included, and the caller's error is raised instead of the server's.
# A write sets a NOT NULL column (one of GUARDED_COLUMNS) to NULL, or an INSERT finds its unique key
# taken; a read divides by the number of rows that passed its check (engine/store/repositories/
# tasks.py `unchanged_with_case`). Unlike a row count, this needs no round trip of its own before
# the COMMIT.
GUARDED = "guarded"
GUARDED_COLUMNS = ("version",)
GUARD_FAILURES = (psycopg.errors.NotNullViolation, psycopg.errors.UniqueViolation)
_READ_GUARD_FAILURE = psycopg.errors.DivisionByZero

_OK = pq.ConnStatus.OK
_IDLE = pq.TransactionStatus.IDLE
_FATAL, _ABORTED, _TUPLES, _SYNC = (pq.ExecStatus.FATAL_ERROR, pq.ExecStatus.PIPELINE_ABORTED,
                                    pq.ExecStatus.TUPLES_OK, pq.ExecStatus.PIPELINE_SYNC)
_WAIT_R, _WAIT_RW, _READY_R = Wait.R, Wait.RW, Ready.R


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


def reusable(conn: Connection) -> bool:
    """A connection a unit of work kept (`park`) may serve the next one: pinged first when it was
    idle for longer than PING_AFTER_IDLE_S, as the pool's checkout does; False when that fails."""
    try:
        _stamp_and_ping(conn.info, conn.connection.dbapi_connection)
    except Exception:  # noqa: BLE001 - any failure: the caller takes a fresh connection
        return False
    return True


def park(conn: Connection) -> None:
    """Keep a connection whose unit of work ended, as the pool's check-in would: stamped for
    `reusable`, nothing queued, nothing in flight."""
    _checked_in(conn.info)


def _ping_if_idle(dbapi_conn, record, proxy) -> None:
    try:
        _stamp_and_ping(record.info, dbapi_conn)
    except Exception as error:  # noqa: BLE001 - any failure: the pool opens a fresh one
        raise exc.DisconnectionError() from error


def _stamp_and_ping(info: dict, dbapi_conn) -> None:
    """Note the connection's use; ping it first when it was idle for longer than PING_AFTER_IDLE_S."""
    last = info.get(_USED)
    now = time.monotonic()
    info[_USED] = now
    if last is not None and now - last > PING_AFTER_IDLE_S:
        dbapi_conn.execute(";")


def _stamp(dbapi_conn, record) -> None:
    if record is not None:
        _checked_in(record.info)


def _checked_in(info: dict) -> None:
    """A connection back from its unit of work: stamped, nothing queued, nothing in flight (a unit
    of work commits or rolls back, so there is never anything to drain here in practice)."""
    info[_USED] = time.monotonic()
    queue = info.get(QUEUE)
    if queue:
        queue.clear()
    _drain(info)


def _queue_begin(conn) -> None:
    info = conn.info
    if info.get(_DEFER) is not None:
        return       # a Core statement inside a unit of work, which queued its BEGIN itself
    queue = info.get(QUEUE)
    if queue is not None:
        queue.clear()
        queue.append(_BEGIN)


def _send_queued(conn, cursor, statement, parameters, context, executemany) -> None:
    if _queue(conn) or _ahead(conn):
        flush(conn)


def _send_before_commit(conn) -> None:
    if _queue(conn) or _ahead(conn):
        flush(conn, commit=True)


def _drop_queued(conn) -> None:
    try:
        queue = _queue(conn)
    except exc.PendingRollbackError:
        return      # the connection was lost and invalidated: its record, queue included, goes with it
    if queue:
        queue.clear()
    _drain(conn.info)       # the answers of writes sent ahead are of no use now: it rolls back next


def _drain(info: dict) -> None:
    """Read and drop the answers of writes sent ahead on this connection, if any."""
    wire = info.get(_WIRE)
    if wire is not None and wire.ahead is not None:
        wire.drain()


def _ahead(conn: Connection) -> bool:
    """Whether writes were sent ahead on `conn` and their answers not read yet."""
    wire = conn.info.get(_WIRE)
    return wire is not None and wire.ahead is not None


def _queue(conn: Connection) -> Optional[list]:
    # Connection.info is the pool record's: it lives as long as the DB-API connection
    return conn.info.get(QUEUE)


def waiting(conn: Connection) -> Optional[list]:
    """The statements queued on `conn` and not sent yet; None on SQLite, which never queues, and
    is spared the look (Connection.info goes through the pool record on every access)."""
    return conn.info.get(QUEUE) if conn.dialect.name == "postgresql" else None


def deferring(conn: Connection) -> Optional[list]:
    """The queue of `conn` when it may take deferred writes (a unit of work on PostgreSQL)."""
    if conn.dialect.name != "postgresql":
        return None
    return conn.info.get(_DEFER)


def guard(conn: Connection, sql: str, params: dict, error: Callable[[], Exception]) -> None:
    """In a unit of work on PostgreSQL: queue `sql` (psycopg's `%(name)s` form), a read that
    checks itself (GUARDED: it divides by zero when its check fails), so that the command fails
    with `error()` at its next exchange, before any write queued after it runs."""
    deferring(conn).append((sql, [params], GUARDED, error))


def begin(conn: Connection) -> None:
    """A unit of work's transaction on `conn`, without SQLAlchemy's Transaction object (its
    events and bookkeeping cost as much as a step's statements): BEGIN is queued, and the writes
    whose results nobody reads wait with it, until the next read or `commit`. A Core statement
    executed inside autobegins SQLAlchemy's transaction on top of ours, which then adds nothing
    (`_queue_begin`), and `commit`/`rollback` end it through SQLAlchemy."""
    info = conn.info
    queue = info[QUEUE]
    queue.clear()
    queue.append(_BEGIN)
    info[_DEFER] = queue


def send_ahead(conn: Connection) -> None:
    """Send the writes queued in the unit of work on `conn` now, without waiting for their answer:
    the server executes them while this process goes on; the next exchange reads their answers
    (and raises their errors) first. Nothing to do when nothing but the BEGIN is queued, nor on
    SQLite, where every write has run already (`deferring` is None there)."""
    queue = deferring(conn)
    if not queue or (len(queue) == 1 and queue[0] is _BEGIN):
        return
    pending = list(queue)
    queue.clear()
    _wire(conn).send_ahead(pending)


def read_with_commit(conn: Connection, read, params: dict, then: Callable[[list], None]) -> None:
    """In a unit of work on PostgreSQL: run `read` (a FastRead) after the command's last write, in
    the COMMIT's round trip, and give its rows to `then` once committed (what the command leaves
    behind, as the next command would find it). Each call adds one parameter row to the same
    `read` (every `then` gets the rows of all); a second, different `read` is ignored. Elsewhere
    nothing (no round trip to spare)."""
    info = conn.info
    if conn.dialect.name != "postgresql" or info.get(_DEFER) is None:
        return
    found = info.get(COMMIT_READ)
    if found is None:
        info[COMMIT_READ] = (read, [params], [then])
    elif found[0] is read:
        found[1].append(params)
        found[2].append(then)


def commit(conn: Connection, read: Optional[tuple[bytes, list]] = None) -> Optional[list]:
    """Send what `begin` queued with the COMMIT, in one round trip (the COMMIT follows on its own
    when a queued write's row count must be checked first). `read` (SQL in the server's form and
    its parameter rows) runs after the writes, just before the COMMIT, in the same round trip:
    its raw rows are returned."""
    rows = None
    if read is not None:
        answer = flush(conn, read[0], read[1], commit=True)
        rows = answer.rows if answer is not None else []
    if conn.in_transaction():
        conn.commit()              # "commit" event: the queue and COMMIT (if not sent); psycopg's own if needed
    elif read is None:
        flush(conn, commit=True)
    raw = conn.connection.dbapi_connection
    if raw.pgconn.transaction_status != _IDLE:
        raw.commit()
    conn.info[_DEFER] = None
    return rows


def rollback(conn: Connection) -> bool:
    """End the transaction of `begin` without keeping anything; False when the connection is
    broken (it is invalidated: the pool opens a new one)."""
    info = conn.info
    info[_DEFER] = None
    queue = info.get(QUEUE)
    if queue:
        queue.clear()
    try:
        _drain(info)
        if conn.in_transaction():
            conn.rollback()
        raw = conn.connection.dbapi_connection
        if raw.pgconn.transaction_status != _IDLE:
            raw.rollback()
        return True
    except Exception:  # noqa: BLE001 - a connection that cannot roll back is of no further use
        conn.invalidate()
        return False


def flush(conn: Connection, sql: Optional[bytes] = None, params=None, commit: bool = False):
    """Send what is queued on `conn`, followed by `sql` (when given, with one row of `params` or
    a list of rows), in one round trip; returns the answer of `sql` (rows and row count), or
    None. With `commit`, the COMMIT goes in the same round trip unless a queued write must have
    its row count checked first. Raises the error of a queued write whose check fails (nothing is
    committed then)."""
    queue = _queue(conn)
    pending = list(queue) if queue else []
    if queue:
        queue.clear()
    if sql is None and not _ahead(conn):
        if not pending or (commit and len(pending) == 1 and pending[0] is _BEGIN):
            return None                  # nothing to send; or a transaction that ran nothing
    return exchange(conn, pending, sql, params, commit)


def exchange(conn: Connection, pending: list, sql: Optional[bytes], params, commit: bool):
    """`pending` (queued writes), then `sql`, then COMMIT (with `commit`) in one pipeline on the
    libpq connection itself (see `_Wire`); the errors are psycopg's, as a cursor would raise."""
    return _wire(conn).exchange(pending, sql, params, commit)


def _wire(conn: Connection) -> "_Wire":
    record = conn.connection._connection_record
    wire = record.info.get(_WIRE)
    if wire is None:
        wire = record.info[_WIRE] = _Wire(conn.connection.dbapi_connection)
    return wire


class _Answer:
    """What a statement sent through `_Wire` answered: its rows and row count, with the cursor
    methods the callers use (fast.py)."""
    __slots__ = ("rowcount", "rows")

    def __init__(self, rowcount: int, rows: list):
        self.rowcount = rowcount
        self.rows = rows

    def fetchone(self):
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list:
        return self.rows

    def close(self) -> None:
        pass


# what to do with a statement's result: nothing (errors aside), return it, count its rows, or
# remember that a statement was prepared
_PLAIN, _ANSWER, _COUNT, _PREPARE, _GUARD = None, "answer", "count", "prepare", "guard"
_AUTO: dict = {}        # number of parameters -> [PyFormat.AUTO] * n, as a cursor asks for them


class _Wire:
    """The statements of a flush sent on the libpq connection (psycopg's `pgconn`) in pipeline
    mode, without psycopg's cursors and pipeline object: those cost ~60 µs of Python per
    statement (a cursor, the query's conversion, a poll of the socket after every statement,
    result bookkeeping), more than the server's work on the statement. What stays psycopg's:
    the parameter dumping and row loading (its C Transformer, so the values sent and the Python
    values read are a cursor's, byte for byte), the error classes (`error_from_result`) and the
    waiting on the socket (`Connection.wait`, which releases the GIL).

    SQL comes in PostgreSQL's own `$1` form, parameters as tuples (fast.py prepares both once).
    A statement is prepared on the server the first time it is sent on a connection, keyed like
    psycopg's own cache by the SQL and its parameters' types (an int is sent as int2, int4 or
    int8 by its size), so the server parses and plans it once per connection."""

    __slots__ = ("raw", "pgconn", "tx", "prepared", "made", "ahead")

    def __init__(self, raw):
        self.raw = raw
        self.pgconn = raw.pgconn
        self.tx = Transformer(raw)
        self.prepared: dict = {}     # (sql, parameter types) -> statement name on the server
        self.made = 0
        # statements sent ahead (`send_ahead`) whose answers are not read yet: (handlers,
        # statements prepared in them), the connection in pipeline mode meanwhile; else None
        self.ahead: Optional[tuple[list, dict]] = None

    def send_ahead(self, pending: list) -> None:
        """Put `pending` on the wire without a sync and without waiting: the server runs them at
        once and holds their answers until the next exchange asks for them."""
        pgconn = self.pgconn
        if self.ahead is None:
            pgconn.enter_pipeline_mode()
            self.ahead = ([], {})
        handlers, fresh = self.ahead
        try:
            self._queue(pending, None, None, False, handlers, fresh)
        except BaseException:
            self.exchange([], None, None, False)       # what went ahead of the bad value, then its error
            raise
        pgconn.flush()        # non-blocking: what does not fit in the socket now leaves with the sync

    def drain(self) -> None:
        """Read (and drop) the answers of what was sent ahead, ending pipeline mode: before a
        rollback, which discards their effects anyway."""
        try:
            self.exchange([], None, None, False)
        except psycopg.Error:
            pass            # a failed write sent ahead: the transaction is rolled back next

    def exchange(self, pending: list, sql, params, commit: bool):
        pgconn, raw = self.pgconn, self.raw
        ahead, self.ahead = self.ahead, None
        if ahead is None:
            pgconn.enter_pipeline_mode()
            handlers, fresh = [], {}
        else:
            handlers, fresh = ahead
        try:
            try:
                self._queue(pending, sql, params, commit, handlers, fresh)
            except BaseException:
                # a parameter that cannot be dumped: what was queued before it runs, and fails
                # with the transaction (its BEGIN went first, the COMMIT was not queued yet)
                pgconn.pipeline_sync()
                raw.wait(_collect(pgconn))
                raise
            pgconn.pipeline_sync()
            results = raw.wait(_collect(pgconn))
        except BaseException:
            if pgconn.status == _OK:
                try:
                    pgconn.exit_pipeline_mode()
                except psycopg.OperationalError:
                    pass        # results left behind (interrupted): the error above is the one to see
            raise
        pgconn.exit_pipeline_mode()
        return self._read(handlers, results, fresh)

    def _queue(self, pending: list, sql, params, commit: bool, handlers: list, fresh: dict) -> None:
        """Put the statements in libpq's pipeline, appending to `handlers` what to do with each
        result (for a guarded statement: the error it raises when its guard fails), and to
        `fresh` the statements prepared now."""
        counted = any(type(h) is tuple and h[0] == _COUNT for h in handlers)
        for text, rows, expect, error in pending:
            if type(text) is str:          # queued in psycopg's own form (`%s`, `%(name)s`)
                text, rows = _server_form(text, rows)
            self._queue_write(text, rows, expect, error, handlers, fresh)
            counted = counted or (expect is not None and expect is not GUARDED and bool(rows))
        if sql is not None:
            for row in (params if type(params) is list else (params,)):
                self._send(sql, row, fresh, handlers)
                handlers.append(_ANSWER)
        if commit and not counted:
            self.pgconn.send_query_params(b"COMMIT", None)
            handlers.append(_PLAIN)

    def _queue_write(self, text: bytes, rows: list, expect, error, handlers: list, fresh: dict) -> None:
        """One queued statement with its rows (none: sent as a simple query)."""
        if not rows:
            self.pgconn.send_query_params(text, None)
            handlers.append(_PLAIN)
        elif expect is GUARDED:
            for row in rows:
                self._send(text, row, fresh, handlers)
                handlers.append((_GUARD, error))
        elif len(rows) > 1 and expect is None and (many := _multi_row(text, len(rows))) is not None:
            # an INSERT of several rows (a command's audit events): one statement, not one each
            self._send(many, tuple(value for row in rows for value in row), fresh, handlers)
            handlers.append(_PLAIN)
        else:
            for row in rows:
                self._send(text, row, fresh, handlers)
                handlers.append(_PLAIN if expect is None else (_COUNT, expect, error))

    def _send(self, text: bytes, row, fresh: dict, handlers: list) -> None:
        pgconn, tx = self.pgconn, self.tx
        formats = _AUTO.get(len(row))
        if formats is None:
            formats = _AUTO[len(row)] = [PyFormat.AUTO] * len(row)
        values = tx.dump_sequence(row, formats)
        key = (text, tx.types)
        name = self.prepared.get(key) or fresh.get(key)
        if name is None:
            self.made += 1
            name = fresh[key] = b"lb_%d" % self.made
            pgconn.send_prepare(name, text, param_types=key[1])
            handlers.append((_PREPARE, key))
        pgconn.send_query_prepared(name, values, param_formats=tx.formats)

    def _read(self, handlers: list, results: list, fresh: dict):
        answer, failure, failed, rows, count = None, None, None, [], 0
        for handler, result in zip(handlers, results):
            status = result.status
            if status == _FATAL:
                if failure is None:
                    failure, failed = result, handler
            elif status == _ABORTED or handler is _PLAIN:
                continue
            elif handler is _ANSWER:
                count += result.command_tuples or 0
                if status == _TUPLES and result.ntuples:
                    self.tx.set_pgresult(result)
                    rows.extend(self.tx.load_rows(0, result.ntuples, tuple))
                answer = True
            elif handler[0] == _PREPARE:
                self.prepared[handler[1]] = fresh[handler[1]]
        if failure is not None:
            raise self._error(failure, failed)
        _check_counts(handlers, results)
        return _Answer(count, rows) if answer else None

    def _error(self, failure, handler) -> Exception:
        """The exception for the first statement that failed: psycopg's, as a cursor raises it;
        the caller's when a guarded statement refused itself (`_refused`)."""
        error = psycopg.errors.error_from_result(failure, encoding=self.pgconn._encoding)
        if type(handler) is tuple and handler[0] == _GUARD and _refused(error):
            error = handler[1]()
            error.__suppress_context__ = True
        elif isinstance(error, psycopg.errors.InvalidSqlStatementName):
            self.prepared.clear()     # someone ran DEALLOCATE ALL on this connection: prepare anew
        return error


def _refused(error: Exception) -> bool:
    """Whether a guarded statement's error is its guard refusing (see GUARDED)."""
    if isinstance(error, psycopg.errors.NotNullViolation):
        return error.diag.column_name in GUARDED_COLUMNS
    return isinstance(error, (_READ_GUARD_FAILURE, psycopg.errors.UniqueViolation))


def _check_counts(handlers: list, results: list) -> None:
    """Raise the caller's error of the first write whose row count is not the one it expected."""
    for handler, result in zip(handlers, results):
        if type(handler) is tuple and handler[0] == _COUNT and result.command_tuples != handler[1]:
            raise handler[2]()


_FORMS: dict = {}
_PSYCOPG_PLACEHOLDER = re.compile(r"%\(([^)]+)\)s|%s|%%")


def _server_form(text: str, rows: list) -> tuple[bytes, list]:
    """A write queued in psycopg's own form by a caller outside fast.py (`%s` with tuples,
    `%(name)s` with dicts): the server's `$1` form and its rows as tuples (converted once)."""
    found = _FORMS.get(text)
    if found is None:
        names: list = []
        count = [0]

        def number(match):
            if match.group(0) == "%%":
                return "%"
            if match.group(1) is None:
                count[0] += 1
                return f"${count[0]}"
            if match.group(1) not in names:
                names.append(match.group(1))
            return f"${names.index(match.group(1)) + 1}"
        found = _FORMS[text] = (_PSYCOPG_PLACEHOLDER.sub(number, text).encode(), tuple(names))
    sql, names = found
    if names:
        rows = [tuple(row[name] for name in names) for row in rows]
    return sql, [tuple(row) for row in rows]


_MULTI: dict = {}
_VALUES = re.compile(rb"^INSERT INTO [^;]* VALUES (\([^()]*(?:\([^()]*\)[^()]*)*\))$", re.S)
_NUMBER = re.compile(rb"\$(\d+)")


def _multi_row(text: bytes, n: int) -> Optional[bytes]:
    """`INSERT ... VALUES ($1, .., $k)` as one statement for `n` rows (`VALUES (..), (..)`, the
    placeholders numbered on); None for any other statement (RETURNING, ON CONFLICT, a SELECT)."""
    key = (text, n)
    found = _MULTI.get(key, False)
    if found is False:
        match = _VALUES.match(text)
        found = None
        if match is not None:
            values = match.group(1)
            width = max((int(number) for number in _NUMBER.findall(values)), default=0)
            rows = [_NUMBER.sub(lambda m, i=i: b"$%d" % (int(m.group(1)) + i * width), values) for i in range(n)]
            found = text[:match.start(1)] + b", ".join(rows)
        _MULTI[key] = found
    return found


def _collect(pgconn):
    """Generator for `Connection.wait`: flush what libpq holds, then gather the results of every
    statement (one list entry each, in order) up to the pipeline's sync."""
    while pgconn.flush():
        ready = yield _WAIT_RW
        if ready & _READY_R:
            pgconn.consume_input()
    results: list = []
    last = None
    while True:
        while pgconn.is_busy():
            if (yield _WAIT_R):
                pgconn.consume_input()
        result = pgconn.get_result()
        if result is None:                # the end of one statement's results
            results.append(last)
            last = None
        elif result.status == _SYNC:
            return results
        elif last is None or last.status != _FATAL:
            last = result
