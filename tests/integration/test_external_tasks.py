"""External tasks on both databases: a service task becomes a row a worker fetches and locks;
complete moves the case on in one transaction; failure retries, then an incident; an expired
lock gives the task back; bpmnError takes the error boundary; a failing script after a
completion is an incident, not a half-moved case."""
from datetime import timedelta
from uuid import UUID

import pytest
from sqlalchemy import select

from engine.domain.errors import Conflict, Forbidden, NotFound, ValidationError
from engine.services import cases, external_tasks, incidents, tasks
from engine.store.models import Event, ExternalTask, Incident
from tests.conftest import row_counts, staff, window_id
from tests.integration.helpers import FIXTURES, add_item, deploy_files

TOPIC = "fee-payment-check"
LOCK_MS = 60_000


def setup_fee(ctx):
    deploy_files(ctx, FIXTURES / "fee_payment_check.bpmn")
    add_item(ctx, "TEST-FEE", "fee_payment_check")


def start(ctx, name="甲"):
    return cases.start_case(ctx, cases.StartCase("TEST-FEE", window_id(ctx, "ZCZ-W01"), {"name": name}),
                            staff(ctx, "zcz_receiver"))


def fetch(ctx, worker="w1", n=10, **kw):
    return external_tasks.fetch_and_lock(ctx, staff(ctx, "integration"), worker, n,
                                         [external_tasks.TopicRequest(TOPIC, LOCK_MS, **kw)])


def rows(ctx):
    with ctx.uow.read() as tx:
        return tx.conn.execute(select(ExternalTask).order_by(ExternalTask.id)).all()


def event_types(ctx, case_id):
    with ctx.uow.read() as tx:
        return [e for (e,) in tx.conn.execute(select(Event.type).where(Event.case_id == case_id)
                                              .order_by(Event.seq))]


def test_reaching_a_service_task_makes_a_row_a_worker_completes(demo):
    ctx = demo
    setup_fee(ctx)
    started = start(ctx)
    [row] = rows(ctx)
    assert (row.topic, row.element_id, row.state, row.priority, row.retries) == (TOPIC, "fee_check", "open", 5, None)
    assert row.variables["case"]["number"] == started.number
    assert started.tasks == ()                       # no user task yet: the case waits for the worker
    [locked] = fetch(ctx, variables=("case",))
    assert locked.id == row.id and set(locked.variables) == {"case"}
    assert fetch(ctx, worker="w2") == []                  # locked: nobody else gets it
    moved = external_tasks.complete(ctx, staff(ctx, "integration"), locked.id, "w1", {"amount": 100})
    assert moved.version == started.version + 1
    [row] = rows(ctx)
    assert (row.state, row.completed_by) == ("completed", "w1")
    review = tasks.inbox(ctx, staff(ctx, "zcz_reviewer"))
    assert [t.spec_id for t in review] == ["review"]
    with ctx.uow.read() as tx:                            # the worker's variables reached the script after it
        wf = ctx.runtime.loads(tx.cases.state(started.case_id))
    assert wf.get_task_from_id(UUID(review[0].id)).data["receipt_no"] == "R10"
    assert {"external_task_created", "external_task_completed"} <= set(event_types(ctx, started.case_id))


def test_only_the_lock_holder_completes_and_an_expired_lock_gives_the_task_back(demo, clock):
    ctx = demo
    setup_fee(ctx)
    start(ctx)
    [locked] = fetch(ctx, worker="w1")
    with pytest.raises(Conflict) as err:
        external_tasks.complete(ctx, staff(ctx, "integration"), locked.id, "w2", {"amount": 1})
    assert err.value.code == "external_task_locked_by_other"
    clock.advance(timedelta(milliseconds=LOCK_MS + 1))
    with pytest.raises(Conflict) as err:
        external_tasks.extend_lock(ctx, staff(ctx, "integration"), locked.id, "w1", 1000)
    assert err.value.code == "external_task_lock_expired"
    [again] = fetch(ctx, worker="w2")                     # the dead worker's task comes back
    assert again.id == locked.id
    with pytest.raises(Conflict):
        external_tasks.complete(ctx, staff(ctx, "integration"), locked.id, "w1", {"amount": 1})
    external_tasks.extend_lock(ctx, staff(ctx, "integration"), locked.id, "w2", 5000)
    external_tasks.complete(ctx, staff(ctx, "integration"), locked.id, "w2", {"amount": 50})
    with pytest.raises(NotFound):
        external_tasks.complete(ctx, staff(ctx, "integration"), locked.id, "w2", {"amount": 50})


def test_failure_retries_after_the_timeout_then_raises_an_incident_that_retry_reopens(demo, clock):
    ctx = demo
    setup_fee(ctx)
    started = start(ctx)
    worker = staff(ctx, "integration")
    [locked] = fetch(ctx)
    external_tasks.failure(ctx, worker, locked.id, "w1", "payment platform down", "HTTP 503", 1, 30_000)
    assert fetch(ctx) == []                               # backing off
    clock.advance(timedelta(seconds=31))
    [locked] = fetch(ctx)
    assert (locked.retries, locked.error_message) == (1, "payment platform down")
    external_tasks.failure(ctx, worker, locked.id, "w1", "still down", "HTTP 503 again", 0, 0)
    clock.advance(timedelta(days=1))
    assert fetch(ctx) == []                               # out of retries: waits for a person
    page, total = incidents.list_incidents(ctx, staff(ctx, "admin"), state="open")
    assert total == 1
    [incident] = page
    assert (incident.kind, incident.element_id, incident.case_id, incident.external_task_id) == (
        "external_task", "fee_check", started.case_id, locked.id)
    assert incident.details == "HTTP 503 again"
    retried = incidents.retry(ctx, staff(ctx, "admin"), incident.id)
    assert (retried.incident.state, retried.incident.resolution) == ("resolved", "retried")
    [locked] = fetch(ctx)
    assert locked.retries == 1
    external_tasks.complete(ctx, worker, locked.id, "w1", {"amount": 10})
    assert {"incident_raised", "incident_retried", "external_task_failed"} <= set(event_types(ctx, started.case_id))
    with pytest.raises(Conflict):
        incidents.retry(ctx, staff(ctx, "admin"), incident.id)


