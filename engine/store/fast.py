"""Hot-path writes straight on the DB-API connection.

SQLAlchemy Core costs 30–50 µs of Python per executed statement; a step of a case writes four
or five rows, so this was a third of a command's time (bench/bench_engine.py). A `FastWrite`
compiles its statement once per dialect and parameter set with SQLAlchemy (so SQL text, type
conversion of datetimes and JSON, and parameter style stay SQLAlchemy's), then executes the
compiled string on the raw driver connection of the current transaction.

Constants in a statement (`state == 'open'`) are rendered into its SQL, not bound: SQLite
re-prepares a statement on every execution when a bound value decides whether a partial index
applies (`state = ?` against `WHERE state = 'open'`), which made the inbox query 12x slower
(174 µs against 15 µs, bench/bench_http.py), and PostgreSQL's generic plans cannot use such an
index either."""
from __future__ import annotations

import re
from collections import namedtuple
from operator import itemgetter

from sqlalchemy import DateTime, literal_column
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.visitors import replacement_traverse

from engine.store import pg_pipeline


class FastWrite:
    def __init__(self, stmt: UpdateBase):
        # inserts are compiled "inline": no RETURNING of generated keys, nothing prefetched
        self.stmt = stmt.inline() if hasattr(stmt, "inline") else stmt
        self._compiled: dict = {}
        self._default_cache: dict = {}
        self._by_order: dict = {}

    def _plan(self, dialect, keys: tuple):
        plan = self._compiled.get((dialect.name, keys))
        if plan is None:
            compiled = inline_constants(self.stmt, dialect).compile(dialect=dialect, column_keys=list(keys))
            if "POSTCOMPILE" in compiled.string:
                raise ValueError("FastWrite statements cannot use expanding IN (...) parameters")
            plan = _native(compiled, dialect) or (compiled.string, *_bind_plan(compiled))
            self._compiled[(dialect.name, keys)] = plan
        return plan

    def _defaults(self, keys: tuple) -> dict:
        """Scalar column defaults of an INSERT's table for columns the caller left out (SQLAlchemy
        would apply them at execution time; the raw path must do it itself)."""
        found = self._default_cache.get(keys)
        if found is None:
            table = getattr(self.stmt, "table", None)
            found = {} if not getattr(self.stmt, "is_insert", False) or table is None else {
                c.key: c.default.arg for c in table.columns
                if c.key not in keys and c.default is not None and c.default.is_scalar}
            self._default_cache[keys] = found
        return found

    def _params(self, plan, row: dict):
        return _bind(plan[1], plan[2], row)

    def _rows_and_plan(self, conn: Connection, rows: list):
        # callers pass the same keys in the same order each time: look the plan up by that order
        # and only sort (and add the defaults) the first time
        order = (conn.dialect.name, tuple(rows[0]))
        found = self._by_order.get(order)
        if found is None:
            keys = tuple(sorted(rows[0]))
            defaults = self._defaults(keys)
            keys = tuple(sorted({**defaults, **rows[0]}))
            found = self._by_order[order] = (defaults, self._plan(conn.dialect, keys))
        defaults, plan = found
        if defaults:
            rows = [{**defaults, **r} for r in rows]
        return rows, plan

    def execute(self, conn: Connection, params) -> int:
        """Execute with one dict or a list of dicts (all with the same keys); returns rowcount."""
        rows = params if isinstance(params, list) else [params]
        if not rows:
            return 0
        rows, plan = self._rows_and_plan(conn, rows)
        if len(rows) == 1:
            cursor = _cursor(conn, plan[0], self._params(plan, rows[0]))
        elif type(plan[0]) is bytes:          # PostgreSQL: one pipeline, the queued writes first
            return pg_pipeline.flush(conn, plan[0], [self._params(plan, r) for r in rows]).rowcount
        else:
            if pg_pipeline.waiting(conn):
                pg_pipeline.flush(conn)
            cursor = conn.connection.dbapi_connection.cursor()
            cursor.executemany(plan[0], [self._params(plan, r) for r in rows])
        try:
            return cursor.rowcount
        finally:
            cursor.close()

    def write(self, conn: Connection, params, expect: int | None = None, error=None) -> None:
        """Execute a write whose result the caller does not read. In a unit of work on PostgreSQL
        it is queued and sent with the next statement that needs an answer or with the commit
        (engine/store/pg_pipeline.py); elsewhere it runs now. With `expect`, a row count other
        than that raises `error()` (before the commit in either case)."""
        rows = params if isinstance(params, list) else [params]
        if not rows:
            return
        queue = pg_pipeline.deferring(conn)
        if queue is None:
            try:
                count = self.execute(conn, rows)
            except pg_pipeline.GUARD_FAILURES as failure:
                if expect is pg_pipeline.GUARDED:
                    raise error() from failure
                raise
            if type(expect) is int and count != expect:
                raise error()
            return
        rows, plan = self._rows_and_plan(conn, rows)
        queue.append((plan[0], [self._params(plan, r) for r in rows], expect, error))

    def returned_int(self, conn: Connection, params: dict) -> int:
        """Execute one row of a statement that RETURNs one integer column (a generated id, a
        counter) and return that value. Integers need no result conversion on either driver."""
        rows, plan = self._rows_and_plan(conn, [params])
        cursor = _cursor(conn, plan[0], self._params(plan, rows[0]))
        try:
            return int(cursor.fetchone()[0])
        finally:
            cursor.close()


