"""The unit of work's statements on PostgreSQL (engine/store/pg_pipeline.py): BEGIN, the queued
writes, the next read and the COMMIT leave in one pipeline sent on the libpq connection itself,
prepared once per connection, in a transaction the unit of work begins and ends itself. What
must hold whatever the wire: a command commits all or nothing, errors are the driver's (or the
caller's, for a guarded write), a Core statement sees the writes queued before it, and the
connection is clean after a failure. Both databases where the behaviour is the same."""
from __future__ import annotations

import pytest
from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError as SAIntegrityError

from engine.domain.errors import Conflict
from engine.store import pg_pipeline
from engine.store import tables as t
from engine.store.fast import FastRead, FastWrite
from tests.integration.test_case_flow import start_food

_C = t.case_counter.c
ADD = FastWrite(insert(t.case_counter))
BUMP = FastWrite(update(t.case_counter).where(_C.scope == bindparam("s"), _C.day == bindparam("d"))
                 .values(value=_C.value + bindparam("by")))
VALUE = FastRead(select(_C.value).where(_C.scope == bindparam("s"), _C.day == bindparam("d")))


def _rows(ctx) -> dict:
    with ctx.uow.read() as tx:
        return {(r.scope, r.day): r.value for r in tx.conn.execute(select(t.case_counter))}


def _postgres(ctx) -> bool:
    return ctx.uow.engine.dialect.name == "postgresql"


def _clean(ctx) -> None:
    """Nothing left open on a kept connection (and on PostgreSQL, no transaction and no pipeline
    left running on the driver's connection either)."""
    for conn in ctx.uow._idle:
        assert not conn.in_transaction()
        if _postgres(ctx):
            assert conn.connection.dbapi_connection.pgconn.transaction_status == 0      # IDLE
    if _postgres(ctx):
        with ctx.uow.begin() as tx:
            raw = tx.conn.connection.dbapi_connection
            assert raw.pgconn.pipeline_status == 0          # pipeline mode off
            wire = tx.conn.info.get(pg_pipeline._WIRE)
            assert wire is None or wire.ahead is None


def test_queued_writes_are_seen_by_the_next_read_and_a_core_statement_and_commit_once(ctx):
    with ctx.uow.begin() as tx:
        ADD.write(tx.conn, [{"scope": "A", "day": "20260101", "value": 1},
                            {"scope": "B", "day": "20260101", "value": 5}])
        BUMP.write(tx.conn, {"s": "A", "d": "20260101", "by": 2}, 1, lambda: Conflict("lost"))
        assert VALUE.first(tx.conn, {"s": "A", "d": "20260101"}).value == 3     # read after the queue
        core = tx.conn.execute(select(func.sum(_C.value))).scalar()            # Core sees them too
        assert core == 8
        BUMP.write(tx.conn, {"s": "B", "d": "20260101", "by": 1})
    assert _rows(ctx) == {("A", "20260101"): 3, ("B", "20260101"): 6}


def test_a_failing_statement_in_the_middle_commits_nothing_and_the_kept_connection_works(ctx):
    with ctx.uow.begin() as tx:
        ADD.write(tx.conn, {"scope": "A", "day": "20260101", "value": 1})
    with pytest.raises((SAIntegrityError, Exception)) as err:
        with ctx.uow.begin() as tx:
            BUMP.write(tx.conn, {"s": "A", "d": "20260101", "by": 10})
            ADD.write(tx.conn, {"scope": "A", "day": "20260101", "value": 7})    # duplicate key
            ADD.write(tx.conn, {"scope": "C", "day": "20260101", "value": 1})
    assert "unique" in str(err.value).lower() or "duplicate" in str(err.value).lower()
    assert _rows(ctx) == {("A", "20260101"): 1}
    _clean(ctx)
    with ctx.uow.begin() as tx:
        BUMP.write(tx.conn, {"s": "A", "d": "20260101", "by": 1})
    assert _rows(ctx) == {("A", "20260101"): 2}


def test_a_row_count_that_differs_raises_the_callers_error_before_the_commit(ctx):
    with pytest.raises(Conflict):
        with ctx.uow.begin() as tx:
            ADD.write(tx.conn, {"scope": "A", "day": "20260101", "value": 1})
            BUMP.write(tx.conn, {"s": "nope", "d": "20260101", "by": 1}, 1, lambda: Conflict("no such row"))
    assert _rows(ctx) == {}


