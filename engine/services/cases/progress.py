"""What every command that moves a case shares: load its workflow (from the cache when its version
matches; the caller locked the case with tx.cases.lock), and after the engine ran, write the
consequences in the same transaction — task projection, step cards, BPMN timers, the messages
and signals it waits for, status, audit events, and the new state with version + 1. This is the
hot path: the repositories it calls run prebuilt statements on the driver."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from functools import partial
from typing import Optional

from engine import metrics
from engine.bpmn.timers import is_literal, literal_due, parse_due
from engine.domain import messages as message_rules
from engine.domain import sla
from engine.domain.actor import Actor
from engine.domain.case import LoadedCase
from engine.domain.clock import as_utc
from engine.domain.errors import Conflict
from engine.domain.org import candidates_route, lane_targets, parse_target, receiving_window_route
from engine.services import calendar, definitions
import engine.services.cases.assignment as assignment
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
        case.waits_before = dict(projected[2])
    else:
        case.open_before = {rt.id: rt for rt in ctx.runtime.ready_user_tasks(wf)}
        case.timers_before = {tid: (el, due) for tid, el, due in ctx.runtime.waiting_timers(wf)}
        case.waits_before = _waits(ctx, wf)
    if ctx.runtime.has_external_tasks(wf.lianban_spec_key):
        case.externals_before = frozenset(tid for tid, *_ in ctx.runtime.waiting_external_tasks(wf))


def remember_open_tasks(ctx, tx: Transaction, case: LoadedCase) -> None:
    """Once this command commits, remember the case's open tasks as it leaves them, so that the
    next command on one of them in this process needs no read before it runs (PostgreSQL: read in
    the COMMIT's round trip; engine/services/caches.py `OpenTaskRows`). A case that is over has
    none: nothing to read, only to forget."""
    forget_or_keep = partial(ctx.caches.open_tasks.replace, case.id)
    if case.status == "running":
        tx.tasks.remember_open(case.id, forget_or_keep)
    else:
        tx.after_commit(partial(forget_or_keep, []))


def save(ctx, tx: Transaction, case: LoadedCase, actor: Actor, now: datetime, *,
         completed_task: Optional[str] = None) -> int:
    """Project the workflow after the engine ran; returns the new case version."""
    runtime = ctx.runtime
    wf = case.workflow
    loaded = definitions.load(ctx, tx, case.definition_id)
    ready = {rt.id: rt for rt in runtime.ready_user_tasks(wf)}

    cancelled = [tid for tid in case.open_before if tid not in ready and tid != completed_task]
    _withdraw_offers(tx, case, loaded, cancelled, completed_task)
    if cancelled:
        tx.tasks.cancel(cancelled, now)
        tx.timers.cancel_step_cards(cancelled)
        for tid in cancelled:
            case.audit.add("task_cancelled", actor, now, {"task": tid, "element": case.open_before[tid].spec_id})
    offers = []
    new_rows = _new_task_rows(ctx, tx, case, loaded, ready, actor, now, offers)
    if new_rows:
        tx.tasks.open_many(new_rows)
        if offers:
            tx.tasks.offer(offers)
        _schedule_step_cards(ctx, tx, case, new_rows, now)
    case.new_tasks = [row["id"] for row in new_rows]

    timers_after = {tid: (el, due) for tid, el, due in runtime.waiting_timers(wf)}
    _sync_timers(tx, case, timers_after, actor, now)
    waits_after = _waits(ctx, wf)
    if waits_after or case.waits_before:          # nothing to compare (or write) for most cases
        _sync_waits(ctx, tx, case, waits_after, now)
    if runtime.has_external_tasks(wf.lianban_spec_key):
        _sync_external_tasks(tx, case, runtime.waiting_external_tasks(wf), loaded.key, actor, now)
    thrown = runtime.take_thrown(wf)
    if thrown:                      # signals and messages for the other cases: the outbox (nothing for most cases)
        _to_outbox(ctx, tx, case, thrown, actor, now)

    ended = runtime.is_completed(wf) and case.status == "running"
    if ended:
        case.status, case.completed_at = "completed", now
        case.audit.add("case_completed", actor, now, {})
        tx.timers.cancel_clock_timers(case.id)          # (the save below stops the clock itself)
    case.stage = _stage(loaded, ready) or case.stage

    next_timer = min((due for _, due in timers_after.values()), default=None)
    number = case.number
    tx.cases.write_events(case)
    tx.send_ahead()             # task rows, timers, events: the database writes them while the state is made
    state = runtime.dumps(wf)
    tx.cases.save(case, state, now, next_timer, ended,
                  conflict=lambda: Conflict(f"case {number} was changed by someone else; reload and retry",
                                            code="case_version_conflict"))
    case.version += 1
    case.stored_status = case.status
    version = case.version
    # the projection is read back by the caller (a timer's firing checks it left the workflow)
    wf.lianban_projection = (ready, timers_after, waits_after)
    if ended:
        # a finished workflow is not stepped again: keep the cache for the cases still moving
        tx.after_commit(metrics.case_completed)
        return version
    # the state's length stands for the workflow's size in memory (its objects take a small
    # multiple of it): what bounds the cache by bytes (engine/services/caches.py)
    size = len(state)
    tx.after_commit(lambda: ctx.caches.workflows.put(case.id, version, wf, size))
    return version


def waiting_timers(case: LoadedCase) -> dict:
    """The BPMN timers the case's workflow waits on as of its last save: {task id: (element, due)}."""
    return case.workflow.lianban_projection[1]


def _new_task_rows(ctx, tx, case, loaded, ready, actor, now, offers: list) -> list[dict]:
    """The task rows of the tasks the engine opened; their offers to named people (candidate
    users) are appended to `offers`."""
    rows = []
    directory = org.directory(ctx, tx)
    body = None
    for tid, rt in ready.items():
        if tid in case.open_before:
            continue
        meta = loaded.user_tasks.get((rt.process, rt.spec_id))
        groups = (meta.candidate_groups if meta else []) or lane_targets(rt.lane)
        if body is None:
            body = _body_unit(ctx, tx, case)
        people = assignment.people(ctx, tx, case, meta, tid)
        assignment.report(tx, case, meta, tid, people, actor, now)
        candidates = people.candidate_ids
        if groups:
            route = directory.route(parse_target(groups[0]), case.origin_org_unit_id, body or None)
        elif to_people_only(meta):     # offered (or given by an expression) to named people only
            route = candidates_route(case.origin_org_unit_id)
        else:       # no group: the receiving window's 综合受理 queue (docs/camunda-bpmn.md#routing)
            route = receiving_window_route(case.origin_org_unit_id)
        assignee_id = people.assignee_id
        offers.extend({"task_id": tid, "staff_id": staff_id, "created_at": now} for staff_id in candidates)
        rows.append({"id": tid, "case_id": case.id, "spec_id": rt.spec_id, "process_key": rt.process,
                     "name": rt.name, "state": "open", "candidate_groups": ",".join(groups)[:255],
                     "routed_org_unit_id": route.org_unit_id, "routed_department_id": route.department_id,
                     "routed_role": route.role, "routing_error": route.error, "assignee_id": assignee_id,
                     "form_key": meta.form_key if meta else None, "stage": meta.stage if meta else None,
                     "due_at": _due_at(ctx, tx, meta, route.role, case.workflow, now), "created_at": now,
                     "claimed_at": now if assignee_id is not None else None, "completed_at": None,
                     "completed_by": None, "outcome": None})
        payload = {"task": tid, "element": rt.spec_id, "name": rt.name,
                   "route": groups[0] if groups else "receiving_window"}
        if assignee_id is not None:
            payload["assignee"] = assignee_id
        if candidates:
            payload["candidates"] = candidates
        if route.error:
            payload["routing_error"] = route.error
            case.unroutable.append(f"{rt.spec_id}: {route.error}")
            case.audit.add("task_routing_failed", actor, now, payload)
        else:
            if route.stand_in:      # the receiving unit does a lower tier's step (docs/engine-core.md)
                payload["stand_in"] = {"unit": route.org_unit_id, "role": route.role}
            case.audit.add("task_created", actor, now, payload)
    return rows


def to_people_only(meta) -> bool:
    """A task with no group given to people: its candidate users, or an assignee an expression
    names (one named in the diagram keeps the receiving window's queue, as before)."""
    return meta is not None and (meta.names_people or bool(meta.assignee_expression))


def offers_of(ctx, tx: Transaction, case: LoadedCase, meta, task_id: str, actor: Actor,
              created_at: datetime) -> list[dict]:
    """The offer rows of a task that opens (again) as element `meta` says (an incident when an
    expression's value is refused)."""
    people = assignment.people(ctx, tx, case, meta, task_id)
    assignment.report(tx, case, meta, task_id, people, actor, created_at)
    return [{"task_id": task_id, "staff_id": staff_id, "created_at": created_at} for staff_id in people.candidate_ids]


def _withdraw_offers(tx: Transaction, case: LoadedCase, loaded, cancelled: list[str],
                     completed_task: Optional[str]) -> None:
    """The offers of the tasks that closed go; only tasks whose element names candidate users
    have any, so a step of any other diagram issues no statement."""
    closed = cancelled + ([completed_task] if completed_task in case.open_before else [])
    gone = []
    for tid in closed:
        rt = case.open_before[tid]
        meta = loaded.user_tasks.get((rt.process, rt.spec_id))
        if meta is not None and meta.names_people:
            gone.append(tid)
    if gone:
        tx.tasks.withdraw_offers(gone)


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


def _waits(ctx, wf) -> dict:
    return {sub.key: sub.element_id for sub in ctx.runtime.waiting_subscriptions(wf)}


def _sync_waits(ctx, tx: Transaction, case: LoadedCase, after: dict, now: datetime) -> None:
    """The case's subscription rows follow what its workflow waits for (a message or signal
    caught, a boundary event whose task completed, a new wait reached). A new message wait keeps
    the waiting task's scalar variables, for senders that correlate by variables."""
    gone = [key for key in case.waits_before if key not in after]
    if gone:
        tx.messages.unsubscribe(case.id, gone)
    added = [(*key, el) for key, el in after.items() if key not in case.waits_before]
    if added:
        values = {tid: message_rules.correlation_values(ctx.runtime.waiting_data(case.workflow, tid))
                  for tid, kind, _, _ in added if kind == "message"}
        tx.messages.subscribe(case.id, added, now, values=values)
def _to_outbox(ctx, tx: Transaction, case: LoadedCase, thrown: list, actor: Actor, now: datetime) -> None:
    """Each signal the workflow threw, and each message none of its own tasks caught, becomes an
    outbox row, delivered to the other cases waiting for it by the scheduler
    (engine/services/messages/outbox.py); the thrower's trail says so. A message's receiver rules
    were evaluated at the throw; a value that cannot be matched refuses the step (400)."""
    rows = []
    for item in thrown:
        uid = str(uuid.uuid4())
        # JSON as the row keeps it (a date or a Decimal of the payload becomes its text)
        variables = json.loads(json.dumps(item.variables, ensure_ascii=False, default=str))
        row = {"uid": uid, "kind": item.kind, "name": item.name, "variables": variables,
               "source_case_id": case.id, "element_id": item.element_id}
        detail = {"name": item.name, "id": uid, "variables": sorted(item.variables)}
        if item.kind == "message":
            correlation = message_rules.message_correlation(item.correlation, item.business_key, item.element_id)
            row.update(correlation=correlation, expires_at=now + timedelta(seconds=ctx.settings.message_ttl_seconds))
            detail["correlation"] = correlation
        rows.append(row)
        case.audit.add(f"{item.kind}_thrown", actor, now, detail)
    tx.outbox.add(rows, now)


def _sync_external_tasks(tx: Transaction, case: LoadedCase, waiting: list, process_key: str, actor: Actor,
                         now: datetime) -> None:
    """external_task rows follow the service tasks waiting in the workflow: a new one is a row a
    worker can fetch; one that left without its worker's completion (a boundary event, an
    interrupting event sub-process) is cancelled. A completion closes its own row first."""
    after = {tid for tid, *_ in waiting}
    gone = case.externals_before - after
    if gone:
        tx.external_tasks.cancel(case.id, gone)
    rows = []
    for tid, element, topic, priority, data in waiting:
        if tid in case.externals_before:
            continue
        rows.append({"case_id": case.id, "task_id": tid, "element_id": element, "process_key": process_key,
                     "topic": topic, "priority": priority, "variables": _plain(data), "state": "open", "retries": None,
                     "lock_owner": None, "lock_expires_at": None, "error_message": None, "error_details": None,
                     "created_at": now, "completed_at": None, "completed_by": None})
        case.audit.add("external_task_created", actor, now, {"task": tid, "element": element, "topic": topic})
    tx.external_tasks.open_many(rows)
    case.externals_before = frozenset(after)


def _plain(data: dict) -> dict:
    """The task's data as JSON (a date or a Decimal the engine keeps becomes its text)."""
    return json.loads(json.dumps(data, default=str, ensure_ascii=False))


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
