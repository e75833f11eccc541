"""A timer whose continuation keeps failing becomes an incident once its attempts are spent (kind
`script`: the script after it failed), on both databases; retrying it fires it again at once."""
from datetime import timedelta

from sqlalchemy import select

from engine.services import cases, incidents
from engine.services.time_limits import timers
from engine.store.models import Timer
from tests.conftest import staff, window_id
from tests.integration.helpers import FIXTURES, add_item, deploy_files


def bpmn_timer(ctx):
    with ctx.uow.read() as tx:
        return tx.conn.execute(select(Timer.id, Timer.state, Timer.attempts).where(Timer.kind == "bpmn")).one()


def test_a_timer_that_fails_for_good_raises_an_incident_and_retry_fires_it_again(demo, clock):
    ctx = demo
    deploy_files(ctx, FIXTURES / "failing_timer.bpmn")
    add_item(ctx, "TEST-FT", "failing_timer")
    started = cases.start_case(ctx, cases.StartCase("TEST-FT", window_id(ctx, "ZCZ-W01"), {"name": "甲"}),
                               staff(ctx, "zcz_receiver"))
    clock.advance(timedelta(days=1, minutes=1))
    for _ in range(ctx.settings.timer_max_attempts):
        assert incidents.list_incidents(ctx, staff(ctx, "admin"))[1] == 0
        timers.fire_due(ctx)
        clock.advance(timedelta(hours=12))            # past every back-off
    timer = bpmn_timer(ctx)
    assert (timer.state, timer.attempts) == ("failed", ctx.settings.timer_max_attempts)
    [incident], total = incidents.list_incidents(ctx, staff(ctx, "zcz_supervisor"), state="open")
    assert total == 1
    assert (incident.kind, incident.element_id, incident.timer_id, incident.case_id) == (
        "script", "compute", timer.id, started.case_id)
    assert "ZeroDivisionError" in incident.message
    retried = incidents.retry(ctx, staff(ctx, "admin"), incident.id)
    assert retried.timer_fired is False and retried.incident.resolution == "retried"
    # the script still divides by zero: fired at once, failed for good again, a new incident
    [again], _ = incidents.list_incidents(ctx, staff(ctx, "admin"), state="open")
    assert again.id != incident.id and again.timer_id == timer.id
    assert bpmn_timer(ctx).state == "failed"
    resolved = incidents.resolve(ctx, staff(ctx, "admin"), again.id, "流程已修正，人工处理")
    assert resolved.state == "resolved"
    assert incidents.list_incidents(ctx, staff(ctx, "admin"), state="open")[1] == 0
