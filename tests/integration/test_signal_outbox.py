"""Signals thrown inside a case reach every OTHER case waiting for them through the outbox
(engine/services/messages/outbox.py), on both databases: an intermediate throw event and a signal
end event, the thrower catching its own signal as SpiffWorkflow does, exactly once per case with
two workers at once and with a worker SIGKILLed mid-delivery, a failed delivery as an incident
on the receiving case (and its retry), cases that began waiting after the throw left out."""
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.services import cases, incidents, messages, tasks
from engine.store.models import Event, EventOutbox, EventOutboxReceipt, Incident
from tests.conftest import staff, window_id
from tests.integration.helpers import FIXTURES, add_item, at_once, deploy_files

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def throwing(demo):
    deploy_files(demo, FIXTURES / "signal_catch.bpmn")
    deploy_files(demo, FIXTURES / "signal_throw.bpmn")
    for code, key in (("TEST-SIG", "wait_for_policy"), ("TEST-SUSP", "review_until_suspended"),
                      ("TEST-PUB", "publish_policy"), ("TEST-STOP", "suspend_service"),
                      ("TEST-BREAK", "policy_breaks_script")):
        add_item(demo, code, key)
    return demo


def start(ctx, code):
    return cases.start_case(ctx, cases.StartCase(code, window_id(ctx, "XCZ-W01"), {"name": "王五"}, {}),
                            staff(ctx, "xcz_receiver")).case_id


def open_elements(ctx, case_id):
    return sorted(t.spec_id for t in tasks.inbox(ctx, staff(ctx, "xcz_reviewer")) if t.case_id == case_id)


def complete_step(ctx, case_id, element, data=None):
    task = next(t for t in tasks.inbox(ctx, staff(ctx, "xcz_reviewer")) if t.case_id == case_id
                and t.spec_id == element)
    tasks.complete(ctx, task.id, data or {}, staff(ctx, "xcz_reviewer"))


def events_of(ctx, case_id, type_):
    with ctx.uow.read() as tx:
        return [r.payload for r in tx.conn.execute(select(Event.payload).where(
            Event.case_id == case_id, Event.type == type_).order_by(Event.seq))]


def receipts(ctx):
    with ctx.uow.read() as tx:
        return sorted(tuple(r) for r in tx.conn.execute(
            select(EventOutboxReceipt.outbox_id, EventOutboxReceipt.case_id, EventOutboxReceipt.outcome)))


def outbox_states(ctx):
    with ctx.uow.read() as tx:
        return [tuple(r) for r in tx.conn.execute(select(EventOutbox.name, EventOutbox.state, EventOutbox.delivered)
                                                  .order_by(EventOutbox.id))]


def test_a_thrown_signal_reaches_the_other_waiting_cases_once_and_the_thrower_its_own_catch(throwing):
    ctx = throwing
    waiting = [start(ctx, "TEST-SIG") for _ in range(3)]
    publisher = start(ctx, "TEST-PUB")
    assert open_elements(ctx, publisher) == ["draft_policy"]
    complete_step(ctx, publisher, "draft_policy", {"policy_no": "2026-12"})
    # the thrower caught its own signal at once, inside its own workflow (SpiffWorkflow's rule) ...
    assert open_elements(ctx, publisher) == ["archive_policy"]
    [thrown] = events_of(ctx, publisher, "signal_thrown")
    assert thrown["name"] == "policy_published" and thrown["variables"] == ["policy"]
    # ... the others wait for the outbox: nothing reached them in the thrower's transaction
    assert all(open_elements(ctx, c) == [] for c in waiting)
    assert outbox_states(ctx) == [("policy_published", "pending", 0)]
    assert messages.deliver_outbox(ctx, "w1") == 3
    for case_id in waiting:
        assert open_elements(ctx, case_id) == ["apply_policy"]
        [received] = events_of(ctx, case_id, "signal_received")
        assert received["id"] == thrown["id"] and received["elements"] == ["policy"]
        assert received["source_case"] == publisher and received["variables"] == ["policy"]
        assert cases.get_case(ctx, case_id, staff(ctx, "xcz_receiver")).data["policy"] == "2026-12"
    assert outbox_states(ctx) == [("policy_published", "done", 3)]
    assert {r[1] for r in receipts(ctx)} == set(waiting)
    # a second pass finds nothing to do; the thrower never received its own row
    assert messages.deliver_outbox(ctx, "w2") == 0
    assert events_of(ctx, publisher, "signal_received") == []


def test_a_signal_end_event_interrupts_boundary_signals_of_other_cases(throwing):
    ctx = throwing
    reviewed = start(ctx, "TEST-SUSP")
    stopper = start(ctx, "TEST-STOP")
    complete_step(ctx, stopper, "decide_suspension")
    assert cases.get_case(ctx, stopper, staff(ctx, "xcz_receiver")).status == "completed"
    assert messages.deliver_outbox(ctx, "w1") == 1
    # the boundary signal took the review away; the catching branch threw policy_published in turn
    assert open_elements(ctx, reviewed) == ["notify_suspension"]
    assert [s for s, *_ in outbox_states(ctx)] == ["service_suspended", "policy_published"]


def test_cases_that_begin_waiting_after_the_throw_do_not_receive_it(throwing):
    ctx = throwing
    early = start(ctx, "TEST-SIG")
    publisher = start(ctx, "TEST-PUB")
    complete_step(ctx, publisher, "draft_policy", {"policy_no": "P-1"})
    late = start(ctx, "TEST-SIG")
    assert messages.deliver_outbox(ctx, "w1") == 1
    assert open_elements(ctx, early) == ["apply_policy"] and open_elements(ctx, late) == []


