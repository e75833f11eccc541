"""A completion that starts from the rows the last command on the case left in this process
(engine/services/caches.py `OpenTaskRows`, PostgreSQL only): no read before the engine runs, and
the database checks, ahead of every write of the command, that the case and the task rows are
still those versions. What must hold: the same answers as reading them under the lock, whatever
another process did meanwhile (claimed, completed, changed the case), nothing written when the
check fails, one round trip when nothing changed, and the audit chain intact throughout."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from engine.domain.errors import Conflict, Forbidden, LianbanError
from engine.services import tasks
from engine.store import pg_pipeline
from engine.store import tables as t
from tests.conftest import snapshot, staff
from tests.form_samples import task_data
from tests.integration.helpers import at_once
from tests.integration.test_case_flow import start_food


@pytest.fixture
def pg_demo(demo):
    if demo.uow.engine.dialect.name != "postgresql":
        pytest.skip("rows are remembered on PostgreSQL only: a read costs no round trip on SQLite")
    return demo


@pytest.fixture
def other(pg_demo, db_url, clock):
    """Another process on the same database: its own caches, its own connections."""
    from engine.config import Settings
    from engine.services.context import Context
    ctx = Context.create(Settings(database_url=db_url), clock=clock)
    yield ctx
    ctx.dispose()


def _round_trips(monkeypatch) -> list:
    sent = []
    real = pg_pipeline._Wire.exchange

    def counted(self, pending, sql, params, commit):
        sent.append(commit)
        return real(self, pending, sql, params, commit)
    monkeypatch.setattr(pg_pipeline._Wire, "exchange", counted)
    return sent


def _events(ctx, case_id: int) -> list[str]:
    """The types of the case's audit events, in their order."""
    with ctx.uow.read() as tx:
        return tx.conn.execute(select(t.event.c.type).where(t.event.c.stream == f"case:{case_id}")
                               .order_by(t.event.c.seq)).scalars().all()


def _chain_intact(ctx, case_id: int) -> None:
    with ctx.uow.read() as tx:
        assert tx.events.broken_at(f"case:{case_id}") is None


def test_a_start_and_a_claim_remember_what_a_locked_read_would_give(pg_demo):
    ctx = pg_demo
    started = start_food(ctx)
    task_id = started.tasks[0]
    with ctx.uow.begin() as tx:
        _, locked = tx.tasks.locked_with_case(task_id)
    kept = ctx.caches.open_tasks.take(task_id)
    assert kept is not None
    assert {k: getattr(kept, k) for k in locked._fields} == locked._asdict()
    with ctx.uow.read() as tx:
        versions = tx.conn.execute(text('SELECT task.xmin::text, "case".xmin::text FROM task JOIN "case" '
                                        'ON "case".id = task.case_id WHERE task.id = :t'), {"t": task_id}).one()
    assert (kept.task_xmin, kept.case_xmin) == tuple(versions)
    tasks.claim(ctx, task_id, staff(ctx, "zcz_qs_agent"))
    claimed = ctx.caches.open_tasks.take(task_id)
    assert claimed.assignee_id == staff(ctx, "zcz_qs_agent").staff_id
    assert claimed.lc_audit_seq == kept.lc_audit_seq + 1 and claimed.case_xmin != kept.case_xmin


def test_a_completion_from_remembered_rows_is_one_round_trip(pg_demo, monkeypatch):
    ctx = pg_demo
    started = start_food(ctx)
    agent = staff(ctx, "zcz_qs_agent")
    task_id = started.tasks[0]
    data = task_data(ctx, task_id)
    sent = _round_trips(monkeypatch)
    done = tasks.complete(ctx, task_id, data, agent)
    assert sent == [True]                                   # the writes, the check and the COMMIT together
    assert done.version == started.version + 1
    assert done.next_tasks and ctx.caches.open_tasks.take(done.next_tasks[0]) is not None
    _chain_intact(ctx, started.case_id)


