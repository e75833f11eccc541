"""Supervision queries over the projection: cards by subtree, tier, item, window, department,
role; counts; on-time rate; CSV."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.domain.errors import NotFound, ValidationError
from engine.services import supervision, tasks
from engine.services.time_limits import timers
from engine.store.models import Department, OrgUnit
from tests.conftest import staff, window_id
from tests.form_samples import task_data
from tests.integration.test_case_flow import only_task, start_food
from tests.integration.test_clock import accept_food, bj


def SUP(ctx):
    return staff(ctx, "lzxq_supervisor")


def unit(ctx, code):
    with ctx.uow.read() as tx:
        return tx.conn.execute(select(OrgUnit.id).where(OrgUnit.code == code)).scalar_one()


def test_cards_by_subtree_and_counts(demo, clock):
    ctx = demo
    red_case = accept_food(ctx)                                     # received at 中川镇 清水村
    # received at 秦川镇 马家坪村, not accepted
    other = start_food(ctx, window="QCZ-MJP-W01", clerk="qcz_mjp_agent")
    clock.set(bj(2026, 12, 11, 8))                                  # yellow day of the first case
    timers.fire_due(ctx)
    district, zcz, qcz = unit(ctx, "LZXQ"), unit(ctx, "ZCZ"), unit(ctx, "QCZ")
    assert [c.id for c in supervision.cases(ctx, SUP(ctx), zcz, level="yellow")] == [red_case]
    # the second case was deemed accepted (no correction notice within 5 working days): red
    assert [c.id for c in supervision.cases(ctx, SUP(ctx), qcz, level="red")] == [other.case_id]
    assert supervision.cases(ctx, SUP(ctx), qcz, level="red")[0].deemed_accepted
    assert {c.id for c in supervision.cases(ctx, SUP(ctx), district)} == {red_case, other.case_id}
    assert supervision.cases(ctx, SUP(ctx), district, tier="township") == []          # both were received at villages
    assert len(supervision.cases(ctx, SUP(ctx), district, tier="village")) == 2
    assert supervision.cases(ctx, SUP(ctx), district, item_code="NOPE") == []
    at_window = supervision.cases(ctx, SUP(ctx), district, window_id=window_id(ctx, "ZCZ-QS-W01"))
    assert [c.id for c in at_window] == [red_case]
    n = supervision.counts(ctx, SUP(ctx), district)
    assert n["cases"] == {"yellow": 1, "red": 1}
    assert n["by_tier"]["village"]["cases"] == {"yellow": 1, "red": 1}
    page = supervision.cases(ctx, SUP(ctx), district, limit=1)
    assert len(page) == 1 and supervision.cases(ctx, SUP(ctx), district, after_id=page[0].id)[0].id != page[0].id
    csv_text = supervision.to_csv(supervision.cases(ctx, SUP(ctx), district))
    assert csv_text.startswith("\ufeffid,number,item_code") and "食品经营许可" in csv_text


def test_overdue_steps_by_department_and_role(demo, clock):
    ctx = demo
    accept_food(ctx)
    decide = only_task(ctx, "lzxq_market_approver")                 # due P5D (Zeebe taskSchedule)
    clock.set(decide.due_at + timedelta(seconds=1))
    timers.fire_due(ctx)
    district = unit(ctx, "LZXQ")
    with ctx.uow.read() as tx:
        market = tx.conn.execute(select(Department.id).where(Department.code == "market")).scalar_one()
        health = tx.conn.execute(select(Department.id).where(Department.code == "health")).scalar_one()
    [step] = supervision.steps(ctx, SUP(ctx), district, level="red", department_id=market)
    assert step.task_id == decide.id and step.role == "approver" and step.department == "市场监督管理局"
    assert supervision.steps(ctx, SUP(ctx), district, level="red", department_id=health) == []
    assert supervision.steps(ctx, SUP(ctx), district, role="issuer") == []
    assert supervision.counts(ctx, SUP(ctx), district)["steps"]["red"] == 1


def test_on_time_rate(demo, clock):
    ctx = demo
    start = clock.now()
    on_time = accept_food(ctx)
    late = accept_food(ctx)
    def finish(case_id):
        t = next(t for t in tasks.inbox(ctx, staff(ctx, "lzxq_market_approver")) if t.case_id == case_id)
        tasks.complete(ctx, t.id, task_data(ctx, t.id, **{"decision": "granted"}), staff(ctx, "lzxq_market_approver"))
        t = next(t for t in tasks.inbox(ctx, staff(ctx, "lzxq_issuer")) if t.case_id == case_id)
        tasks.complete(ctx, t.id, task_data(ctx, t.id), staff(ctx, "lzxq_issuer"))
    finish(on_time)
    clock.set(bj(2026, 12, 20))                                     # after the promised 12-11
    finish(late)
    rate = supervision.on_time_rate(ctx, SUP(ctx), unit(ctx, "LZXQ"), start, clock.now() + timedelta(days=1))
    assert rate == {"completed": 2, "on_time": 1, "rate": 0.5}


def test_supervisors_see_only_their_subtree(demo):
    ctx = demo
    from engine.domain.errors import Forbidden
    township_supervisor = staff(ctx, "zcz_supervisor")
    assert supervision.cases(ctx, township_supervisor, unit(ctx, "ZCZ")) == []
    for unit_code in ("LZXQ", "QCZ"):
        with pytest.raises(Forbidden) as err:
            supervision.cases(ctx, township_supervisor, unit(ctx, unit_code))
        assert err.value.code == "outside_supervised_scope"
    with pytest.raises(Forbidden):
        supervision.counts(ctx, staff(ctx, "zcz_reviewer"), unit(ctx, "ZCZ"))


def test_bad_queries(demo):
    ctx = demo
    with pytest.raises(NotFound):
        supervision.cases(ctx, SUP(ctx), 999999)
    with pytest.raises(ValidationError):
        supervision.cases(ctx, SUP(ctx), unit(ctx, "LZXQ"), level="orange")
    with pytest.raises(ValidationError):
        supervision.cases(ctx, SUP(ctx), unit(ctx, "LZXQ"), tier="county")
    with pytest.raises(ValidationError):
        supervision.steps(ctx, SUP(ctx), unit(ctx, "LZXQ"), limit=0)