def test_a_failed_delivery_is_an_incident_on_the_receiving_case_and_does_not_stop_the_others(throwing):
    ctx = throwing
    broken = start(ctx, "TEST-BREAK")
    fine = start(ctx, "TEST-SIG")
    publisher = start(ctx, "TEST-PUB")
    complete_step(ctx, publisher, "draft_policy", {"policy_no": "P-2"})
    assert messages.deliver_outbox(ctx, "w1") == 1
    assert open_elements(ctx, fine) == ["apply_policy"]
    assert outbox_states(ctx) == [("policy_published", "done", 1)]
    assert (broken, "failed") in {(c, o) for _, c, o in receipts(ctx)}
    admin = staff(ctx, "admin")
    [incident], _ = incidents.list_incidents(ctx, admin, case_id=broken)
    assert incident.kind == "script" and incident.element_id == "b_broken" and "policy_published" in incident.message
    assert incident.outbox_id is not None
    # the broken case still waits (its transaction rolled back) and is not delivered to again
    assert messages.deliver_outbox(ctx, "w1") == 0
    with ctx.uow.read() as tx:
        assert tx.messages.of_case(broken) == [("signal", "policy_published", "b_policy")]
    # a retry makes the row pending again for that case; it fails again: a new incident
    incidents.retry(ctx, admin, incident.id)
    assert outbox_states(ctx)[0][1] == "pending"
    assert messages.deliver_outbox(ctx, "w1") == 0
    assert len(incidents.list_incidents(ctx, admin, case_id=broken, state="open")[0]) == 1
    assert events_of(ctx, fine, "signal_received")[0]["source_case"] == publisher


def _waiting_many(ctx, n):
    waiting = [start(ctx, "TEST-SIG") for _ in range(n)]
    publisher = start(ctx, "TEST-PUB")
    complete_step(ctx, publisher, "draft_policy", {"policy_no": "P-3"})
    return waiting


def two_workers_deliver(ctx, passes: int, timeout: float) -> int:
    """Two threads deliver the outbox at once, `passes` times each, with leases cut to nothing
    (each may take the other's row); returns how many deliveries they made together, after
    checking that neither raised."""
    def work(name):
        return sum(messages.deliver_outbox(ctx, name, lease_seconds=0) for _ in range(passes))

    results, errors = at_once(work, [("w0",), ("w1",)], timeout)
    assert errors == []
    return sum(results)


def _received_once_each(ctx, waiting):
    with ctx.uow.read() as tx:
        counts = dict(tx.conn.execute(select(Event.case_id, func.count()).where(
            Event.type == "signal_received").group_by(Event.case_id)).all())
    assert counts == {case_id: 1 for case_id in waiting}
    assert {c for _, c, o in receipts(ctx) if o == "delivered"} == set(waiting)


def test_two_workers_at_once_deliver_to_each_case_exactly_once(throwing):
    ctx = throwing
    waiting = _waiting_many(ctx, 12)
    # both workers take the same row (the first one's lease is cut to nothing), so they race case by case
    assert two_workers_deliver(ctx, passes=1, timeout=60) == 12
    _received_once_each(ctx, waiting)


def test_a_worker_killed_mid_delivery_loses_nothing_and_repeats_nothing(throwing, db_url, clock):
    ctx = throwing
    waiting = _waiting_many(ctx, 8)
    proc = subprocess.run([sys.executable, "-m", "tests.integration.outbox_worker", db_url,
                           clock.now().isoformat(), "doomed", "3", "60"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr
    assert "killing myself" in proc.stdout
    assert len([r for r in receipts(ctx) if r[2] == "delivered"]) == 3     # the fourth rolled back with it
    # its lease holds the row: a second worker finds nothing until the lease runs out
    assert messages.deliver_outbox(ctx, "survivor") == 0
    clock.advance(timedelta(seconds=61))
    assert messages.deliver_outbox(ctx, "survivor") == 5
    _received_once_each(ctx, waiting)
    assert outbox_states(ctx) == [("policy_published", "done", 8)]


def test_a_case_with_no_signal_writes_nothing_to_the_outbox(throwing):
    ctx = throwing
    case_id = start(ctx, "TEST-SUSP")
    complete_step(ctx, case_id, "s_review")
    with ctx.uow.read() as tx:
        assert tx.conn.execute(select(func.count()).select_from(EventOutbox)).scalar() == 0
        assert tx.conn.execute(select(func.count()).select_from(Incident)).scalar() == 0


def test_two_worker_processes_deliver_to_each_case_exactly_once(throwing, db_url, clock):
    """Two `outbox_worker` processes at once, each taking the row (a lease of 0 s lets both)."""
    ctx = throwing
    waiting = _waiting_many(ctx, 10)
    procs = [subprocess.Popen([sys.executable, "-m", "tests.integration.outbox_worker", db_url,
                               clock.now().isoformat(), f"p{i}", "-1", "0"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(2)]
    outputs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outputs]
    delivered = [int(out.split("delivered ")[1]) for out, _ in outputs]
    assert sum(delivered) == 10
    _received_once_each(ctx, waiting)
    assert outbox_states(ctx) == [("policy_published", "done", 10)]
