"""What every command that moves a case shares: load the case's workflow (from the cache when
its version matches), and after the engine ran, write the consequences in the same transaction
— task projection, timers, status, audit events, and the new state with version + 1."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from sqlalchemy import and_, insert, select, update
from sqlalchemy.orm import Session

from engine.bpmn.timers import is_literal, literal_due, parse_due
from engine.domain.clock import as_utc
from engine.domain.errors import Conflict, NotFound
from engine.domain.org import parse_target
from engine.services import definitions, org
from engine.services.audit import CaseAudit
from engine.services.context import Actor
from engine.store.db import after_commit
from engine.store.models import Case, Task, Timer

_CASE_COLUMNS = (Case.id, Case.version, Case.status, Case.definition_id, Case.origin_org_unit_id,
                 Case.audit_seq, Case.audit_head, Case.number)


@dataclass
class LoadedCase:
    id: int
    version: int
    status: str
    definition_id: int
    origin_org_unit_id: int
    number: str
    audit: CaseAudit
    workflow: object = None
    open_before: dict = field(default_factory=dict)     # task id -> ReadyTask
    timers_before: dict = field(default_factory=dict)   # task id -> (element, due)


def lock_case(ctx, session: Session, case_id: int) -> LoadedCase:
    """Read the case row under a row lock (PostgreSQL) / the write lock (SQLite)."""
    stmt = select(*_CASE_COLUMNS).where(Case.id == case_id)
    if session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = session.execute(stmt).first()
    if row is None:
        raise NotFound(f"case {case_id} does not exist", code="case_not_found")
    return LoadedCase(row.id, row.version, row.status, row.definition_id, row.origin_org_unit_id, row.number,
                      CaseAudit(row.id, row.audit_seq, row.audit_head))


def load_workflow(ctx, session: Session, case: LoadedCase) -> None:
    definitions.load(ctx, session, case.definition_id)
    wf = ctx.workflows.checkout(case.id, case.version)
    if wf is None:
        state = session.execute(select(Case.state).where(Case.id == case.id)).scalar_one()
        wf = ctx.runtime.loads(state)
    case.workflow = wf
    case.open_before = {t.id: t for t in ctx.runtime.ready_user_tasks(wf)}
    case.timers_before = {tid: (el, due) for tid, el, due in ctx.runtime.waiting_timers(wf)}


def save(ctx, session: Session, case: LoadedCase, actor: Actor, now: datetime, *,
         completed_task: Optional[str] = None, new_case: bool = False) -> int:
    """Project the workflow after the engine ran; returns the new case version."""
    runtime = ctx.runtime
    wf = case.workflow
    loaded = definitions.load(ctx, session, case.definition_id)
    ready = {t.id: t for t in runtime.ready_user_tasks(wf)}

    cancelled = [tid for tid in case.open_before if tid not in ready and tid != completed_task]
    if cancelled:
        session.execute(update(Task).where(Task.id.in_(cancelled), Task.state == "open")
                        .values(state="cancelled", completed_at=now))
        for tid in cancelled:
            case.audit.add("task_cancelled", actor, now, {"task": tid, "element": case.open_before[tid].spec_id})
    new_rows = []
    directory = org.directory(ctx, session)
    for tid, t in ready.items():
        if tid in case.open_before:
            continue
        meta = loaded.user_tasks.get((t.process, t.spec_id))
        groups = (meta.candidate_groups if meta else []) or ([t.lane] if t.lane else [])
        route = directory.route(parse_target(groups[0]), case.origin_org_unit_id)
        due_at = _due_at(ctx, meta, wf, now)
        new_rows.append({"id": tid, "case_id": case.id, "spec_id": t.spec_id, "process_key": t.process,
                         "name": t.name, "state": "open", "candidate_groups": ",".join(groups)[:255],
                         "routed_org_unit_id": route.org_unit_id, "routed_department_id": route.department_id,
                         "routed_role": route.role, "routing_error": route.error,
                         "form_key": meta.form_key if meta else None, "stage": meta.stage if meta else None,
                         "due_at": due_at, "created_at": now})
        payload = {"task": tid, "element": t.spec_id, "name": t.name, "route": groups[0]}
        if route.error:
            payload["routing_error"] = route.error
            case.audit.add("task_routing_failed", actor, now, payload)
        else:
            case.audit.add("task_created", actor, now, payload)
    if new_rows:
        session.execute(insert(Task), new_rows)

    timers_after = {tid: (el, due) for tid, el, due in runtime.waiting_timers(wf)}
    _sync_timers(session, case, timers_after, actor, now)

    status = case.status
    completed_at = None
    if runtime.is_completed(wf) and status == "running":
        status, completed_at = "completed", now
        case.audit.add("case_completed", actor, now, {})
    stage = _stage(loaded, ready)

    state = runtime.dumps(wf)
    next_timer = min((due for _, due in timers_after.values()), default=None)
    values = dict(state=state, version=case.version + 1, status=status, updated_at=now,
                  audit_seq=case.audit.seq, audit_head=case.audit.head, next_timer_at=next_timer)
    if stage is not None:
        values["stage"] = stage
    if completed_at is not None:
        values["completed_at"] = completed_at
    result = session.execute(update(Case).where(and_(Case.id == case.id, Case.version == case.version)).values(**values))
    if result.rowcount != 1:
        raise Conflict(f"case {case.number} was changed by someone else; reload and retry",
                       code="case_version_conflict")
    case.audit.flush(session)
    new_version = case.version + 1
    after_commit(session, lambda: ctx.workflows.put(case.id, new_version, wf))
    return new_version


def _stage(loaded, ready) -> Optional[str]:
    for t in ready.values():
        meta = loaded.user_tasks.get((t.process, t.spec_id))
        if meta and meta.stage:
            return meta.stage
    return None


def _sync_timers(session: Session, case: LoadedCase, after: dict, actor: Actor, now: datetime) -> None:
    """Timer rows follow the workflow's waiting timers, keyed by (catching task, due time) so a
    cycle timer's next occurrence is a new row. A timer that left the workflow fired if it was
    due, else it was cancelled (its task completed, or the process moved on)."""
    before = {(tid, due): el for tid, (el, due) in case.timers_before.items()}
    current = {(tid, due): el for tid, (el, due) in after.items()}
    for (tid, due), el in before.items():
        if (tid, due) in current:
            continue
        fired = due <= now
        session.execute(update(Timer).where(Timer.case_id == case.id, Timer.ref == tid, Timer.due_at == due,
                                            Timer.state == "pending")
                        .values(state="fired" if fired else "cancelled", fired_at=now if fired else None))
        if fired:
            case.audit.add("timer_fired", actor, now, {"timer": tid, "element": el, "due_at": due.isoformat()})
    added = [(tid, due, el) for (tid, due), el in current.items() if (tid, due) not in before]
    if added:
        session.execute(insert(Timer), [{"case_id": case.id, "kind": "bpmn", "ref": tid, "element": el,
                                         "due_at": due, "state": "pending", "attempts": 0, "created_at": now}
                                        for tid, due, el in added])
        for tid, due, el in added:
            case.audit.add("timer_scheduled", actor, now, {"timer": tid, "element": el, "due_at": due.isoformat()})


def _due_at(ctx, meta, wf, now: datetime) -> Optional[datetime]:
    """Step deadline from the model's due date: an ISO duration from now, an ISO date, or an
    expression evaluated in the sandbox. A bad expression leaves the task without a deadline
    rather than failing the case."""
    text = (meta.due_date or "").strip() if meta else ""
    if not text:
        return None
    try:
        if is_literal(text):
            return literal_due(text, now)
        value = ctx.runtime.evaluate(text, ctx.runtime.data(wf))
        if isinstance(value, datetime):
            return as_utc(value)
        return parse_due(str(value)) if value else None
    except Exception:  # noqa: BLE001 - a model's optional deadline must never break a case
        return None