def test_a_task_another_process_claimed_meanwhile_is_refused_as_a_locked_read_refuses_it(pg_demo, other):
    ctx = pg_demo
    started = start_food(ctx)                           # this process remembers the open task
    task_id = started.tasks[0]
    tasks.claim(other, task_id, staff(other, "zcz_qs_agent"))
    before = snapshot(ctx)
    with pytest.raises(Forbidden) as err:               # the remembered rows say: unclaimed
        tasks.complete(ctx, task_id, task_data(ctx, task_id), staff(ctx, "lzxq_receiver"))
    assert err.value.code == "task_claimed_by_other"
    assert snapshot(ctx) == before
    _chain_intact(ctx, started.case_id)


def test_her_own_claim_made_in_another_process_is_kept_when_she_completes_here(pg_demo, other):
    ctx = pg_demo
    started = start_food(ctx)
    task_id = started.tasks[0]
    tasks.claim(other, task_id, staff(other, "zcz_qs_agent"))       # the remembered rows say: unclaimed
    done = tasks.complete(ctx, task_id, task_data(ctx, task_id), staff(ctx, "zcz_qs_agent"))
    assert done.version == started.version + 1
    events = _events(ctx, started.case_id)
    assert events.index("task_claimed") < events.index("task_completed")
    _chain_intact(ctx, started.case_id)


def test_a_task_another_process_completed_meanwhile_is_not_completed_twice(pg_demo, other):
    ctx = pg_demo
    started = start_food(ctx)
    task_id = started.tasks[0]
    tasks.complete(other, task_id, task_data(other, task_id), staff(other, "zcz_qs_agent"))
    before = snapshot(ctx)
    with pytest.raises(Conflict) as err:
        tasks.complete(ctx, task_id, task_data(ctx, task_id), staff(ctx, "zcz_qs_agent"))
    assert err.value.code == "task_not_open"
    assert snapshot(ctx) == before
    with ctx.uow.read() as tx:
        assert tx.conn.execute(select(t.case.c.version).where(t.case.c.id == started.case_id)).scalar() \
            == started.version + 1
    _chain_intact(ctx, started.case_id)


def test_a_case_another_process_changed_meanwhile_is_completed_from_its_rows_as_they_are(pg_demo, other):
    """The task is unchanged but the case row is not (another process paused its clock and went
    on): the completion runs on the case as it is now, its version and its audit chain."""
    ctx = pg_demo
    started = start_food(ctx)
    task_id = started.tasks[0]
    agent = staff(ctx, "zcz_qs_agent")
    receiver = staff(other, "lzxq_receiver")
    with other.uow.begin() as tx:                       # any change of the case row by another command
        case = tx.cases.lock(started.case_id)
        case.audit.add("note_added", receiver, other.clock.now(), {"note": "from another process"})
        tx.cases.record_events(case, other.clock.now())
    done = tasks.complete(ctx, task_id, task_data(ctx, task_id), agent)
    assert done.version == started.version + 1
    events = _events(ctx, started.case_id)
    assert events.index("note_added") < events.index("task_completed")
    _chain_intact(ctx, started.case_id)


def test_racing_a_locked_completion_exactly_one_completes(pg_demo, other):
    ctx = pg_demo
    for _ in range(3):
        started = start_food(ctx)
        task_id = started.tasks[0]
        data = task_data(ctx, task_id)
        results, errors = at_once(lambda c: tasks.complete(c, task_id, data, staff(c, "zcz_qs_agent")),
                                  [(ctx,), (other,)])
        assert len(results) == 1 and len(errors) == 1, errors
        # the locked read may see the task open and the engine then refuse it: the same code
        assert isinstance(errors[0], LianbanError) and errors[0].code in ("task_not_open", "case_version_conflict")
        with ctx.uow.read() as tx:
            assert tx.conn.execute(select(t.case.c.version).where(t.case.c.id == started.case_id)).scalar() \
                == started.version + 1
            assert tx.conn.execute(select(t.task.c.state).where(t.task.c.id == task_id)).scalar() == "completed"
        _chain_intact(ctx, started.case_id)