def test_bpmn_error_takes_the_error_boundary_and_an_uncaught_code_is_an_incident(demo):
    ctx = demo
    setup_fee(ctx)
    start(ctx, "甲")
    start(ctx, "乙")
    worker = staff(ctx, "integration")
    first, second = fetch(ctx)
    external_tasks.bpmn_error(ctx, worker, first.id, "w1", "FEE_UNPAID", "not paid", {"owed": 30})
    assert [t.spec_id for t in tasks.inbox(ctx, staff(ctx, "zcz_receiver"))] == ["chase"]
    external_tasks.bpmn_error(ctx, worker, second.id, "w1", "NO_SUCH_CODE", None, {})
    states = {r.id: (r.state, r.retries) for r in rows(ctx)}
    assert states == {first.id: ("bpmn_error", None), second.id: ("open", 0)}
    [incident], _ = incidents.list_incidents(ctx, staff(ctx, "admin"))
    assert incident.kind == "external_task" and "NO_SUCH_CODE" in incident.message


def test_a_script_failing_after_a_completion_is_a_script_incident_and_nothing_moves(demo):
    ctx = demo
    setup_fee(ctx)
    started = start(ctx)
    worker = staff(ctx, "integration")
    [locked] = fetch(ctx)
    with pytest.raises(Conflict) as err:
        external_tasks.complete(ctx, worker, locked.id, "w1", {"amount": 0})     # 1000 / 0 in the script
    assert err.value.code == "continuation_failed"
    [incident], _ = incidents.list_incidents(ctx, staff(ctx, "admin"), kind="script")
    assert incident.element_id == "receipt" and incident.external_task_id == locked.id
    assert "ZeroDivisionError" in incident.message
    [row] = rows(ctx)
    assert (row.state, row.retries) == ("open", 0)
    assert cases.get_case(ctx, started.case_id, staff(ctx, "admin")).version == started.version
    resolved = incidents.resolve(ctx, staff(ctx, "admin"), incident.id, "已线下核实缴费")
    assert (resolved.state, resolved.resolution, resolved.note) == ("resolved", "resolved", "已线下核实缴费")


def test_withdrawing_a_case_cancels_its_external_task(demo):
    ctx = demo
    setup_fee(ctx)
    started = start(ctx)
    cases.withdraw(ctx, started.case_id, "申请人撤回", staff(ctx, "zcz_receiver"))
    assert [r.state for r in rows(ctx)] == ["cancelled"]
    assert fetch(ctx) == []


def test_bad_requests_change_nothing(demo):
    ctx = demo
    setup_fee(ctx)
    start(ctx)
    before = row_counts(ctx)
    with pytest.raises(Forbidden):
        fetch_as = external_tasks.fetch_and_lock
        fetch_as(ctx, staff(ctx, "zcz_receiver"), "w", 1, [external_tasks.TopicRequest(TOPIC, 1000)])
    for bad in (dict(worker_id="", max_tasks=1, ms=1000), dict(worker_id="w", max_tasks=-1, ms=1000),
                dict(worker_id="w", max_tasks=1, ms=0), dict(worker_id="w" * 300, max_tasks=1, ms=1000)):
        with pytest.raises(ValidationError):
            external_tasks.fetch_and_lock(ctx, staff(ctx, "integration"), bad["worker_id"], bad["max_tasks"],
                                          [external_tasks.TopicRequest(TOPIC, bad["ms"])])
    [locked] = fetch(ctx)
    for retries, timeout in ((-1, 0), (1, -5), (True, 0)):
        with pytest.raises(ValidationError):
            external_tasks.failure(ctx, staff(ctx, "integration"), locked.id, "w1", "x", None, retries, timeout)
    with pytest.raises(ValidationError):
        external_tasks.bpmn_error(ctx, staff(ctx, "integration"), locked.id, "w1", "", None, {})
    with pytest.raises(NotFound):
        external_tasks.complete(ctx, staff(ctx, "integration"), 999_999, "w1", {})
    after = row_counts(ctx)
    assert after == before


def test_incident_scope_follows_the_supervised_subtree(demo):
    ctx = demo
    setup_fee(ctx)
    start(ctx)
    [locked] = fetch(ctx)
    external_tasks.failure(ctx, staff(ctx, "integration"), locked.id, "w1", "down", None, 0, 0)
    with ctx.uow.read() as tx:
        [incident_id] = tx.conn.execute(select(Incident.id)).scalars().all()
    assert incidents.list_incidents(ctx, staff(ctx, "zcz_supervisor"))[1] == 1
    assert incidents.list_incidents(ctx, staff(ctx, "designer"))[1] == 1
    with pytest.raises(NotFound):                         # another township's supervisor
        incidents.get_incident(ctx, staff(ctx, "xcz_supervisor"), incident_id)
    assert incidents.list_incidents(ctx, staff(ctx, "xcz_supervisor"))[1] == 0
    with pytest.raises(Forbidden):
        incidents.list_incidents(ctx, staff(ctx, "zcz_receiver"))
    with pytest.raises(ValidationError):
        incidents.resolve(ctx, staff(ctx, "admin"), incident_id, "  ")