class FastRead:
    """A prebuilt SELECT executed on the raw driver connection; rows come back as named tuples
    with SQLAlchemy's own result conversion (datetimes, JSON) applied per column. For the one
    read every command on a case starts with."""

    def __init__(self, stmt):
        self.stmt = stmt
        self._plans: dict = {}

    def _plan(self, dialect):
        plan = self._plans.get(dialect.name)
        if plan is None:
            compiled = inline_constants(self.stmt, dialect).compile(dialect=dialect)
            if "POSTCOMPILE" in compiled.string:
                raise ValueError("FastRead statements cannot use expanding IN (...) parameters")
            columns = list(self.stmt.selected_columns)
            row_type = namedtuple("Row", [c.key for c in columns])
            # (position, processor) of the few columns that need one (datetimes, JSON)
            converters = tuple((i, proc) for i, c in enumerate(columns)
                               if (proc := c.type._cached_result_processor(dialect, None)) is not None)
            plan = (*(_native(compiled, dialect) or (compiled.string, *_bind_plan(compiled))), row_type, converters)
            self._plans[dialect.name] = plan
        return plan

    def first(self, conn: Connection, params: dict):
        sql, binds, positional, row_type, converters = self._plan(conn.dialect)
        cursor = _cursor(conn, sql, _bind(binds, positional, params))
        try:
            raw = cursor.fetchone()
        finally:
            cursor.close()
        if raw is None:
            return None
        return _row(row_type, converters, raw)

    def all(self, conn: Connection, params: dict) -> list:
        sql, binds, positional, row_type, converters = self._plan(conn.dialect)
        cursor = _cursor(conn, sql, _bind(binds, positional, params))
        try:
            rows = cursor.fetchall()
        finally:
            cursor.close()
        return [_row(row_type, converters, raw) for raw in rows]

    def statement(self, conn: Connection, params: dict) -> tuple:
        """(SQL, bound parameters) as `first` would send them, for a caller that sends them
        itself (PostgreSQL: with the COMMIT, `UnitOfWork.begin`); `rows` reads its answer."""
        sql, binds, positional, _, _ = self._plan(conn.dialect)
        return sql, _bind(binds, positional, params)

    def rows(self, conn: Connection, raw_rows: list) -> list:
        """The answer of `statement` as `all` returns it."""
        _, _, _, row_type, converters = self._plan(conn.dialect)
        return [_row(row_type, converters, raw) for raw in raw_rows]

    @classmethod
    def if_possible(cls, stmt):
        """A FastRead of `stmt`, or None when it has expanding IN (...) parameters (which only
        SQLAlchemy's execution can render)."""
        fast = cls(stmt)
        try:
            fast._plan(sqlite.dialect())      # the same check on every dialect: the SQL's shape
        except ValueError:
            return None
        fast._plans.clear()
        return fast


def _cursor(conn: Connection, sql, params):
    """A driver cursor that executed `sql`; on PostgreSQL (`sql` in bytes, see `_native`) the
    answer of the pipeline that sent it with the statements queued before it (one round trip
    for all)."""
    if type(sql) is bytes:
        return pg_pipeline.flush(conn, sql, params)
    if pg_pipeline.waiting(conn):
        return pg_pipeline.flush(conn, sql, params)
    cursor = conn.connection.dbapi_connection.cursor()
    cursor.execute(sql, params)
    return cursor


