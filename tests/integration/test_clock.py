"""The legal clock on real cases, SQLite and PostgreSQL: acceptance starts it, cards fire once,
pauses and the one extension move it, a late correction notice deems the case accepted, and a
new calendar notice recomputes open deadlines with an audit trail."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from engine.domain import calendar_notices
from engine.domain.clock import SHANGHAI, as_utc
from engine.domain.errors import Conflict, Forbidden, ValidationError
from engine.services import cases, tasks, time_limits
from engine.services import time_limits as case_clock
from engine.services.time_limits import timers
from engine.store.models import Case, Event, Task, Timer
from tests.conftest import ROOT, snapshot, staff, window_id
from tests.form_samples import task_data
from tests.integration.helpers import FIXTURES, add_item, deploy_files
from tests.integration.test_case_flow import only_task, start_food


def bj(y, m, d, hh=0, mm=0, ss=0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=SHANGHAI)


def case_row(ctx, case_id):
    with ctx.uow.read() as conn:
        return conn.conn.execute(select(Case.__table__).where(Case.id == case_id)).one()


def events(ctx, case_id, type_=None):
    with ctx.uow.read() as conn:
        q = select(Event.type, Event.payload).where(Event.case_id == case_id).order_by(Event.seq)
        rows = conn.conn.execute(q).all()
    return [r for r in rows if type_ is None or r.type == type_]


def accept_food(ctx):
    """Village intake → township pre-review → district acceptance (the task's stage is `accepted`)."""
    started = start_food(ctx)
    walk_to_acceptance(ctx)
    return started.case_id


def walk_to_acceptance(ctx) -> None:
    """Complete the started case's intake, pre-review and acceptance tasks."""
    intake = only_task(ctx, "zcz_qs_agent")
    tasks.complete(ctx, intake.id, task_data(ctx, intake.id), staff(ctx, "zcz_qs_agent"))
    pre_review = only_task(ctx, "zcz_reviewer")
    tasks.complete(ctx, pre_review.id, task_data(ctx, pre_review.id, **{"complete": True}), staff(ctx, "zcz_reviewer"))
    acceptance = only_task(ctx, "lzxq_receiver")
    tasks.complete(ctx, acceptance.id, task_data(ctx, acceptance.id), staff(ctx, "lzxq_receiver"))


def test_receipt_sets_the_correction_notice_deadline(demo):
    ctx = demo                                    # T0 = Friday 2026-11-27 09:00 Beijing
    case_id = start_food(ctx).case_id
    row = case_row(ctx, case_id)
    assert row.clock_status == "pre_acceptance" and row.promise_due is None
    assert as_utc(row.acceptance_due) == bj(2026, 12, 5)           # 5 working days: Fri 12-04, day ends
    assert (row.legal_limit, row.promise_limit, row.convention) == (20, 10, "exclude_start")


def test_acceptance_by_the_accepting_stage_starts_the_clock(demo):
    ctx = demo
    case_id = accept_food(ctx)
    row = case_row(ctx, case_id)
    assert row.clock_status == "running" and not row.deemed_accepted
    # accepted Fri 2026-11-27: promise 10 working days → Fri 12-11; legal 20 → Fri 12-25
    assert as_utc(row.promise_due) == bj(2026, 12, 12) and as_utc(row.legal_due) == bj(2026, 12, 26)
    assert not row.deadline_provisional
    with ctx.uow.read() as conn:
        pending = conn.conn.execute(select(Timer.kind, Timer.due_at).where(Timer.case_id == case_id,
                                                                      Timer.state == "pending")).all()
    kinds = {k: as_utc(d) for k, d in pending}
    assert kinds["case_yellow"] == bj(2026, 12, 11) and kinds["case_red"] == bj(2026, 12, 12)
    assert "acceptance_due" not in kinds
    assert [e.type for e in events(ctx, case_id, "case_accepted")] == ["case_accepted"]


def test_yellow_then_red_fire_exactly_once(demo, clock):
    ctx = demo
    case_id = accept_food(ctx)
    clock.set(bj(2026, 12, 10, 23, 59))
    timers.fire_due(ctx)
    assert case_row(ctx, case_id).warning == "none"
    clock.set(bj(2026, 12, 11, 0, 0, 1))
    timers.fire_due(ctx)
    timers.fire_due(ctx)
    assert case_row(ctx, case_id).warning == "yellow"
    clock.set(bj(2026, 12, 12, 0, 0, 1))
    timers.fire_due(ctx)
    timers.fire_due(ctx)
    assert case_row(ctx, case_id).warning == "red"
    assert [e.type for e in events(ctx, case_id) if e.type.startswith("warning_")] == ["warning_yellow", "warning_red"]


def test_no_correction_notice_in_time_deems_the_case_accepted_at_receipt(demo, clock):
    ctx = demo
    case_id = start_food(ctx).case_id
    clock.set(bj(2026, 12, 5, 0, 0, 1))
    timers.fire_due(ctx)
    row = case_row(ctx, case_id)
    assert row.deemed_accepted and row.clock_status == "running" and row.warning == "red"
    assert as_utc(row.accepted_at) == as_utc(row.created_at)
    assert len(events(ctx, case_id, "case_deemed_accepted")) == 1
    # the stage-driven acceptance later does not accept again
    walk_to_acceptance(ctx)
    assert len(events(ctx, case_id, "case_accepted")) == 0


def test_a_correction_notice_in_time_prevents_deemed_acceptance(demo, clock):
    ctx = demo
    case_id = start_food(ctx).case_id
    with pytest.raises(ValidationError):
        case_clock.notify_correction(ctx, case_id, " ", staff(ctx, "zcz_qs_agent"))
    case_clock.notify_correction(ctx, case_id, "请补充营业执照副本、健康证明", staff(ctx, "zcz_qs_agent"))
    clock.set(bj(2026, 12, 20))
    timers.fire_due(ctx)
    row = case_row(ctx, case_id)
    assert row.clock_status == "pre_acceptance" and not row.deemed_accepted
    assert events(ctx, case_id, "correction_notified")[0].payload["in_time"] is True


def test_pause_for_a_special_procedure_and_resume_moves_the_deadline(demo, clock):
    ctx = demo
    case_id = accept_food(ctx)
    head = staff(ctx, "lzxq_market_approver")
    clock.set(bj(2026, 12, 1, 10))                                    # Tuesday
    case_clock.pause(ctx, case_id, "special_procedure", "申请人要求听证", "听证告知书（2026）第1号", head,
                     procedure="hearing")
    paused = case_row(ctx, case_id)
    assert paused.clock_status == "paused"
    clock.set(bj(2026, 12, 4, 9))                                     # Friday: Tue, Wed, Thu did not count
    case_clock.resume(ctx, case_id, head, result="听证结束")
    row = case_row(ctx, case_id)
    assert row.clock_status == "running"
    assert as_utc(row.promise_due) == bj(2026, 12, 17)                # 12-11 + 3 working days = Wed 12-16
    changed = events(ctx, case_id, "deadlines_changed")[-1].payload
    assert changed["old"]["promise_due"] == bj(2026, 12, 12).astimezone(timezone.utc).isoformat()
    assert changed["new"]["promise_due"] == bj(2026, 12, 17).astimezone(timezone.utc).isoformat()


@pytest.mark.parametrize("kwargs, code", [
    ({"kind": "nap", "reason": "r", "notice": "n"}, "pause_kind_unknown"),
    ({"kind": "special_procedure", "reason": "r", "notice": "n"}, "special_procedure_unknown"),
    ({"kind": "supplement", "reason": "", "notice": "n"}, "pause_reason_required"),
    ({"kind": "hold", "reason": "r", "notice": " "}, "pause_notice_required"),
])
def test_bad_pauses_are_refused_and_write_nothing(demo, kwargs, code):
    ctx = demo
    case_id = accept_food(ctx)
    before = snapshot(ctx)
    with pytest.raises(ValidationError) as err:
        case_clock.pause(ctx, case_id, actor=staff(ctx, "lzxq_market_approver"), **kwargs)
    assert err.value.code == code
    assert snapshot(ctx) == before


def test_pause_and_resume_need_the_right_clock_state(demo):
    ctx = demo
    case_id = start_food(ctx).case_id
    with pytest.raises(Forbidden):                                               # not routed to her yet
        case_clock.pause(ctx, case_id, "supplement", "缺材料", "补正通知", staff(ctx, "lzxq_market_approver"))
    actor = staff(ctx, "zcz_qs_agent")
    with pytest.raises(Conflict):
        case_clock.pause(ctx, case_id, "supplement", "缺材料", "补正通知", actor)     # not accepted yet
    with pytest.raises(Conflict):
        case_clock.resume(ctx, case_id, actor)


def test_one_extension_approved_by_a_head(demo):
    ctx = demo
    case_id = accept_food(ctx)
    with pytest.raises(Forbidden):
        case_clock.extend(ctx, case_id, "情况复杂", staff(ctx, "lzxq_market_approver"))
    before = snapshot(ctx)
    with pytest.raises(ValidationError):
        case_clock.extend(ctx, case_id, "情况复杂", staff(ctx, "lzxq_market_head"), amount=11)
    with pytest.raises(ValidationError):
        case_clock.extend(ctx, case_id, "", staff(ctx, "lzxq_market_head"))
    assert snapshot(ctx) == before
    case_clock.extend(ctx, case_id, "需现场核查，情况复杂", staff(ctx, "lzxq_market_head"))
    row = case_row(ctx, case_id)
    # +10 working days: promise Fri 12-11 → Fri 12-25; legal Fri 12-25 → Mon 2027-01-11 (provisional year)
    assert as_utc(row.promise_due) == bj(2026, 12, 26) and as_utc(row.legal_due) == bj(2027, 1, 12)
    assert row.deadline_provisional
    with pytest.raises(Conflict) as err:
        case_clock.extend(ctx, case_id, "再延一次", staff(ctx, "lzxq_market_head"))
    assert err.value.code == "extension_already_granted"


def test_step_deadline_raises_a_step_card_while_the_case_is_on_time(demo, clock):
    ctx = demo
    start_food(ctx)
    intake = only_task(ctx, "zcz_qs_agent")
    tasks.complete(ctx, intake.id, task_data(ctx, intake.id), staff(ctx, "zcz_qs_agent"))
    review = only_task(ctx, "zcz_reviewer")          # due P5D from Fri 09:00 → Wed 12-02 09:00
    assert review.due_at == bj(2026, 12, 2, 9)
    clock.set(bj(2026, 12, 2, 9, 0, 1))
    timers.fire_due(ctx)
    with ctx.uow.read() as conn:
        warning = conn.conn.execute(select(Task.warning).where(Task.id == review.id)).scalar_one()
    assert warning == "red"


def test_workdays_function_in_bpmn_uses_the_calendar(demo, clock):
    ctx = demo
    deploy_files(ctx, FIXTURES / "workdays_timer.bpmn")
    add_item(ctx, "TEST-WD", "workdays_timer")
    clock.set(bj(2026, 9, 30, 10))                    # Wednesday before National Day
    cases.start_case(ctx, cases.StartCase("TEST-WD", window_id(ctx, "ZCZ-W01"), {"name": "甲"}),
                     staff(ctx, "zcz_receiver"))
    with ctx.uow.read() as conn:
        due = conn.conn.execute(select(Timer.due_at).where(Timer.kind == "bpmn")).scalar_one()
    assert as_utc(due) == bj(2026, 10, 14)            # 5th working day: Tue 10-13 (10-10 is a make-up day)
    assert only_task(ctx, "zcz_reviewer").due_at == bj(2026, 10, 11)   # 3rd working day: Sat 10-10, day ends


def test_loading_an_official_notice_recomputes_open_deadlines_with_an_audit_trail(demo, clock):
    ctx = demo
    clock.set(bj(2027, 1, 20, 10))                    # 2027 is provisional before the notice
    case_id = accept_food(ctx)
    before = case_row(ctx, case_id)
    assert before.deadline_provisional
    # provisional: 10 working days from Wed 01-20 → Wed 02-03; 20 → Wed 02-17
    assert as_utc(before.legal_due) == bj(2027, 2, 18)
    notice = calendar_notices.parse_json((ROOT / "docs" / "examples" / "calendar-2027-hypothetical.json").read_bytes())
    from engine.domain.errors import Forbidden
    with pytest.raises(Forbidden):
        time_limits.load_notice(ctx, notice, staff(ctx, "lzxq_supervisor"))
    result = time_limits.load_notice(ctx, notice, staff(ctx, "admin"))
    assert result.recomputed >= 1 and result.changed >= 1
    after = case_row(ctx, case_id)
    assert not after.deadline_provisional
    # the notice adds Spring Festival 02-05..02-12 and make-up Sundays 02-14, 02-20: legal due moves later
    assert as_utc(after.legal_due) > as_utc(before.legal_due)
    change = events(ctx, case_id, "deadlines_changed")[-1].payload
    assert change["reason"] == "calendar 2027 loaded"
    assert change["old"]["legal_due"] == as_utc(before.legal_due).isoformat()
    assert change["new"]["legal_due"] == as_utc(after.legal_due).isoformat()
    with ctx.uow.read() as conn:
        assert conn.conn.execute(select(func.count()).select_from(Event)
                                 .where(Event.type == "calendar_loaded")).scalar() == 1


@pytest.mark.parametrize("content, code", [
    (b'{"year": 2027, "source": "x", "holidays": [{"date": "2028-01-01"}]}', "calendar_date_outside_year"),
    (b'{"year": 2027, "source": "x", "holidays": [{"date": "2027-01-01"}], "workdays": [{"date": "2027-01-04"}]}',
     "calendar_makeup_not_weekend"),
    (b'{"year": 2027, "source": "", "holidays": [{"date": "2027-01-01"}]}', "calendar_source_required"),
    (b'{"year": 2027, "source": "x", "holidays": [{"date": "2027-13-01"}]}', "calendar_date_invalid"),
    (b'not json', "calendar_file_invalid"),
    (b'{"year": "2027"}', "calendar_year_invalid"),
])
def test_bad_notices_are_refused(content, code):
    with pytest.raises(ValidationError) as err:
        calendar_notices.parse_json(content)
    assert err.value.code == code


def test_csv_notice():
    notice = calendar_notices.parse_csv("\ufeffdate,kind,name\n2027-01-01,holiday,元旦\n"
                                        "2027-02-14,workday,春节调休\n".encode(),
                                        "国办发明电〔2026〕X号")
    assert notice.year == 2027 and len(notice.holidays) == 1 and len(notice.workdays) == 1
    with pytest.raises(ValidationError) as err:
        calendar_notices.parse_csv(b"date,kind,name\n2027-01-01,vacation,x\n", "s")
    assert err.value.code == "calendar_kind_invalid" and err.value.field == "row 2.kind"


def test_cards_are_visible_on_the_case_and_its_tasks(demo, clock):
    ctx = demo
    case_id = accept_food(ctx)
    decide = only_task(ctx, "lzxq_market_approver")
    clock.set(bj(2026, 12, 12, 0, 0, 1))
    timers.fire_due(ctx)
    view = cases.get_case(ctx, case_id, staff(ctx, "zcz_qs_agent"))
    assert (view.warning, view.clock_status) == ("red", "running")
    assert view.promise_due == bj(2026, 12, 12)
    assert only_task(ctx, "lzxq_market_approver").warning == "red" and decide.warning == "none"


def test_a_notice_loaded_by_another_process_reaches_this_one_and_nothing_else_rebuilds_the_calendar(demo, clock):
    """The calendar a process keeps is asked for its newest version number once it is older than
    the snapshot's seconds: the same number keeps it (no second read of every day), a notice
    loaded elsewhere (a new version) is read."""
    from engine.config import Settings
    from engine.services.context import Context
    from engine.services import calendar as calendar_service

    ctx = demo
    held = ctx.caches.calendar
    with ctx.uow.begin() as tx:
        first = calendar_service.current(ctx, tx)
    held._read_at -= held.seconds + 1                 # as if the snapshot's seconds had passed
    with ctx.uow.begin() as tx:
        assert calendar_service.current(ctx, tx) is first       # asked, unchanged: kept
    assert held._read_at > 0 and held._value is first

    other = Context.create(Settings(database_url=ctx.settings.database_url), clock=clock)
    try:
        notice = calendar_notices.parse_json(
            (ROOT / "docs" / "examples" / "calendar-2027-hypothetical.json").read_bytes())
        time_limits.load_notice(other, notice, staff(other, "admin"))
    finally:
        other.dispose()
    with ctx.uow.begin() as tx:
        assert calendar_service.current(ctx, tx) is first       # still within its seconds
    held._read_at -= held.seconds + 1
    with ctx.uow.begin() as tx:
        loaded = calendar_service.current(ctx, tx)
    assert loaded is not first and loaded.version > first.version
    assert 2027 in loaded.official_years and 2027 not in first.official_years
