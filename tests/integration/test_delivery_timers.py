"""Art. 44 (docs/time-limits.md#licensing-law-rules): a grant must be delivered within 10 working
days. The grant schedules a yellow and a red delivery card; 办结 (the licence made) keeps them,
delivery cancels them, and each fires exactly once with the frozen clock, visible to supervisors."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from engine.domain.errors import Forbidden, ValidationError
from engine.services import delivery, supervision
from engine.services.time_limits import timers
from engine.store.models import Event, Timer
from tests.conftest import staff
from tests.integration.test_case_flow import only_task
from tests.integration.test_lifecycle import tasks, to_decision
from tests.integration.test_supervision import unit

# decided on Friday 2026-11-27 (T0): the tenth working day after is Friday 2026-12-11
YELLOW_AT = datetime(2026, 12, 10, 16, 0, tzinfo=timezone.utc)     # 2026-12-11 00:00 Beijing: the last day
DUE_AT = datetime(2026, 12, 11, 16, 0, tzinfo=timezone.utc)        # 2026-12-12 00:00 Beijing: past the deadline


def delivery_timers(ctx, case_id):
    with ctx.uow.read() as conn:
        rows = conn.conn.execute(select(Timer.kind, Timer.state, Timer.due_at).where(
            Timer.case_id == case_id, Timer.kind.in_(("delivery_yellow", "delivery_red"))).order_by(Timer.id)).all()
    return [(r.kind, r.state, r.due_at.replace(tzinfo=timezone.utc) if r.due_at.tzinfo is None
             else r.due_at.astimezone(timezone.utc)) for r in rows]


def events(ctx, case_id, prefix="delivery_"):
    with ctx.uow.read() as conn:
        return [e for e in conn.conn.execute(select(Event.type).where(Event.case_id == case_id).order_by(Event.seq))
                .scalars() if e.startswith(prefix)]


def issue(ctx):
    tasks.complete(ctx, only_task(ctx, "lzxq_issuer").id, {}, staff(ctx, "lzxq_issuer"))


def listed(ctx, level=None):
    return [(w.id, w.warning) for w in supervision.deliveries(ctx, staff(ctx, "lzxq_supervisor"), unit(ctx, "LZXQ"),
                                                              level=level)]


def test_a_grant_schedules_the_cards_that_survive_completion_and_fire_once_each(demo, clock):
    ctx = demo
    case_id = to_decision(ctx, "granted")
    assert delivery_timers(ctx, case_id) == [("delivery_yellow", "pending", YELLOW_AT),
                                             ("delivery_red", "pending", DUE_AT)]
    issue(ctx)                                               # 制证: the case is completed, not yet delivered
    assert [s for _, s, _ in delivery_timers(ctx, case_id)] == ["pending", "pending"]
    clock.set(YELLOW_AT - timedelta(seconds=1))
    timers.fire_due(ctx)
    assert events(ctx, case_id) == ["delivery_due_set"] and listed(ctx) == []
    clock.set(YELLOW_AT)
    assert timers.fire_due(ctx) >= 1
    timers.fire_due(ctx)                                     # a second sweep fires nothing again
    assert events(ctx, case_id) == ["delivery_due_set", "delivery_warning_yellow"]
    assert listed(ctx) == [(case_id, "yellow")] and listed(ctx, "red") == []
    clock.set(DUE_AT + timedelta(hours=1))
    timers.fire_due(ctx)
    timers.fire_due(ctx)
    assert events(ctx, case_id) == ["delivery_due_set", "delivery_warning_yellow", "delivery_warning_red"]
    assert listed(ctx) == [(case_id, "red")]
    [w] = supervision.deliveries(ctx, staff(ctx, "lzxq_supervisor"), unit(ctx, "LZXQ"))
    assert w.delivery_due == DUE_AT and w.item_code == "11620100MB1234567E2001XK0010100"
    delivery.deliver(ctx, case_id, delivery.Delivery("pickup"), staff(ctx, "lzxq_issuer"))
    assert listed(ctx) == []                                 # delivered late, but no longer pending


def test_delivery_in_time_cancels_the_cards(demo, clock):
    ctx = demo
    case_id = to_decision(ctx, "granted")
    issue(ctx)
    clock.advance(timedelta(days=3))
    delivery.deliver(ctx, case_id, delivery.Delivery("mail", tracking_number="SF100", address="兰州新区幸福路18号"),
                     staff(ctx, "lzxq_issuer"))
    assert [s for _, s, _ in delivery_timers(ctx, case_id)] == ["cancelled", "cancelled"]
    clock.set(DUE_AT + timedelta(days=1))
    timers.fire_due(ctx)
    assert events(ctx, case_id) == ["delivery_due_set"]


def test_a_refusal_has_no_delivery_cards(demo):
    ctx = demo
    case_id = to_decision(ctx, "refused")
    assert delivery_timers(ctx, case_id) == [] and events(ctx, case_id) == []


def test_a_stale_card_on_a_delivered_case_does_nothing(demo, clock):
    """The card rechecks the case when it fires (e.g. a timer left pending by hand)."""
    ctx = demo
    case_id = to_decision(ctx, "granted")
    issue(ctx)
    delivery.deliver(ctx, case_id, delivery.Delivery("pickup"), staff(ctx, "lzxq_issuer"))
    with ctx.uow.begin() as conn:
        conn.conn.execute(Timer.__table__.update().where(Timer.case_id == case_id, Timer.kind == "delivery_red")
                     .values(state="pending"))
    clock.set(DUE_AT)
    assert timers.fire_due(ctx) == 1
    assert events(ctx, case_id) == ["delivery_due_set"]
    assert delivery_timers(ctx, case_id)[1][1] == "fired"


def test_supervision_of_deliveries_checks_scope_and_arguments(demo):
    ctx = demo
    with pytest.raises(Forbidden):
        supervision.deliveries(ctx, staff(ctx, "zcz_supervisor"), unit(ctx, "LZXQ"))
    with pytest.raises(ValidationError) as err:
        supervision.deliveries(ctx, staff(ctx, "lzxq_supervisor"), unit(ctx, "LZXQ"), level="green")
    assert (err.value.code, err.value.field) == ("warning_level_unknown", "level")
    with pytest.raises(ValidationError) as err:
        supervision.deliveries(ctx, staff(ctx, "lzxq_supervisor"), unit(ctx, "LZXQ"), limit=0)
    assert err.value.field == "limit"