def test_a_failed_check_writes_nothing_and_leaves_the_connection_clean(pg_demo, other, monkeypatch):
    """The check fails (RowsChanged) before any write of the first attempt runs; the second
    attempt, from the rows as they are, is the one that commits."""
    ctx = pg_demo
    started = start_food(ctx)
    task_id = started.tasks[0]
    with other.uow.begin() as tx:                       # a new version of the task row, same content
        tx.conn.execute(text("UPDATE task SET warning = warning WHERE id = :t"), {"t": task_id})
    attempts = []
    real = tasks.completion._complete

    def counted(*args, **kwargs):
        try:
            return real(*args, **kwargs)
        except Exception as exc:
            attempts.append(type(exc).__name__)
            raise
        finally:
            attempts.append("attempt")
    monkeypatch.setattr(tasks.completion, "_complete", counted)
    done = tasks.complete(ctx, task_id, task_data(ctx, task_id), staff(ctx, "zcz_qs_agent"))
    assert attempts == ["RowsChanged", "attempt", "attempt"]
    assert done.version == started.version + 1
    assert _events(ctx, started.case_id).count("task_completed") == 1
    for conn in ctx.uow._idle:
        assert not conn.in_transaction()
        assert conn.connection.dbapi_connection.pgconn.transaction_status == 0
        assert conn.connection.dbapi_connection.pgconn.pipeline_status == 0
    _chain_intact(ctx, started.case_id)


def test_a_keyed_completion_from_remembered_rows_is_one_round_trip_and_answers_its_retry(pg_demo, monkeypatch):
    """The console sends an Idempotency-Key with every completion: the check that the key is not
    stored goes with the writes, and its INSERT with the COMMIT."""
    ctx = pg_demo
    started = start_food(ctx)
    agent = staff(ctx, "zcz_qs_agent")
    task_id = started.tasks[0]
    data = task_data(ctx, task_id)
    sent = _round_trips(monkeypatch)
    done = tasks.complete(ctx, task_id, data, agent, idempotency_key="k-1")
    assert sent == [True]
    again = tasks.complete(ctx, task_id, data, agent, idempotency_key="k-1")      # a retry: the first answer
    assert again == done
    with pytest.raises(Conflict) as err:
        tasks.complete(ctx, task_id, {**data, "extra": 1}, agent, idempotency_key="k-1")
    assert err.value.code == "idempotency_key_reused"
    _chain_intact(ctx, started.case_id)


def test_a_key_used_before_on_another_task_is_refused_even_from_remembered_rows(pg_demo):
    ctx = pg_demo
    agent = staff(ctx, "zcz_qs_agent")
    first = start_food(ctx)
    tasks.complete(ctx, first.tasks[0], task_data(ctx, first.tasks[0]), agent, idempotency_key="k-2")
    second = start_food(ctx)                            # remembered here: the check must see the key
    before = snapshot(ctx)
    with pytest.raises(Conflict) as err:
        tasks.complete(ctx, second.tasks[0], task_data(ctx, second.tasks[0]), agent, idempotency_key="k-2")
    assert err.value.code == "idempotency_key_reused"
    assert snapshot(ctx) == before


def test_a_key_stored_by_a_concurrent_request_is_in_use_at_the_commit(demo):
    """The key's INSERT is queued on PostgreSQL: a unique violation refuses it as the caller's
    Conflict when the command commits (both databases give the same answer)."""
    ctx = demo
    agent = staff(ctx, "zcz_qs_agent")
    now = ctx.clock.now()
    with ctx.uow.begin() as tx:
        tx.idempotency.remember(agent.staff_id, "k-3", "a" * 64, {"case_id": 1}, now)
    with pytest.raises(Conflict) as err:
        with ctx.uow.begin() as tx:
            tx.idempotency.remember(agent.staff_id, "k-3", "b" * 64, {"case_id": 2}, now)
    assert err.value.code == "idempotency_key_in_use"
    with ctx.uow.read() as tx:
        assert tx.idempotency.find(agent.staff_id, "k-3").response == {"case_id": 1}


def test_a_claim_and_the_completion_after_it_are_one_round_trip_each(pg_demo, monkeypatch):
    ctx = pg_demo
    started = start_food(ctx)
    agent = staff(ctx, "zcz_qs_agent")
    task_id = started.tasks[0]
    data = task_data(ctx, task_id)
    sent = _round_trips(monkeypatch)
    assert tasks.claim(ctx, task_id, agent).assignee_id == agent.staff_id
    assert sent == [True]
    tasks.complete(ctx, task_id, data, agent, idempotency_key="k-4")
    assert sent == [True, True]
    with ctx.uow.read() as tx:
        row = tx.conn.execute(select(t.task.c.assignee_id, t.task.c.claimed_at, t.task.c.state)
                              .where(t.task.c.id == task_id)).one()
    assert row.assignee_id == agent.staff_id and row.claimed_at is not None and row.state == "completed"
    _chain_intact(ctx, started.case_id)


