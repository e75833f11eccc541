"""The unit of work on a real SQLite file: one transaction per command, rollback on failure, and
the connections it keeps between commands (never shared, never handed on with a transaction)."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from engine.store.db import make_engine
from engine.store.uow import UnitOfWork


@pytest.fixture()
def uow(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'uow.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
    unit = UnitOfWork(engine)
    yield unit
    unit.close()
    engine.dispose()


def _count(uow) -> int:
    with uow.read() as tx:
        return tx.conn.execute(text("SELECT count(*) FROM t")).scalar_one()


def test_a_failed_command_leaves_nothing_and_its_connection_is_clean(uow):
    with uow.begin() as tx:
        tx.conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
    with pytest.raises(Exception):
        with uow.begin() as tx:
            tx.conn.execute(text("INSERT INTO t (v) VALUES ('b')"))
            tx.conn.execute(text("INSERT INTO t (v) VALUES ('a')"))     # unique violation: all rolled back
    assert _count(uow) == 1
    for conn in uow._idle:
        assert not conn.connection.dbapi_connection.in_transaction
    with uow.begin() as tx:                                     # the next command on a kept connection works
        tx.conn.execute(text("INSERT INTO t (v) VALUES ('b')"))
    assert _count(uow) == 2


def test_a_connection_is_kept_for_the_next_command_but_never_shared(uow):
    with uow.begin() as outer:
        with uow.read() as inner:                     # in use: a second unit of work gets its own
            assert inner.conn is not outer.conn
    kept = set(map(id, uow._idle))
    assert len(kept) == 2
    with uow.read() as again:
        assert id(again.conn) in kept
        assert id(again.conn) not in set(map(id, uow._idle))


def test_threads_get_distinct_connections(uow):
    seen, errors, barrier = [], [], threading.Barrier(4)

    def work(i):
        try:
            with uow.read() as tx:
                seen.append(id(tx.conn))
                barrier.wait(timeout=10)              # all four hold one at the same time
                tx.conn.execute(text("SELECT 1")).scalar_one()
            with uow.begin() as tx:
                tx.conn.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": f"x{i}"})
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert errors == []
    assert len(set(seen)) == 4
    assert _count(uow) == 4
    assert len(uow._idle) <= UnitOfWork.MAX_IDLE


def test_close_closes_the_kept_connections(uow):
    with uow.read():
        pass
    kept = list(uow._idle)
    assert kept
    uow.close()
    assert uow._idle == []
    assert all(conn.closed for conn in kept)
