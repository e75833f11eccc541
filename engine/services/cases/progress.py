"""What every command that moves a case shares: lock the case row, load its workflow (from
the cache when its version matches), and after the engine ran, write the consequences in the
same transaction — task projection, timers, status, audit events, and the new state with
version + 1. Statements are prebuilt with bind parameters: this is the hot path."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

from sqlalchemy import bindparam, update

from engine.bpmn.timers import is_literal, literal_due, parse_due
from engine.domain import deadlines as dl
from engine.domain.actor import Actor
from engine.domain.case import LoadedCase
from engine.domain.clock import as_utc
from engine.domain.errors import Conflict
from engine.domain.org import parse_target
from engine.services import calendar, definitions
from engine.services.accounts import org
from engine.services.time_limits import sla_clock
from engine.store import tables as t
from engine.store.fast import FastWrite
from engine.store.uow import Transaction

_CANCEL_TASK = FastWrite(update(t.task).where(t.task.c.id == bindparam("tid"), t.task.c.state == "open")
                          .values(state="cancelled", completed_at=bindparam("now")))
_INSERT_TASK = FastWrite(t.task.insert())
_INSERT_TIMER = FastWrite(t.timer.insert())
_CLOSE_TIMER = FastWrite(update(t.timer).where(
    t.timer.c.case_id == bindparam("cid"), t.timer.c.kind == "bpmn", t.timer.c.ref == bindparam("b_ref"),
    t.timer.c.due_at == bindparam("due"), t.timer.c.state == "pending")
    .values(state=bindparam("new_state"), fired_at=bindparam("fired_at")))
_SAVE_VALUES = dict(state=bindparam("b_state"), version=bindparam("new_version"), stage=bindparam("new_stage"),
                    updated_at=bindparam("now"), audit_seq=bindparam("seq"), audit_head=bindparam("head"),
                    next_timer_at=bindparam("next_timer"), completed_at=bindparam("done_at"))
_SAVE_WHERE = (t.case.c.id == bindparam("cid"), t.case.c.version == bindparam("expected"))
# SQLite rewrites the entries of every index on an assigned column, changed or not: `status` is
# in three indexes, so it is assigned only by the save that changes it (two WAL pages less per step)
_SAVE_CASE = FastWrite(update(t.case).where(*_SAVE_WHERE).values(**_SAVE_VALUES))
_SAVE_CASE_AND_STATUS = FastWrite(update(t.case).where(*_SAVE_WHERE)
                                  .values(**_SAVE_VALUES, status=bindparam("new_status")))
# the save that ends the case also stops its clock: one write of the (large) case row, not two
_SAVE_CASE_ENDED = FastWrite(update(t.case).where(*_SAVE_WHERE)
                             .values(**_SAVE_VALUES, status=bindparam("new_status"), clock_status="stopped"))


def load_workflow(ctx, tx: Transaction, case: LoadedCase) -> None:
    definitions.load(ctx, tx, case.definition_id)
    wf = ctx.caches.workflows.checkout(case.id, case.version)
    projected = getattr(wf, "lianban_projection", None) if wf is not None else None
    if wf is None:
        wf = ctx.runtime.loads(tx.cases.state(case.id))
    case.workflow = wf
    if projected is not None:
        # what the last save projected from this very workflow object: no need to scan again
        case.open_before, case.timers_before = dict(projected[0]), dict(projected[1])
    else:
        case.open_before = {rt.id: rt for rt in ctx.runtime.ready_user_tasks(wf)}
        case.timers_before = {tid: (el, due) for tid, el, due in ctx.runtime.waiting_timers(wf)}


def save(ctx, tx: Transaction, case: LoadedCase, actor: Actor, now: datetime, *,
         completed_task: Optional[str] = None) -> int:
    """Project the workflow after the engine ran; returns the new case version."""
    runtime = ctx.runtime
    wf = case.workflow
    loaded = definitions.load(ctx, tx, case.definition_id)
    ready = {rt.id: rt for rt in runtime.ready_user_tasks(wf)}

    cancelled = [tid for tid in case.open_before if tid not in ready and tid != completed_task]
    if cancelled:
        _CANCEL_TASK.execute(tx, [{"tid": tid, "now": now} for tid in cancelled])
        sla_clock.cancel_step_timers(tx, cancelled)
        for tid in cancelled:
            case.audit.add("task_cancelled", actor, now, {"task": tid, "element": case.open_before[tid].spec_id})
    new_rows = _new_task_rows(ctx, tx, case, loaded, ready, actor, now)
    if new_rows:
        _INSERT_TASK.execute(tx, new_rows)
        step_timers = [row for r in new_rows if r["due_at"] is not None
                       for row in sla_clock.step_timer_rows(ctx, calendar.current(ctx, tx), case.id, r["id"], r["due_at"], now)]
        if step_timers:
            _INSERT_TIMER.execute(tx, step_timers)
    case.new_tasks = [row["id"] for row in new_rows]

    timers_after = {tid: (el, due) for tid, el, due in runtime.waiting_timers(wf)}
    _sync_timers(tx, case, timers_after, actor, now)

    ended = runtime.is_completed(wf) and case.status == "running"
    if ended:
        case.status, case.completed_at = "completed", now
        case.audit.add("case_completed", actor, now, {})
        sla_clock.on_case_closed(tx, case.id, clock_stopped_by_caller=True)
    case.stage = _stage(loaded, ready) or case.stage

    values = {
        "cid": case.id, "expected": case.version, "b_state": runtime.dumps(wf), "new_version": case.version + 1,
        "new_stage": case.stage, "now": now, "seq": case.audit.seq, "head": case.audit.head,
        "next_timer": min((due for _, due in timers_after.values()), default=None), "done_at": case.completed_at}
    if ended:
        changed = _SAVE_CASE_ENDED.execute(tx, {**values, "new_status": case.status})
    elif case.status != case.stored_status:
        changed = _SAVE_CASE_AND_STATUS.execute(tx, {**values, "new_status": case.status})
    else:
        changed = _SAVE_CASE.execute(tx, values)
    if changed != 1:
        raise Conflict(f"case {case.number} was changed by someone else; reload and retry",
                       code="case_version_conflict")
    tx.cases.write_events(case)
    case.version += 1
    case.stored_status = case.status
    version = case.version
    wf.lianban_projection = (ready, timers_after)
    tx.after_commit(lambda: ctx.caches.workflows.put(case.id, version, wf))
    return version


def _new_task_rows(ctx, tx, case, loaded, ready, actor, now) -> list[dict]:
    rows = []
    directory = org.directory(ctx, tx)
    for tid, rt in ready.items():
        if tid in case.open_before:
            continue
        meta = loaded.user_tasks.get((rt.process, rt.spec_id))
        groups = (meta.candidate_groups if meta else []) or ([rt.lane] if rt.lane else [])
        route = directory.route(parse_target(groups[0]), case.origin_org_unit_id)
        rows.append({"id": tid, "case_id": case.id, "spec_id": rt.spec_id, "process_key": rt.process,
                     "name": rt.name, "state": "open", "candidate_groups": ",".join(groups)[:255],
                     "routed_org_unit_id": route.org_unit_id, "routed_department_id": route.department_id,
                     "routed_role": route.role, "routing_error": route.error, "assignee_id": None,
                     "form_key": meta.form_key if meta else None, "stage": meta.stage if meta else None,
                     "due_at": _due_at(ctx, tx, meta, route.role, case.workflow, now), "created_at": now, "claimed_at": None,
                     "completed_at": None, "completed_by": None, "outcome": None})
        payload = {"task": tid, "element": rt.spec_id, "name": rt.name, "route": groups[0]}
        if route.error:
            payload["routing_error"] = route.error
            case.audit.add("task_routing_failed", actor, now, payload)
        else:
            case.audit.add("task_created", actor, now, payload)
    return rows


def _stage(loaded, ready) -> Optional[str]:
    for rt in ready.values():
        meta = loaded.user_tasks.get((rt.process, rt.spec_id))
        if meta and meta.stage:
            return meta.stage
    return None


def _sync_timers(tx: Transaction, case: LoadedCase, after: dict, actor: Actor, now: datetime) -> None:
    """Timer rows follow the workflow's waiting timers, keyed by (catching task, due time) so a
    cycle timer's next occurrence is a new row. A timer that left the workflow fired if it was
    due, else it was cancelled (its task completed, or the process moved on)."""
    before = {(tid, due): el for tid, (el, due) in case.timers_before.items()}
    current = {(tid, due): el for tid, (el, due) in after.items()}
    closed = []
    for (tid, due), el in before.items():
        if (tid, due) in current:
            continue
        fired = due <= now
        closed.append({"cid": case.id, "b_ref": tid, "due": due, "new_state": "fired" if fired else "cancelled",
                       "fired_at": now if fired else None})
        if fired:
            case.audit.add("timer_fired", actor, now, {"timer": tid, "element": el, "due_at": due.isoformat()})
    if closed:
        _CLOSE_TIMER.execute(tx, closed)
    added = [(tid, due, el) for (tid, due), el in current.items() if (tid, due) not in before]
    if added:
        _INSERT_TIMER.execute(tx, [{"case_id": case.id, "kind": "bpmn", "ref": tid, "element": el, "due_at": due,
                                      "state": "pending", "attempts": 0, "last_error": None, "retry_at": None,
                                      "locked_by": None, "fired_at": None, "created_at": now}
                                     for tid, due, el in added])
        for tid, due, el in added:
            case.audit.add("timer_scheduled", actor, now, {"timer": tid, "element": el, "due_at": due.isoformat()})


def _due_at(ctx, tx, meta, role: str, wf, now: datetime) -> Optional[datetime]:
    """Step deadline from the model's due date (an ISO duration from now, an ISO date, or an
    expression such as workdays(5) evaluated in the sandbox), else the role's default in working
    days from the settings. A bad expression leaves the task without a deadline rather than
    failing the case."""
    text = (meta.due_date or "").strip() if meta else ""
    if not text:
        days = ctx.settings.step_workdays().get(role)
        if not days:
            return None
        cal = calendar.current(ctx, tx)
        return dl.due_instant(cal.add_workdays(dl.local_date(now), days)).astimezone(timezone.utc)
    try:
        if is_literal(text):
            return literal_due(text, now)
        value = ctx.runtime.evaluate(text, ctx.runtime.data(wf), clock=ctx.clock, calendar=calendar.current(ctx, tx),
                                     convention=ctx.settings.start_day_convention)
        if isinstance(value, datetime):
            return as_utc(value)
        return parse_due(str(value)) if value else None
    except Exception:  # noqa: BLE001 - a model's optional deadline must never break a case
        return None
