"""BPMN timers become rows; the scheduler fires due ones on the injected clock, exactly once."""
from datetime import timedelta

from sqlalchemy import func, select

from engine.services import cases, tasks
from engine.services.time_limits import timers
from engine.store.models import Event, Timer
from tests.conftest import staff, window_id
from tests.form_samples import sample, task_data
from tests.integration.helpers import FIXTURES, add_item, deploy_files
from tests.integration.test_case_flow import only_task, start_food


def pending_timers(ctx):
    with ctx.uow.begin() as s:
        return s.conn.execute(select(Timer.element, Timer.due_at, Timer.state)
                         .where(Timer.state == "pending", Timer.kind == "bpmn")).all()


def count_events(ctx, type_):
    with ctx.uow.begin() as s:
        return s.conn.execute(select(func.count()).select_from(Event).where(Event.type == type_)).scalar()


def test_boundary_timer_escalates_overdue_pre_review_once(demo, clock):
    ctx = demo
    start_food(ctx)
    intake = only_task(ctx, "zcz_qs_agent")
    tasks.complete(ctx, intake.id, task_data(ctx, intake.id), staff(ctx, "zcz_qs_agent"))
    [(element, due, _)] = pending_timers(ctx)
    assert element == "pre_review_overdue"
    assert timers.fire_due(ctx) == 0                      # not due yet
    clock.advance(timedelta(days=2, minutes=1))
    assert timers.fire_due(ctx) == 1
    assert timers.fire_due(ctx) == 0                      # exactly once
    escalation = only_task(ctx, "zcz_supervisor")
    assert escalation.spec_id == "escalate_pre_review"
    # non-interrupting: the pre-review is still open next to the escalation
    assert only_task(ctx, "zcz_reviewer").spec_id == "township_pre_review"
    assert count_events(ctx, "timer_fired") == 1
    assert pending_timers(ctx) == []


def test_completing_the_task_cancels_its_boundary_timer(demo, clock):
    ctx = demo
    start_food(ctx)
    intake = only_task(ctx, "zcz_qs_agent")
    tasks.complete(ctx, intake.id, task_data(ctx, intake.id), staff(ctx, "zcz_qs_agent"))
    pre_review = only_task(ctx, "zcz_reviewer")
    tasks.complete(ctx, pre_review.id, task_data(ctx, pre_review.id, **{"complete": True}), staff(ctx, "zcz_reviewer"))
    with ctx.uow.begin() as s:
        states = s.conn.execute(select(Timer.state).where(Timer.kind == "bpmn")).scalars().all()
    assert states == ["cancelled"]
    clock.advance(timedelta(days=30))
    timers.fire_due(ctx)            # step and case deadlines fire; the cancelled BPMN timer must not
    assert count_events(ctx, "timer_fired") == 0


def test_intermediate_timer_waits_for_the_publicity_period(demo, clock):
    ctx = demo
    started = cases.start_case(ctx, cases.StartCase("620100-GG-MZ-0002", window_id(ctx, "QCZ-W01"),
                                                    {"name": "李奶奶"}, sample("apply_elderly_allowance")),
                               staff(ctx, "qcz_receiver"))
    receipt = only_task(ctx, "qcz_receiver")
    tasks.complete(ctx, receipt.id, task_data(ctx, receipt.id, **{"complete": True}), staff(ctx, "qcz_receiver"))
    review = only_task(ctx, "qcz_reviewer")
    tasks.complete(ctx, review.id, task_data(ctx, review.id, **{"opinion": "符合条件"}), staff(ctx, "qcz_reviewer"))
    decision = only_task(ctx, "qcz_social_approver")
    tasks.complete(ctx, decision.id, task_data(ctx, decision.id, **{"decision": "granted"}),
                   staff(ctx, "qcz_social_approver"))
    [(element, due, _)] = pending_timers(ctx)
    assert element == "wait_publicity"
    assert tasks.inbox(ctx, staff(ctx, "qcz_issuer")) == []
    clock.advance(timedelta(days=3, seconds=1))
    assert timers.fire_due(ctx) == 1
    notify = only_task(ctx, "qcz_issuer")
    assert notify.spec_id == "notify_result"
    assert tasks.complete(ctx, notify.id, task_data(ctx, notify.id), staff(ctx, "qcz_issuer")).status == "completed"
    assert cases.get_case(ctx, started.case_id, staff(ctx, "qcz_receiver")).status == "completed"


def test_timer_behind_event_based_gateway_is_found_and_fires(demo, clock):
    ctx = demo
    deploy_files(ctx, FIXTURES / "event_gateway.bpmn")
    add_item(ctx, "TEST-EGW", "pay_or_expire")
    cases.start_case(ctx, cases.StartCase("TEST-EGW", window_id(ctx, "XCZ-W01"), {"name": "王五"}),
                     staff(ctx, "xcz_receiver"))
    [(element, due, _)] = pending_timers(ctx)
    # the gateway itself waits for "payment or 14 days"; waiting_events() alone would not report it
    assert element == "egw"
    clock.advance(timedelta(days=14, seconds=1))
    timers.fire_due(ctx)        # also fires the deemed-acceptance timer (no correction notice in 5 days)
    assert count_events(ctx, "timer_fired") == 1
    assert only_task(ctx, "xcz_reviewer").spec_id == "handle_expiry"


def test_sweep_loads_no_case_when_nothing_is_due(demo, clock, monkeypatch):
    ctx = demo
    for _ in range(3):
        start_food(ctx)
        intake = only_task(ctx, "zcz_qs_agent")
        tasks.complete(ctx, intake.id, task_data(ctx, intake.id), staff(ctx, "zcz_qs_agent"))
    assert len(pending_timers(ctx)) == 3
    ctx.caches.workflows.clear()
    loads = []
    real = ctx.runtime.loads
    monkeypatch.setattr(ctx.runtime, "loads", lambda state: loads.append(1) or real(state))
    assert timers.fire_due(ctx) == 0
    assert loads == []
    clock.advance(timedelta(days=3))
    assert timers.fire_due(ctx) == 3
    assert len(loads) == 3
