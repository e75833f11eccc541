"""What every command that moves a case shares: load its workflow (from the cache when its version
matches; the caller locked the case with tx.cases.lock), and after the engine ran, write the
consequences in the same transaction — task projection, step cards, BPMN timers, status, audit
events, and the new state with version + 1. This is the hot path: the repositories it calls run
prebuilt statements on the driver."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from engine.bpmn.timers import is_literal, literal_due, parse_due
from engine.domain import sla
from engine.domain.actor import Actor
from engine.domain.case import LoadedCase
from engine.domain.clock import as_utc
from engine.domain.errors import Conflict
from engine.domain.org import parse_target
from engine.services import calendar, definitions
from engine.services.accounts import org
from engine.store.uow import Transaction


def load_workflow(ctx, tx: Transaction, case: LoadedCase, state: Optional[str] = None) -> None:
    """The case's workflow, from the cache, else from `state` when the caller read it with the
    case's lock (one statement less), else from the case row."""
    definitions.load(ctx, tx, case.definition_id)
    wf = ctx.caches.workflows.checkout(case.id, case.version)
    projected = getattr(wf, "lianban_projection", None) if wf is not None else None
    if wf is None:
        wf = ctx.runtime.loads(state if state is not None else tx.cases.state(case.id))
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
        tx.tasks.cancel(cancelled, now)
        tx.timers.cancel_step_cards(cancelled)
        for tid in cancelled:
            case.audit.add("task_cancelled", actor, now, {"task": tid, "element": case.open_before[tid].spec_id})
    new_rows = _new_task_rows(ctx, tx, case, loaded, ready, actor, now)
    if new_rows:
        tx.tasks.open_many(new_rows)
        _schedule_step_cards(ctx, tx, case, new_rows, now)
    case.new_tasks = [row["id"] for row in new_rows]

    timers_after = {tid: (el, due) for tid, el, due in runtime.waiting_timers(wf)}
    _sync_timers(tx, case, timers_after, actor, now)

    ended = runtime.is_completed(wf) and case.status == "running"
    if ended:
        case.status, case.completed_at = "completed", now
        case.audit.add("case_completed", actor, now, {})
        tx.timers.cancel_clock_timers(case.id)          # (the save below stops the clock itself)
    case.stage = _stage(loaded, ready) or case.stage

    next_timer = min((due for _, due in timers_after.values()), default=None)
    number = case.number
    tx.cases.save(case, runtime.dumps(wf), now, next_timer, ended,
                  conflict=lambda: Conflict(f"case {number} was changed by someone else; reload and retry",
                                            code="case_version_conflict"))
    tx.cases.write_events(case)
    case.version += 1
    case.stored_status = case.status
    version = case.version
    wf.lianban_projection = (ready, timers_after)
    tx.after_commit(lambda: ctx.caches.workflows.put(case.id, version, wf))
    return version


def waiting_timers(case: LoadedCase) -> dict:
    """The BPMN timers the case's workflow waits on as of its last save: {task id: (element, due)}."""
    return case.workflow.lianban_projection[1]


def _new_task_rows(ctx, tx, case, loaded, ready, actor, now) -> list[dict]:
    rows = []
    directory = org.directory(ctx, tx)
    body = None
    for tid, rt in ready.items():
        if tid in case.open_before:
            continue
        meta = loaded.user_tasks.get((rt.process, rt.spec_id))
        groups = (meta.candidate_groups if meta else []) or ([rt.lane] if rt.lane else [])
        if body is None:
            body = _body_unit(ctx, tx, case)
        route = directory.route(parse_target(groups[0]), case.origin_org_unit_id, body or None)
        rows.append({"id": tid, "case_id": case.id, "spec_id": rt.spec_id, "process_key": rt.process,
                     "name": rt.name, "state": "open", "candidate_groups": ",".join(groups)[:255],
                     "routed_org_unit_id": route.org_unit_id, "routed_department_id": route.department_id,
                     "routed_role": route.role, "routing_error": route.error, "assignee_id": None,
                     "form_key": meta.form_key if meta else None, "stage": meta.stage if meta else None,
                     "due_at": _due_at(ctx, tx, meta, route.role, case.workflow, now), "created_at": now,
                     "claimed_at": None, "completed_at": None, "completed_by": None, "outcome": None})
        payload = {"task": tid, "element": rt.spec_id, "name": rt.name, "route": groups[0]}
        if route.error:
            payload["routing_error"] = route.error
            case.unroutable.append(f"{rt.spec_id}: {route.error}")
            case.audit.add("task_routing_failed", actor, now, payload)
        else:
            if route.stand_in:      # the receiving unit does a lower tier's step (docs/engine-core.md)
                payload["stand_in"] = {"unit": route.org_unit_id, "role": route.role}
            case.audit.add("task_created", actor, now, payload)
    return rows


def _body_unit(ctx, tx: Transaction, case: LoadedCase) -> int:
    """The unit of the case's implementing body, 0 when unknown (a version never changes, so it
    is cached per process)."""
    if case.item_id is None:
        return 0
    return ctx.caches.item_bodies.get_or_load(case.item_id, lambda: tx.catalogue.body_unit(case.item_id) or 0)


def _schedule_step_cards(ctx, tx: Transaction, case: LoadedCase, new_rows: list[dict], now: datetime) -> None:
    """The yellow and red card of each new task with a deadline (环节超时)."""
    due = [(row["id"], row["due_at"]) for row in new_rows if row["due_at"] is not None]
    if not due:
        return
    cal, yellow_workdays = calendar.current(ctx, tx), ctx.settings.yellow_workdays
    entries = []
    for task_id, due_at in due:
        yellow_at, red_at = sla.step_cards(cal, due_at, yellow_workdays)
        if yellow_at is not None:
            entries.append((case.id, "step_yellow", task_id, yellow_at, None))
        entries.append((case.id, "step_red", task_id, red_at, None))
    tx.timers.schedule_many(entries, now)


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
        closed.append((tid, due, fired))
        if fired:
            case.audit.add("timer_fired", actor, now, {"timer": tid, "element": el, "due_at": due.isoformat()})
    if closed:
        tx.timers.close_bpmn(case.id, closed, now)
    added = [(tid, due, el) for (tid, due), el in current.items() if (tid, due) not in before]
    if added:
        tx.timers.schedule_many([(case.id, sla.BPMN_TIMER, tid, due, el) for tid, due, el in added], now)
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
        return sla.step_default_due(calendar.current(ctx, tx), now, days)
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