def test_a_value_the_driver_cannot_send_fails_the_command_and_writes_nothing(ctx):
    with pytest.raises(Exception):
        with ctx.uow.begin() as tx:
            ADD.write(tx.conn, {"scope": "A", "day": "20260101", "value": 1})
            ADD.write(tx.conn, {"scope": "B", "day": "20260101", "value": object()})
            VALUE.first(tx.conn, {"s": "A", "d": "20260101"})
    assert _rows(ctx) == {}
    with ctx.uow.begin() as tx:
        ADD.write(tx.conn, {"scope": "A", "day": "20260101", "value": 1})
    assert _rows(ctx) == {("A", "20260101"): 1}



def test_writes_sent_ahead_are_seen_by_the_next_read_and_a_core_statement_and_commit_once(ctx):
    with ctx.uow.begin() as tx:
        ADD.write(tx.conn, [{"scope": "A", "day": "20260101", "value": 1},
                            {"scope": "B", "day": "20260101", "value": 5}])
        tx.send_ahead()
        BUMP.write(tx.conn, {"s": "A", "d": "20260101", "by": 2}, 1, lambda: Conflict("lost"))
        tx.send_ahead()
        assert VALUE.first(tx.conn, {"s": "A", "d": "20260101"}).value == 3
        BUMP.write(tx.conn, {"s": "B", "d": "20260101", "by": 1})
        tx.send_ahead()
        assert tx.conn.execute(select(func.sum(_C.value))).scalar() == 9       # a Core statement after
        BUMP.write(tx.conn, {"s": "B", "d": "20260101", "by": 1})
        tx.send_ahead()                                                     # then only the COMMIT
    assert _rows(ctx) == {("A", "20260101"): 3, ("B", "20260101"): 7}
    _clean(ctx)


def test_a_write_sent_ahead_that_fails_is_the_commands_error_and_nothing_is_kept(ctx):
    with ctx.uow.begin() as tx:
        ADD.write(tx.conn, {"scope": "A", "day": "20260101", "value": 1})
    with pytest.raises(Exception) as err:
        with ctx.uow.begin() as tx:
            BUMP.write(tx.conn, {"s": "A", "d": "20260101", "by": 10})
            ADD.write(tx.conn, {"scope": "A", "day": "20260101", "value": 7})    # duplicate key
            tx.send_ahead()
            ADD.write(tx.conn, {"scope": "C", "day": "20260101", "value": 1})
    assert "unique" in str(err.value).lower() or "duplicate" in str(err.value).lower()
    assert _rows(ctx) == {("A", "20260101"): 1}
    _clean(ctx)


def test_a_row_count_checked_after_writes_sent_ahead_still_stops_the_commit(ctx):
    with pytest.raises(Conflict):
        with ctx.uow.begin() as tx:
            ADD.write(tx.conn, {"scope": "A", "day": "20260101", "value": 1})
            BUMP.write(tx.conn, {"s": "nope", "d": "20260101", "by": 1}, 1, lambda: Conflict("no such row"))
            tx.send_ahead()
    assert _rows(ctx) == {}
    _clean(ctx)


def test_a_command_that_fails_after_sending_ahead_keeps_nothing_and_the_connection_works(ctx):
    with pytest.raises(RuntimeError):
        with ctx.uow.begin() as tx:
            ADD.write(tx.conn, {"scope": "A", "day": "20260101", "value": 1})
            tx.send_ahead()
            raise RuntimeError("the command fails in Python after its writes left")
    assert _rows(ctx) == {}
    _clean(ctx)
    with ctx.uow.begin() as tx:
        ADD.write(tx.conn, {"scope": "A", "day": "20260101", "value": 1})
    assert _rows(ctx) == {("A", "20260101"): 1}


def test_a_value_the_driver_cannot_send_ahead_fails_the_command_and_writes_nothing(ctx):
    with pytest.raises(Exception):
        with ctx.uow.begin() as tx:
            ADD.write(tx.conn, {"scope": "A", "day": "20260101", "value": 1})
            tx.send_ahead()
            ADD.write(tx.conn, {"scope": "B", "day": "20260101", "value": object()})
            tx.send_ahead()
    assert _rows(ctx) == {}
    _clean(ctx)


