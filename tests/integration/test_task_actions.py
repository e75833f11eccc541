"""Delegating a task, returning a case to the previous step, withdrawing a case."""
import pytest
from sqlalchemy import select

from engine.domain.errors import Conflict, Forbidden, NotFound, ValidationError
from engine.services import cases, tasks
from engine.services.accounts.org import add_post, add_staff, invalidate
from engine.services.time_limits import timers
from engine.store.models import Task, Timer, Window
from tests.conftest import snapshot, staff
from tests.form_samples import task_data
from tests.integration.test_case_flow import only_task, start_food


def colleague(ctx, username, window_code, role):
    with ctx.uow.begin() as conn:
        win = conn.conn.execute(select(Window.id).where(Window.code == window_code)).scalar_one()
        add_post(conn, add_staff(conn, username, username), win, role)
    invalidate(ctx)
    return staff(ctx, username)


def test_delegate_to_a_colleague_in_the_same_queue(demo):
    ctx = demo
    start_food(ctx)
    helper = colleague(ctx, "zcz_qs_agent2", "ZCZ-QS-W01", "agent")
    task = only_task(ctx, "zcz_qs_agent")
    with pytest.raises(Forbidden) as err:
        tasks.delegate(ctx, task.id, "qcz_mjp_agent", staff(ctx, "zcz_qs_agent"))
    assert err.value.code == "delegate_not_eligible"
    with pytest.raises(NotFound):
        tasks.delegate(ctx, task.id, "nobody", staff(ctx, "zcz_qs_agent"))
    assert tasks.delegate(ctx, task.id, "zcz_qs_agent2", staff(ctx, "zcz_qs_agent")).assignee_id == helper.staff_id
    with pytest.raises(Forbidden):                      # now it is hers
        tasks.complete(ctx, task.id, task_data(ctx, task.id), staff(ctx, "zcz_qs_agent"))
    tasks.complete(ctx, task.id, task_data(ctx, task.id), helper)


def test_return_to_the_previous_step_reopens_it_for_its_author(demo):
    ctx = demo
    start_food(ctx)
    agent, reviewer = staff(ctx, "zcz_qs_agent"), staff(ctx, "zcz_reviewer")
    intake = only_task(ctx, "zcz_qs_agent")
    tasks.complete(ctx, intake.id, task_data(ctx, intake.id, **{"note": "收件"}), agent)
    review = only_task(ctx, "zcz_reviewer")
    with pytest.raises(ValidationError):
        tasks.return_to_previous(ctx, review.id, " ", reviewer)
    done = tasks.return_to_previous(ctx, review.id, "委托书缺签字", reviewer)
    assert done.next_tasks == (intake.id,)
    reopened = only_task(ctx, "zcz_qs_agent")
    assert reopened.id == intake.id and reopened.assignee_id == agent.staff_id
    assert tasks.inbox(ctx, reviewer) == []
    with ctx.uow.read() as conn:
        states = dict(conn.conn.execute(select(Task.id, Task.state)).all())
        pending = conn.conn.execute(select(Timer.element).where(Timer.state == "pending", Timer.kind == "bpmn")).all()
    assert states[review.id] == "cancelled" and pending == []
    tasks.complete(ctx, intake.id, task_data(ctx, intake.id, **{"note": "已补签字"}), agent)
    again = only_task(ctx, "zcz_reviewer")
    assert again.id != review.id


def test_nothing_to_return_to_on_the_first_step(demo):
    ctx = demo
    start_food(ctx)
    task = only_task(ctx, "zcz_qs_agent")
    before = snapshot(ctx)
    with pytest.raises(Conflict) as err:
        tasks.return_to_previous(ctx, task.id, "退回", staff(ctx, "zcz_qs_agent"))
    assert err.value.code == "no_previous_step"
    assert snapshot(ctx) == before


def test_withdraw_closes_tasks_timers_and_the_clock(demo, clock):
    ctx = demo
    case_id = start_food(ctx).case_id
    agent = staff(ctx, "zcz_qs_agent")
    with pytest.raises(Forbidden):
        cases.withdraw(ctx, case_id, "申请人撤回", staff(ctx, "qcz_mjp_agent"))
    cases.withdraw(ctx, case_id, "申请人撤回", agent)
    view = cases.get_case(ctx, case_id, staff(ctx, "zcz_qs_agent"))
    assert (view.status, view.clock_status) == ("withdrawn", "stopped")
    assert tasks.inbox(ctx, agent) == []
    with ctx.uow.read() as conn:
        assert conn.conn.execute(select(Timer.id).where(Timer.state == "pending")).first() is None
    with pytest.raises(Conflict):
        cases.withdraw(ctx, case_id, "again", agent)
    from datetime import timedelta
    clock.advance(timedelta(days=30))
    assert timers.fire_due(ctx) == 0