def test_a_task_another_process_claimed_meanwhile_cannot_be_claimed_here(pg_demo, other):
    ctx = pg_demo
    started = start_food(ctx)
    task_id = started.tasks[0]
    tasks.claim(other, task_id, staff(other, "zcz_qs_agent"))
    before = snapshot(ctx)
    with pytest.raises(Conflict) as err:                # the remembered rows say: unclaimed
        tasks.claim(ctx, task_id, staff(ctx, "zcz_qs_agent"))
    assert err.value.code == "task_already_claimed" and "you" in err.value.message
    assert snapshot(ctx) == before


def test_racing_claims_exactly_one_claims(pg_demo, other):
    ctx = pg_demo
    for _ in range(3):
        started = start_food(ctx)
        task_id = started.tasks[0]
        results, errors = at_once(lambda c: tasks.claim(c, task_id, staff(c, "zcz_qs_agent")), [(ctx,), (other,)])
        assert len(results) == 1 and len(errors) == 1, errors
        assert isinstance(errors[0], Conflict) and errors[0].code == "task_already_claimed"
        assert _events(ctx, started.case_id).count("task_claimed") == 1
        _chain_intact(ctx, started.case_id)


def _item_reads(monkeypatch) -> list:
    from engine.store.repositories.catalogue import Catalogue
    reads = []
    real = Catalogue.published_for_start

    def counted(self, code):
        reads.append(code)
        return real(self, code)
    monkeypatch.setattr(Catalogue, "published_for_start", counted)
    return reads


def test_a_start_begins_from_the_item_an_earlier_start_read(pg_demo, monkeypatch):
    ctx = pg_demo
    first = start_food(ctx)
    reads = _item_reads(monkeypatch)
    second = start_food(ctx)
    assert reads == []
    with ctx.uow.read() as tx:
        rows = tx.conn.execute(select(t.case.c.item_id, t.case.c.definition_id)
                               .where(t.case.c.id.in_([first.case_id, second.case_id]))).all()
    assert rows[0] == rows[1]


def test_an_item_retired_by_another_process_meanwhile_starts_no_case(pg_demo, other, monkeypatch):
    from engine.domain.errors import NotFound
    ctx = pg_demo
    start_food(ctx)                                     # the item is remembered here
    with other.uow.begin() as tx:
        tx.conn.execute(text("UPDATE item_implementation SET status = 'retired' WHERE local_code = :c"),
                        {"c": "620100-XK-SCJG-0001"})
    before = snapshot(ctx)
    reads = _item_reads(monkeypatch)
    with pytest.raises(NotFound) as err:
        start_food(ctx)
    assert err.value.code == "item_not_found" and reads == ["620100-XK-SCJG-0001"]
    assert snapshot(ctx) == before


def test_a_version_deployed_by_another_process_meanwhile_is_the_one_a_start_runs(pg_demo, other):
    from engine.bpmn.parser import SourceFile
    from engine.domain.actor import Actor
    from engine.services import definitions
    from tests.integration.helpers import FIXTURES
    ctx = pg_demo
    first = start_food(ctx)                             # the item is remembered here, with its version
    path = FIXTURES.parent.parent / "workflows" / "food_licence.bpmn"
    xml = path.read_bytes().replace(b'name="', b'name="v2 ', 1)
    definitions.deploy(other, [SourceFile(path.name, xml)], Actor.system("test"), name="v2")
    second = start_food(ctx)
    with ctx.uow.read() as tx:
        first_def, second_def = (tx.conn.execute(select(t.case.c.definition_id).where(t.case.c.id == case_id))
                                 .scalar() for case_id in (first.case_id, second.case_id))
        newest = tx.conn.execute(text("SELECT max(id) FROM process_definition WHERE key = 'food_licence'")).scalar()
    assert second_def == newest != first_def