def test_a_guarded_save_of_a_stale_case_is_the_conflict_and_writes_nothing(demo):
    """Cases.save on PostgreSQL checks the version in the statement itself (a stale version sets
    it NULL, which NOT NULL refuses) so that it can go with the COMMIT: the caller's conflict,
    raised from the pipeline, and nothing of the command kept."""
    ctx = demo
    started = start_food(ctx)
    with ctx.uow.read() as tx:
        before = tx.cases.lock(started.case_id)
    counters = _rows(ctx)
    with ctx.uow.begin() as tx:                      # someone else saves first
        case = tx.cases.lock(started.case_id)
        tx.cases.save(case, "{}", ctx.clock.now(), None, False, lambda: Conflict("first"))
    with pytest.raises(Conflict) as err:
        with ctx.uow.begin() as tx:
            ADD.write(tx.conn, {"scope": "A", "day": "20260101", "value": 1})
            tx.cases.save(before, "{}", ctx.clock.now(), None, False, lambda: Conflict("stale", code="stale"))
    assert err.value.code == "stale"
    assert _rows(ctx) == counters
    with ctx.uow.read() as tx:
        assert tx.cases.lock(started.case_id).version == before.version + 1


@pytest.fixture
def pg(ctx):
    if not _postgres(ctx):
        pytest.skip("the wire is PostgreSQL's")
    return ctx


def test_statements_are_prepared_once_per_connection_and_survive_ddl_through_a_cursor(pg):
    """psycopg's own auto-prepare is off: having prepared a Core statement it ran five times, it
    would answer the DROP below with DEALLOCATE ALL and take the wire's statements with it."""
    with pg.uow.begin() as tx:
        ADD.write(tx.conn, {"scope": "S1", "day": "20260101", "value": 1})
        assert VALUE.first(tx.conn, {"s": "S1", "d": "20260101"}).value == 1
        wire = tx.conn.connection._connection_record.info["pg_wire"]
        made = wire.made
        for _ in range(6):
            tx.conn.execute(select(func.count()).select_from(t.case_counter)).scalar()
        tx.conn.execute(text("CREATE TEMP TABLE wire_scratch (x int)"))
        tx.conn.execute(text("DROP TABLE wire_scratch"))
        ADD.write(tx.conn, {"scope": "S2", "day": "20260101", "value": 2})
        assert VALUE.first(tx.conn, {"s": "S2", "d": "20260101"}).value == 2
        assert wire.made == made                      # nothing prepared a second time
        names = {n.encode() for n in tx.conn.execute(text("SELECT name FROM pg_prepared_statements")).scalars()}
        assert set(wire.prepared.values()) <= names
    seen: dict = {}
    for value in range(3, 7):                         # later commands on a connection prepare nothing
        with pg.uow.begin() as tx:
            ADD.write(tx.conn, {"scope": f"S{value}", "day": "20260101", "value": value})
            VALUE.first(tx.conn, {"s": "S1", "d": "20260101"})
            wire = tx.conn.connection._connection_record.info["pg_wire"]
            if id(wire) in seen:
                assert wire.made == seen[id(wire)]
            seen[id(wire)] = wire.made


def test_a_write_queued_in_psycopgs_own_form_goes_with_the_commit(pg):
    """Callers outside fast.py may queue SQL as psycopg writes it (`%s` with tuples, `%(name)s`
    with dicts, `%%` for a percent sign); the wire sends it in the server's form."""
    with pg.uow.begin() as tx:
        queue = pg_pipeline.deferring(tx.conn)
        queue.append(("INSERT INTO case_counter (scope, day, value) VALUES (%s, %s, %s)",
                      [("P%", "20260101", 1), ("Q", "20260101", 2)], None, None))
        queue.append(("UPDATE case_counter SET value = value + %(by)s WHERE scope LIKE 'P%%' AND day = %(d)s",
                      [{"by": 10, "d": "20260101"}], 1, lambda: Conflict("lost")))
    assert _rows(pg) == {("P%", "20260101"): 11, ("Q", "20260101"): 2}


@pytest.fixture
def pg_demo(demo):
    if not _postgres(demo):
        pytest.skip("the wire is PostgreSQL's")
    return demo


def _count_round_trips(monkeypatch) -> list:
    sent = []
    real = pg_pipeline._Wire.exchange

    def counted(self, pending, sql, params, commit):
        sent.append((sql, commit))
        return real(self, pending, sql, params, commit)
    monkeypatch.setattr(pg_pipeline._Wire, "exchange", counted)
    return sent