def _row(row_type, converters: tuple, raw: tuple):
    if not converters:
        return row_type._make(raw)
    values = list(raw)
    for i, proc in converters:
        values[i] = proc(values[i])
    return row_type._make(values)


def inline_constants(stmt, dialect):
    """`stmt` with its constant string and integer values written into the SQL as literals
    (quoted by the dialect's own literal processor); parameters the caller supplies stay bound."""
    def replace(element):
        if not isinstance(element, BindParameter) or element.required or element.callable is not None:
            return None
        value = element.value
        if type(value) is int:
            return literal_column(str(value), element.type)
        if type(value) is str:
            render = element.type.literal_processor(dialect)
            if render is not None:
                return literal_column(render(value), element.type)
        return None
    return replacement_traverse(stmt, {}, replace)


_PLACEHOLDER = re.compile(r"%\(([^)]+)\)s|%%")


def _native(compiled, dialect):
    """PostgreSQL: (the SQL in the server's own form, `$1`, `$2` ... in UTF-8, the bind plan
    giving a tuple in that order), for engine/store/pg_pipeline.py's `_Wire`, which sends it
    without psycopg's per-statement conversion of `%(name)s`. None on other dialects."""
    if dialect.name != "postgresql":
        return None
    order: dict = {}

    def number(match):
        name = match.group(1)
        if name is None:
            return "%"
        if name not in order:
            order[name] = len(order) + 1
        return f"${order[name]}"
    sql = _PLACEHOLDER.sub(number, compiled.string)
    return (sql.encode(), *_bind_plan(compiled, list(order)))


def _bind_plan(compiled, names: list | None = None) -> tuple:
    """(names with the statement's own values, the (position, bind processor) of those that have
    one) of every parameter the SQL names, in the driver's order, and whether the driver takes
    them positionally. The statement's own values are its constants (e.g. state == 'open'); the
    caller's row fills the rest."""
    processors = compiled._bind_processors
    fixed = compiled.construct_params(_check=False)
    positional = compiled.positiontup
    if names is None:
        names = list(positional) if positional is not None else list(fixed)
    else:
        positional = names
    pairs = tuple((name, fixed[name]) for name in names)
    converting = tuple((i, proc) for i, name in enumerate(names)
                       if (proc := _processor(compiled, name, processors.get(name))) is not None)
    # the caller's row usually has every name: one C-level lookup of all of them
    return (pairs, converting, _getter(names)), positional is not None


def _getter(names: list):
    """A function returning the values of `names` from a row, as a tuple (None: no names)."""
    if len(names) > 1:
        return itemgetter(*names)
    if names:
        only = names[0]
        return lambda row: (row[only],)
    return None


def _processor(compiled, name: str, proc):
    """Datetime binds get a one-value memo: a command stamps every row it writes with the same
    `now` (events, tasks, the case), and converting it (to UTC, then to SQLite's text) cost more
    than the rest of a row's binding. One memo per processor, shared by every statement and
    column that uses it, so the second statement of a command already finds `now` converted."""
    type_ = compiled.binds[name].type
    if proc is None or not isinstance(getattr(type_, "impl", type_), DateTime):    # (or a TypeDecorator of it)
        return proc
    memo = _MEMOS.get(proc)
    if memo is None:
        memo = _MEMOS[proc] = _memo(proc)
    return memo


def _memo(proc):
    last = [(_NOTHING, None)]

    def convert(value):
        seen = last[0]               # one tuple, read and replaced whole: safe across threads
        if value == seen[0]:         # equal instants give equal UTC text; aware != naive
            return seen[1]
        text = proc(value)
        last[0] = (value, text)
        return text
    return convert


_MEMOS: dict = {}
_NOTHING = object()


def _bind(binds: tuple, positional: bool, row: dict):
    pairs, converting, getter = binds
    try:
        values = list(getter(row)) if getter is not None else []
    except KeyError:                # names the row leaves out take the statement's own values
        get = row.get
        values = [get(name, own) for name, own in pairs]
    for i, proc in converting:      # the few typed columns (datetimes, JSON): most need nothing
        value = values[i]
        if value is not None:
            values[i] = proc(value)
    if positional:
        return tuple(values)
    return {name: value for (name, _), value in zip(pairs, values)}
