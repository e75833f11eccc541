"""Messages thrown inside a case reach the ONE other case waiting for them through the outbox
(engine/services/messages/thrown.py), on both databases: the receiver named the Camunda way
(correlation.<variable> on the throw) and the SpiffArena way (a correlation property read from
the payload), no correlation (the one waiting case, or a message start event at the sender's
window), nobody waiting yet (tried again, then an incident on the sender after the time to live,
and its retry), two receivers (an incident), exactly once with two workers at once and with a
worker SIGKILLed mid-delivery; delivered rows pruned after the retention."""
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.services import cases, incidents, messages
from engine.store.models import Event, EventOutbox, Incident
from tests.conftest import staff, window_id
from tests.integration.helpers import FIXTURES, add_item, deploy_files
from tests.integration.test_signal_outbox import (
    complete_step,
    events_of,
    open_elements,
    receipts,
    two_workers_deliver,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sending(demo):
    deploy_files(demo, FIXTURES / "message_receive.bpmn")
    deploy_files(demo, FIXTURES / "message_start.bpmn")
    deploy_files(demo, FIXTURES / "message_send.bpmn")
    for code, key in (("TEST-WAIT", "await_licence"), ("TEST-ISSUE", "issue_licence"),
                      ("TEST-SPIFF", "issue_licence_spiff"), ("TEST-ANNOUNCE", "announce_licence"),
                      ("TEST-FWD", "forward_application"), ("TEST-MSTART", "licence_by_message"),
                      ("TEST-BREAKS", "await_revocation_breaks"), ("TEST-REVOKE", "revoke_licence")):
        add_item(demo, code, key)
    return demo


def start(ctx, code, **data):
    return cases.start_case(ctx, cases.StartCase(code, window_id(ctx, "XCZ-W01"), {"name": "王五"}, data),
                            staff(ctx, "xcz_receiver")).case_id


def outbox_rows(ctx):
    with ctx.uow.read() as tx:
        return [r._asdict() for r in tx.conn.execute(
            select(EventOutbox.id, EventOutbox.kind, EventOutbox.name, EventOutbox.state, EventOutbox.delivered,
                   EventOutbox.attempts, EventOutbox.correlation, EventOutbox.variables).order_by(EventOutbox.id))]


def open_incidents(ctx):
    with ctx.uow.read() as tx:
        return [r._asdict() for r in tx.conn.execute(
            select(Incident.id, Incident.case_id, Incident.kind, Incident.message, Incident.element_id,
                   Incident.outbox_id).where(Incident.state == "open").order_by(Incident.id))]


def data_of(ctx, case_id):
    return cases.get_case(ctx, case_id, staff(ctx, "admin")).data


def test_a_message_reaches_the_one_case_its_correlation_names(sending):
    ctx = sending
    other = start(ctx, "TEST-WAIT", application_no="A-1")
    waiting = start(ctx, "TEST-WAIT", application_no="A-2")
    sender = start(ctx, "TEST-ISSUE", application_no="A-2", licence_no="L-9")
    complete_step(ctx, sender, "approve")
    # the sender goes on at once; the receiver waits for the worker (nothing crossed in the step)
    assert open_elements(ctx, sender) == ["archive"]
    assert open_elements(ctx, waiting) == []
    [row] = outbox_rows(ctx)
    assert (row["kind"], row["name"], row["state"]) == ("message", "licence_ready", "pending")
    assert row["correlation"] == {"variables": {"application_no": '"A-2"'}}
    assert row["variables"] == {"licence_no": "L-9"}
    [thrown] = events_of(ctx, sender, "message_thrown")
    assert thrown["correlation"] == row["correlation"]
    assert messages.deliver_outbox(ctx, "w1") == 1
    assert open_elements(ctx, waiting) == ["hand_over"] and data_of(ctx, waiting)["licence_no"] == "L-9"
    assert open_elements(ctx, other) == []
    [received] = events_of(ctx, waiting, "message_received")
    assert received["source_case"] == sender
    assert [(r["state"], r["delivered"]) for r in outbox_rows(ctx)] == [("done", 1)]
    assert receipts(ctx) == [(row["id"], waiting, "delivered")]
    assert messages.deliver_outbox(ctx, "w1") == 0


def test_the_spiffarena_correlation_property_is_read_from_the_payload(sending):
    ctx = sending
    start(ctx, "TEST-WAIT", application_no="A-1")
    waiting = start(ctx, "TEST-WAIT", application_no="A-7")
    sender = start(ctx, "TEST-SPIFF", application_no="A-7", licence_no="L-7")
    complete_step(ctx, sender, "s_approve")
    assert cases.get_case(ctx, sender, staff(ctx, "admin")).status == "completed"   # a message end event
    [row] = outbox_rows(ctx)
    assert row["correlation"] == {"variables": {"application_no": '"A-7"'}}
    assert row["variables"] == {"application_no": "A-7", "licence_no": "L-7"}
    assert messages.deliver_outbox(ctx, "w1") == 1
    assert open_elements(ctx, waiting) == ["hand_over"]


def test_nobody_waiting_is_tried_again_then_an_incident_on_the_sender_after_the_time_to_live(sending, clock):
    ctx = sending
    sender = start(ctx, "TEST-ISSUE", application_no="A-3", licence_no="L-3")
    complete_step(ctx, sender, "approve")
    assert messages.deliver_outbox(ctx, "w1") == 0
    assert [(r["state"], r["attempts"]) for r in outbox_rows(ctx)] == [("pending", 1)]
    assert messages.deliver_outbox(ctx, "w1") == 0          # its back-off: not tried again at once
    assert outbox_rows(ctx)[0]["attempts"] == 1
    clock.advance(timedelta(seconds=6))
    assert messages.deliver_outbox(ctx, "w1") == 0
    assert outbox_rows(ctx)[0]["attempts"] == 2
    # the receiver begins waiting within the time to live: the next attempt delivers
    late = start(ctx, "TEST-WAIT", application_no="A-3")
    clock.advance(timedelta(seconds=11))
    assert messages.deliver_outbox(ctx, "w1") == 1
    assert open_elements(ctx, late) == ["hand_over"]
    assert open_incidents(ctx) == []


def test_an_undelivered_message_becomes_an_incident_that_an_operator_retries(sending, clock):
    ctx = sending
    sender = start(ctx, "TEST-ISSUE", application_no="A-4", licence_no="L-4")
    complete_step(ctx, sender, "approve")
    for _ in range(20):                                       # an hour of attempts, each after its pause
        messages.deliver_outbox(ctx, "w1")
        clock.advance(timedelta(seconds=300))
    assert open_incidents(ctx) != []
    [incident] = open_incidents(ctx)
    assert incident["case_id"] == sender and incident["kind"] == "message" and incident["element_id"] == "notify"
    assert incident["message"].startswith("message_undelivered:")
    assert [r["state"] for r in outbox_rows(ctx)] == ["failed"]
    assert messages.deliver_outbox(ctx, "w1") == 0
    late = start(ctx, "TEST-WAIT", application_no="A-4")
    incidents.retry(ctx, staff(ctx, "admin"), incident["id"])
    assert [(r["state"], r["attempts"]) for r in outbox_rows(ctx)] == [("pending", 0)]
    assert messages.deliver_outbox(ctx, "w1") == 1
    assert open_elements(ctx, late) == ["hand_over"]


def test_two_receivers_are_an_incident_on_the_sender_and_nobody_receives_it(sending):
    ctx = sending
    first, second = start(ctx, "TEST-WAIT"), start(ctx, "TEST-WAIT")
    sender = start(ctx, "TEST-ANNOUNCE")
    complete_step(ctx, sender, "a_approve")
    assert messages.deliver_outbox(ctx, "w1") == 0
    [incident] = open_incidents(ctx)
    assert incident["case_id"] == sender and incident["message"].startswith("message_ambiguous:")
    assert incident["element_id"] == "a_send"
    assert open_elements(ctx, first) == [] and open_elements(ctx, second) == []
    assert receipts(ctx) == []


def test_no_correlation_reaches_the_one_waiting_case(sending):
    ctx = sending
    waiting = start(ctx, "TEST-WAIT")
    sender = start(ctx, "TEST-ANNOUNCE")
    complete_step(ctx, sender, "a_approve")
    assert messages.deliver_outbox(ctx, "w1") == 1
    assert open_elements(ctx, waiting) == ["hand_over"]


def test_a_message_start_event_starts_a_case_at_the_senders_window(sending):
    ctx = sending
    sender = start(ctx, "TEST-FWD")
    complete_step(ctx, sender, "fw_check", {"licence_type": "food"})
    assert messages.deliver_outbox(ctx, "w1") == 1
    [(_, started, outcome)] = receipts(ctx)
    view = cases.get_case(ctx, started, staff(ctx, "admin"))
    assert started != sender and view.status == "running"
    with ctx.uow.read() as tx:
        row, source = tx.cases.view(started), tx.cases.view(sender)
    assert row.origin_window_id == source.origin_window_id and row.applicant_name == "王五"
    assert open_elements(ctx, started) == ["check_application"]


def test_two_workers_at_once_deliver_each_message_exactly_once(sending):
    ctx = sending
    n = 8
    waiting = [start(ctx, "TEST-WAIT", application_no=f"B-{i}") for i in range(n)]
    for i in range(n):
        sender = start(ctx, "TEST-ISSUE", application_no=f"B-{i}", licence_no=f"L-{i}")
        complete_step(ctx, sender, "approve")
    assert two_workers_deliver(ctx, passes=3, timeout=120) == n
    with ctx.uow.read() as tx:
        counts = dict(tx.conn.execute(select(Event.case_id, func.count()).where(
            Event.type == "message_received").group_by(Event.case_id)).all())
    assert counts == {case_id: 1 for case_id in waiting}
    assert all(open_elements(ctx, c) == ["hand_over"] for c in waiting)
    assert [(r["state"], r["delivered"]) for r in outbox_rows(ctx)] == [("done", 1)] * n


def _senders(ctx, n, prefix):
    waiting = [start(ctx, "TEST-WAIT", application_no=f"{prefix}-{i}") for i in range(n)]
    for i in range(n):
        sender = start(ctx, "TEST-ISSUE", application_no=f"{prefix}-{i}", licence_no=f"L-{i}")
        complete_step(ctx, sender, "approve")
    return waiting


def test_a_worker_killed_mid_delivery_loses_nothing_and_repeats_nothing(sending, db_url, clock):
    ctx = sending
    waiting = _senders(ctx, 4, "K")
    proc = subprocess.run([sys.executable, "-m", "tests.integration.outbox_worker", db_url,
                           clock.now().isoformat(), "doomed", "2", "60"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr
    assert [r["state"] for r in outbox_rows(ctx)] == ["done", "done", "pending", "pending"]
    # its lease holds the other rows until it runs out; then a second worker delivers them, once
    assert messages.deliver_outbox(ctx, "survivor") == 0
    clock.advance(timedelta(seconds=61))
    assert messages.deliver_outbox(ctx, "survivor") == 2
    with ctx.uow.read() as tx:
        counts = dict(tx.conn.execute(select(Event.case_id, func.count()).where(
            Event.type == "message_received").group_by(Event.case_id)).all())
    assert counts == {case_id: 1 for case_id in waiting}


def test_delivered_rows_are_pruned_after_the_retention_and_rows_with_open_incidents_stay(sending, clock):
    ctx = sending
    _senders(ctx, 3, "P")
    assert messages.deliver_outbox(ctx, "w1") == 3
    failing = start(ctx, "TEST-ANNOUNCE")                       # no receiver: an incident after the TTL
    complete_step(ctx, failing, "a_approve")
    clock.advance(timedelta(hours=2))
    messages.deliver_outbox(ctx, "w1")
    assert [i["case_id"] for i in open_incidents(ctx)] == [failing]
    assert messages.prune_outbox(ctx) == 0                      # delivered 2 hours ago: kept
    clock.advance(timedelta(days=7, seconds=1))
    before = len(receipts(ctx))
    assert messages.prune_outbox(ctx, batch=2) == 3              # in batches of 2
    assert [r["state"] for r in outbox_rows(ctx)] == ["failed"]
    assert len(receipts(ctx)) == before - 3


def test_a_resolved_incident_lets_its_row_be_pruned(sending, clock):
    ctx = sending
    waiting = start(ctx, "TEST-WAIT", application_no="R-1")
    sender = start(ctx, "TEST-ISSUE", application_no="R-1", licence_no="L-1")
    complete_step(ctx, sender, "approve")
    clock.advance(timedelta(hours=2))
    messages.deliver_outbox(ctx, "w1")                         # found at once: delivered
    assert open_elements(ctx, waiting) == ["hand_over"]
    nobody = start(ctx, "TEST-ISSUE", application_no="R-2", licence_no="L-2")
    complete_step(ctx, nobody, "approve")
    clock.advance(timedelta(hours=2))
    messages.deliver_outbox(ctx, "w1")
    [incident] = open_incidents(ctx)
    waiting2 = start(ctx, "TEST-WAIT", application_no="R-2")
    incidents.retry(ctx, staff(ctx, "admin"), incident["id"])
    assert messages.deliver_outbox(ctx, "w1") == 1 and open_elements(ctx, waiting2) == ["hand_over"]
    clock.advance(timedelta(days=8))
    assert messages.prune_outbox(ctx) == 2
    assert outbox_rows(ctx) == []
    with ctx.uow.read() as tx:
        assert tx.conn.execute(select(Incident.outbox_id).where(Incident.id == incident["id"])).scalar() is None


def test_a_receiver_whose_script_fails_gets_the_incident_and_keeps_waiting(sending):
    ctx = sending
    receiver = start(ctx, "TEST-BREAKS")
    sender = start(ctx, "TEST-REVOKE")
    complete_step(ctx, sender, "rv_decide")
    assert messages.deliver_outbox(ctx, "w1") == 0
    [incident] = open_incidents(ctx)
    assert incident["case_id"] == receiver and incident["kind"] == "script"
    assert "ZeroDivisionError" in incident["message"] and incident["outbox_id"] == outbox_rows(ctx)[0]["id"]
    assert [r["state"] for r in outbox_rows(ctx)] == ["failed"]
    assert [r[1:] for r in receipts(ctx)] == [(receiver, "failed")]
    with ctx.uow.read() as tx:
        assert tx.messages.of_case(receiver) == [("message", "licence_revoked", "b_revoked")]   # still waiting
    assert events_of(ctx, receiver, "message_received") == []
    # the retry forgets the failed receipt; the script fails again: a new incident, nothing delivered
    incidents.retry(ctx, staff(ctx, "admin"), incident["id"])
    assert receipts(ctx) == [] and [r["state"] for r in outbox_rows(ctx)] == ["pending"]
    assert messages.deliver_outbox(ctx, "w1") == 0
    assert [i["case_id"] for i in open_incidents(ctx)] == [receiver]