def test_a_start_reads_its_item_and_reserves_its_id_in_two_round_trips(pg_demo, monkeypatch):
    """The item comes with its process's newest version (one round trip, not two); the day's
    serial with the id the case will have (one, not two: the case's INSERT has no answer to wait
    for and leaves with the COMMIT)."""
    ctx = pg_demo
    start_food(ctx)                                   # warm: definitions loaded, statements prepared
    ctx.caches.start_items.clear()                    # read the item (tests/integration/test_remembered_rows.py)
    sent = _count_round_trips(monkeypatch)
    started = start_food(ctx)
    asked = [sql for sql, _ in sent if sql is not None]
    item = [sql for sql in asked if b"FROM item_implementation" in sql]
    assert len(item) == 1 and b"FROM process_definition" in item[0]
    assert not [sql for sql in asked if sql.startswith(b"SELECT process_definition")]
    assert len([sql for sql in asked if b"nextval" in sql and b"case_counter" in sql]) == 1
    assert not [sql for sql in asked if sql.startswith(b'INSERT INTO "case"')]
    # the last: the writes and the COMMIT, with the read of the open tasks left behind
    # (engine/services/caches.py OpenTaskRows)
    assert sent[-1][1] is True and sent[-1][0].startswith(b"SELECT task.id") and b"xmin" in sent[-1][0]
    with ctx.uow.read() as tx:
        assert tx.conn.execute(select(t.case.c.number).where(t.case.c.id == started.case_id)).scalar() \
            == started.number


def test_a_start_that_fails_after_reserving_keeps_no_case_and_the_next_one_starts(demo, monkeypatch):
    """The serial and the id are taken before the case's INSERT, which waits for the COMMIT on
    PostgreSQL: a start that fails after that writes nothing (its serial is not used up), and the
    next start gets a fresh id."""
    import engine.services.cases.progress as progress
    ctx = demo
    first = start_food(ctx)
    with ctx.uow.read() as tx:
        cases_before = tx.conn.execute(select(func.count()).select_from(t.case)).scalar()
    counters = _rows(ctx)
    real_save = progress.save

    def failing_save(*args, **kwargs):
        raise Conflict("refused after the reservation", code="test_refused")
    monkeypatch.setattr(progress, "save", failing_save)
    with pytest.raises(Conflict):
        start_food(ctx)
    monkeypatch.setattr(progress, "save", real_save)
    with ctx.uow.read() as tx:
        assert tx.conn.execute(select(func.count()).select_from(t.case)).scalar() == cases_before
    assert _rows(ctx) == counters
    second = start_food(ctx)
    assert second.case_id > first.case_id
    assert int(second.number[-4:]) == int(first.number[-4:]) + 1       # the failed start used no serial


def _kill_kept_backends(ctx) -> int:
    pids = [conn.connection.dbapi_connection.info.backend_pid for conn in ctx.uow._idle]
    with ctx.engine.connect() as admin:
        for pid in pids:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    return len(pids)


def test_a_kept_connection_whose_server_went_away_is_pinged_and_replaced(pg, monkeypatch):
    """A unit of work keeps its connection for the next one; one idle for longer than
    PING_AFTER_IDLE_S is pinged first (as the pool's checkout would), and a dead one replaced:
    the command runs as if nothing happened."""
    ctx = pg
    with ctx.uow.begin() as tx:
        ADD.write(tx.conn, {"scope": "A", "day": "20260101", "value": 1})
    assert _kill_kept_backends(ctx) >= 1
    monkeypatch.setattr(pg_pipeline, "PING_AFTER_IDLE_S", 0.0)
    with ctx.uow.begin() as tx:
        BUMP.write(tx.conn, {"s": "A", "d": "20260101", "by": 1})
    assert _rows(ctx) == {("A", "20260101"): 2}


def test_a_kept_connection_that_died_a_moment_ago_fails_one_command_cleanly(pg, monkeypatch):
    """Not pinged (used a moment ago) and dead: that command fails as the database being away
    (503 over HTTP), writes nothing, and the next one gets a new connection."""
    from engine.domain.errors import Unavailable
    ctx = pg
    with ctx.uow.begin() as tx:
        ADD.write(tx.conn, {"scope": "A", "day": "20260101", "value": 1})
    assert _kill_kept_backends(ctx) >= 1
    monkeypatch.setattr(pg_pipeline, "PING_AFTER_IDLE_S", 3600.0)
    with pytest.raises(Unavailable):
        with ctx.uow.begin() as tx:
            BUMP.write(tx.conn, {"s": "A", "d": "20260101", "by": 5})
            VALUE.first(tx.conn, {"s": "A", "d": "20260101"})
    with ctx.uow.begin() as tx:
        BUMP.write(tx.conn, {"s": "A", "d": "20260101", "by": 1})
    assert _rows(ctx) == {("A", "20260101"): 2}
