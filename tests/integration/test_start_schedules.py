"""Timer start events start new cases (docs/camunda-bpmn.md#timer-start-events), on both
databases: a deployed schedule starts nothing until activated with a window; then one case per due
time, exactly once even when two workers reach it; missed times start one case, not a burst; a
new version replaces the old version's schedule; bad input is refused and writes nothing.

T0 is Friday 27 November 2026, 09:00 Beijing time (01:00 UTC). site_inspection v1 starts every
hour from 10:00 Beijing time; v2 at 09:00 on working days (Quartz cron)."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from engine.bpmn.parser import SourceFile
from engine.config import Settings
from engine.domain.actor import Actor
from engine.domain.errors import Conflict, DeployError, Forbidden, NotFound, ValidationError
from engine.services import cases, definitions, start_schedules
from engine.services.context import Context
from engine.store import tables as t
from tests.conftest import row_counts, staff, window_id
from tests.integration.helpers import FIXTURES, add_item, at_once, deploy_files

V1 = FIXTURES / "schedule" / "inspection_hourly.bpmn"
V2 = FIXTURES / "schedule" / "inspection_workdays.bpmn"
KEY = "site_inspection"
UTC = timezone.utc


@pytest.fixture
def scheduled(demo):
    result = deploy_files(demo, V1)
    add_item(demo, "TEST-INSPECT", KEY)
    return demo, result


def admin(ctx):
    return staff(ctx, "admin")


def activate(ctx, window="XCZ-W01", who="designer"):
    return start_schedules.set_schedule(ctx, staff(ctx, who), KEY, True, window_id(ctx, window))


def started_cases(ctx):
    with ctx.uow.read() as tx:
        return tx.conn.execute(select(t.case.c.id, t.case.c.definition_id, t.case.c.applicant_name,
                                      t.case.c.origin_window_id, t.case.c.created_by)
                               .order_by(t.case.c.id)).all()


def test_deploying_warns_that_the_schedule_is_inactive_and_it_starts_nothing(scheduled, clock):
    ctx, result = scheduled
    [warning] = [w for w in result.warnings if w.code == "timer_start_inactive"]
    assert warning.element == "every_hour" and "start-schedule" in warning.message
    view = start_schedules.get_schedule(ctx, admin(ctx), KEY)
    assert (view["status"], view["active"], view["next_due_at"]) == ("inactive", False, None)
    assert view["timer"] == {"kind": "cycle", "text": "R/2026-11-27T10:00:00/PT1H"}
    clock.advance(timedelta(hours=5))
    assert start_schedules.fire_due(ctx) == 0
    assert started_cases(ctx) == []
    # the dry run warns as the deployment does
    source = V1.read_bytes().replace(b"PT1H", b"PT2H")
    dry = definitions.deploy(ctx, [SourceFile(V1.name, source)], Actor.system("test"), dry_run=True)
    assert [w.code for w in dry.warnings] == ["timer_start_inactive"]


def test_a_timer_start_beside_another_start_event_is_refused(demo):
    source = V1.read_bytes().replace(b'<bpmn:userTask id="inspect"',
                                     b'<bpmn:startEvent id="by_clerk"/><bpmn:userTask id="inspect"')
    with pytest.raises(DeployError) as err:
        definitions.deploy(demo, [SourceFile(V1.name, source)], Actor.system("test"))
    assert [(p.code, p.element) for p in err.value.problems] == [("timer_start_not_alone", "every_hour")]


def test_an_active_schedule_starts_one_case_per_due_time(scheduled, clock):
    ctx, _ = scheduled
    view = activate(ctx)
    assert view["active"] and view["next_due_at"] == datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    assert start_schedules.fire_due(ctx) == 0                          # 09:00: not yet
    clock.advance(timedelta(hours=1, seconds=1))                       # 10:00:01 Beijing
    assert start_schedules.fire_due(ctx) == 1
    assert start_schedules.fire_due(ctx) == 0                          # exactly once
    clock.advance(timedelta(hours=1))
    assert start_schedules.fire_due(ctx) == 1
    rows = started_cases(ctx)
    assert len(rows) == 2
    assert {r.applicant_name for r in rows} == {"系统（定时启动）"}
    assert {r.origin_window_id for r in rows} == {window_id(ctx, "XCZ-W01")}
    assert all(r.created_by.startswith("system:schedule:") for r in rows)
    # a case like any other: its first step open at the township, readable by the receiving clerk
    case = cases.get_case(ctx, rows[0].id, staff(ctx, "xcz_receiver"))
    assert (case.status, case.item_code, case.applicant_name) == ("running", "TEST-INSPECT", "系统（定时启动）")
    with ctx.uow.read() as tx:
        open_steps = tx.conn.execute(select(t.task.c.spec_id).where(t.task.c.case_id == rows[0].id,
                                                                     t.task.c.state == "open")).scalars().all()
    assert open_steps == ["inspect"]
    view = start_schedules.get_schedule(ctx, admin(ctx), KEY)
    assert [r["case_id"] for r in view["runs"]] == [rows[1].id, rows[0].id]
    assert view["next_due_at"] == datetime(2026, 11, 27, 4, 0, tzinfo=UTC)


def test_missed_times_start_one_case_not_a_burst(scheduled, clock):
    ctx, _ = scheduled
    activate(ctx)
    clock.advance(timedelta(hours=5, minutes=30))                      # 14:30: 10, 11, 12, 13, 14 missed
    assert start_schedules.fire_due(ctx) == 1
    assert start_schedules.fire_due(ctx) == 0
    view = start_schedules.get_schedule(ctx, admin(ctx), KEY)
    assert [r["due_at"] for r in view["runs"]] == [datetime(2026, 11, 27, 2, 0, tzinfo=UTC)]
    assert view["next_due_at"] == datetime(2026, 11, 27, 7, 0, tzinfo=UTC)   # 15:00 Beijing
    assert len(started_cases(ctx)) == 1


def test_two_workers_that_read_the_same_due_time_start_one_case(scheduled, clock):
    ctx, _ = scheduled
    activate(ctx)
    clock.advance(timedelta(hours=1, seconds=1))
    with ctx.uow.read() as tx:
        [(schedule_id, due)] = tx.start_schedules.due(clock.now(), 10)
    due = due.astimezone(UTC)
    assert start_schedules.fire_one(ctx, schedule_id, due, "worker-a") == 1
    assert start_schedules.fire_one(ctx, schedule_id, due, "worker-b") == 0     # read before a's commit
    assert len(started_cases(ctx)) == 1
    # the second guard: the (schedule, due time) key refuses a second run row outright
    with pytest.raises(Conflict) as err:
        with ctx.uow.begin() as tx:
            tx.start_schedules.record_run(schedule_id, due, "worker-c", clock.now())
    assert err.value.code == "start_schedule_taken"


def test_workers_sweeping_at_once_start_one_case(scheduled, clock, db_url):
    ctx, _ = scheduled
    if ctx.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer: nothing runs at the same moment")
    activate(ctx)
    clock.advance(timedelta(hours=1, seconds=1))
    workers = [Context.create(Settings(database_url=db_url), clock=ctx.clock) for _ in range(4)]
    counts, errors = at_once(start_schedules.fire_due, [(c, f"w{i}") for i, c in enumerate(workers)])
    for c in workers:
        c.dispose()
    assert errors == [] and sorted(counts) == [0, 0, 0, 1]
    assert len(started_cases(ctx)) == 1


def test_a_new_version_replaces_the_schedule(scheduled, clock):
    ctx, first = scheduled
    activate(ctx)
    second = deploy_files(ctx, V2)
    assert {w.code for w in second.warnings} == {"timer_start_inactive", "timer_start_replaced"}
    clock.advance(timedelta(hours=1, seconds=1))
    assert start_schedules.fire_due(ctx) == 0                          # v1's schedule is gone, v2 inactive
    view = start_schedules.get_schedule(ctx, admin(ctx), KEY)
    assert (view["definition_id"], view["status"]) == (second.processes[0].definition_id, "inactive")
    assert view["timer"] == {"kind": "cron", "text": "0 0 9 ? * MON-FRI"}
    view = activate(ctx)
    assert view["next_due_at"] == datetime(2026, 11, 30, 1, 0, tzinfo=UTC)   # Monday 09:00 Beijing
    clock.advance(timedelta(days=3))
    assert start_schedules.fire_due(ctx) == 1
    [case] = started_cases(ctx)
    assert case.definition_id == second.processes[0].definition_id != first.processes[0].definition_id
    # deploying the same file again changes nothing, the active schedule stays
    again = deploy_files(ctx, V2)
    assert again.processes[0].created is False
    assert start_schedules.get_schedule(ctx, admin(ctx), KEY)["status"] == "active"


def test_deactivating_stops_it(scheduled, clock):
    ctx, _ = scheduled
    activate(ctx)
    view = start_schedules.set_schedule(ctx, admin(ctx), KEY, False)
    assert (view["status"], view["next_due_at"]) == ("inactive", None)
    clock.advance(timedelta(hours=3))
    assert start_schedules.fire_due(ctx) == 0


def test_bad_activations_are_refused_and_write_nothing(scheduled, clock):
    ctx, _ = scheduled
    before = row_counts(ctx)
    set_ = start_schedules.set_schedule
    with pytest.raises(ValidationError) as err:
        set_(ctx, staff(ctx, "designer"), KEY, True, None)
    assert (err.value.code, err.value.field) == ("start_schedule_window_required", "window_id")
    with pytest.raises(NotFound) as err:
        set_(ctx, staff(ctx, "designer"), KEY, True, 999999)
    assert (err.value.code, err.value.field) == ("window_not_found", "window_id")
    with pytest.raises(NotFound) as err:
        set_(ctx, staff(ctx, "designer"), "no_such_process", True, window_id(ctx, "XCZ-W01"))
    assert (err.value.code, err.value.field) == ("start_schedule_not_found", "key")
    with pytest.raises(ValidationError) as err:
        set_(ctx, staff(ctx, "designer"), KEY, True, window_id(ctx, "XCZ-W01"), item_code="NOT-THIS")
    assert (err.value.code, err.value.field) == ("item_not_of_process", "item_code")
    with pytest.raises(Forbidden) as err:
        set_(ctx, staff(ctx, "xcz_receiver"), KEY, True, window_id(ctx, "XCZ-W01"))
    assert err.value.code == "role_required"
    assert row_counts(ctx) == before


def test_a_process_without_a_published_item_cannot_be_activated(demo):
    deploy_files(demo, V1)
    with pytest.raises(ValidationError) as err:
        start_schedules.set_schedule(demo, admin(demo), KEY, True, window_id(demo, "XCZ-W01"))
    assert (err.value.code, err.value.field) == ("process_not_offered", "item_code")


def test_a_date_already_past_is_refused(demo, clock):
    source = V1.read_bytes().replace(b"<bpmn:timeCycle xsi:type=\"bpmn:tFormalExpression\">R/2026-11-27T10:00:00/PT1H"
                                     b"</bpmn:timeCycle>", b"<bpmn:timeDate>2026-11-27T08:00:00</bpmn:timeDate>")
    definitions.deploy(demo, [SourceFile("past.bpmn", source)], Actor.system("test"))
    add_item(demo, "TEST-INSPECT", KEY)
    with pytest.raises(ValidationError) as err:
        start_schedules.set_schedule(demo, admin(demo), KEY, True, window_id(demo, "XCZ-W01"))
    assert (err.value.code, err.value.field) == ("start_schedule_ended", "active")


def test_a_start_that_fails_is_recorded_once_and_the_schedule_goes_on(scheduled, clock):
    """The item is retired after the activation: the due time is taken with the error (no retry
    every sweep), the next time is kept."""
    ctx, _ = scheduled
    activate(ctx)
    with ctx.uow.begin() as tx:
        tx.conn.execute(t.item_implementation.update().where(t.item_implementation.c.code == "TEST-INSPECT")
                        .values(status="retired"))
    clock.advance(timedelta(hours=1, seconds=1))
    assert start_schedules.fire_due(ctx) == 0
    assert start_schedules.fire_due(ctx) == 0
    view = start_schedules.get_schedule(ctx, admin(ctx), KEY)
    assert view["last_error"].startswith("item_not_found")
    assert [(r["case_id"], r["error"][:14]) for r in view["runs"]] == [(None, "item_not_found")]
    assert view["next_due_at"] == datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
    assert started_cases(ctx) == []


def test_the_schedule_offers_the_items_that_run_it_with_the_windows_that_receive_them(scheduled):
    """What the studio's activation form offers (GET choices): the published items of the process,
    each with the windows a case of it may start at; activating with one of them works."""
    ctx, _ = scheduled
    view = start_schedules.get_schedule(ctx, admin(ctx), KEY)
    [choice] = view["choices"]
    assert choice["code"] == "TEST-INSPECT"
    offered = {w["code"] for w in choice["windows"]}
    assert "XCZ-W01" in offered
    assert all(w["unit_name"] and w["tier"] for w in choice["windows"])
    window = next(w for w in choice["windows"] if w["code"] == "XCZ-W01")
    assert start_schedules.set_schedule(ctx, staff(ctx, "designer"), KEY, True, window["id"])["active"]
