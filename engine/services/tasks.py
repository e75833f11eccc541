"""Claiming, handing back and completing tasks; inbox queries over the task projection only."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from engine.domain.clock import as_utc
from engine.domain.errors import Conflict, Forbidden, NotFound
from engine.services import org, progress
from engine.services.context import Actor
from engine.store.models import Case, StaffPost, Task


@dataclass(frozen=True)
class TaskView:
    id: str
    case_id: int
    name: str
    spec_id: str
    state: str
    routed_org_unit_id: int
    routed_department_id: Optional[int]
    routed_role: str
    routing_error: Optional[str]
    assignee_id: Optional[int]
    form_key: Optional[str]
    stage: Optional[str]
    due_at: Optional[datetime]
    created_at: datetime


def _view(row) -> TaskView:
    return TaskView(row.id, row.case_id, row.name, row.spec_id, row.state, row.routed_org_unit_id,
                    row.routed_department_id, row.routed_role, row.routing_error, row.assignee_id, row.form_key,
                    row.stage, as_utc(row.due_at) if row.due_at else None, as_utc(row.created_at))


def _require_staff(actor: Actor) -> int:
    if actor.staff_id is None:
        raise Forbidden("only staff members can work on tasks", code="actor_not_staff")
    return actor.staff_id


def _task(session: Session, task_id: str):
    row = session.execute(select(Task).where(Task.id == task_id)).scalar_one_or_none()
    if row is None:
        raise NotFound(f"task {task_id} does not exist", code="task_not_found", field="task_id")
    return row


def _check_eligible(ctx, session: Session, actor: Actor, task) -> None:
    posts = org.posts_of(session, _require_staff(actor))
    if not org.may_work_on(org.directory(ctx, session), posts, task.routed_org_unit_id,
                           task.routed_department_id, task.routed_role):
        raise Forbidden("this task is not routed to any of your posts", code="task_not_in_your_queue",
                        field="task_id")


def claim(ctx, task_id: str, actor: Actor) -> TaskView:
    staff_id = _require_staff(actor)
    with ctx.uow.begin() as session:
        case_id = session.execute(select(Task.case_id).where(Task.id == task_id)).scalar()
        if case_id is None:
            raise NotFound(f"task {task_id} does not exist", code="task_not_found", field="task_id")
        case = progress.lock_case(ctx, session, case_id)
        task = _task(session, task_id)
        if task.state != "open":
            raise Conflict(f"task {task_id} is {task.state}", code="task_not_open", field="task_id")
        _check_eligible(ctx, session, actor, task)
        now = ctx.clock.now()
        # conditional update: of two concurrent claims exactly one changes the row
        result = session.execute(update(Task).where(Task.id == task_id, Task.state == "open",
                                                    Task.assignee_id.is_(None))
                                 .values(assignee_id=staff_id, claimed_at=now))
        if result.rowcount != 1:
            raise Conflict(f"task {task_id} was claimed by someone else", code="task_already_claimed", field="task_id")
        _audit_only(session, case, "task_claimed", actor, now, {"task": task_id, "staff": staff_id})
        return _view(_task(session, task_id))


def unclaim(ctx, task_id: str, actor: Actor) -> TaskView:
    staff_id = _require_staff(actor)
    with ctx.uow.begin() as session:
        task = _task(session, task_id)
        case = progress.lock_case(ctx, session, task.case_id)
        if task.state != "open":
            raise Conflict(f"task {task_id} is {task.state}", code="task_not_open", field="task_id")
        if task.assignee_id != staff_id:
            raise Forbidden("you can only hand back a task you have claimed", code="task_not_yours", field="task_id")
        now = ctx.clock.now()
        session.execute(update(Task).where(Task.id == task_id).values(assignee_id=None, claimed_at=None))
        _audit_only(session, case, "task_unclaimed", actor, now, {"task": task_id, "staff": staff_id})
        return _view(_task(session, task_id))


def _audit_only(session: Session, case: progress.LoadedCase, type: str, actor: Actor, now, payload: dict) -> None:
    """Events that do not change workflow state still extend the case's hash chain."""
    case.audit.add(type, actor, now, payload)
    session.execute(update(Case).where(Case.id == case.id)
                    .values(audit_seq=case.audit.seq, audit_head=case.audit.head, updated_at=now))
    case.audit.flush(session)


@dataclass(frozen=True)
class Completed:
    case_id: int
    version: int
    status: str


def complete(ctx, task_id: str, data: dict, actor: Actor, expected_version: Optional[int] = None) -> Completed:
    """Complete a task with form data. `expected_version` (the case version the client saw)
    makes a stale write a conflict; the engine run, projection and audit commit together."""
    staff_id = _require_staff(actor)
    with ctx.uow.begin() as session:
        case_id = session.execute(select(Task.case_id).where(Task.id == task_id)).scalar()
        if case_id is None:
            raise NotFound(f"task {task_id} does not exist", code="task_not_found", field="task_id")
        case = progress.lock_case(ctx, session, case_id)
        if expected_version is not None and expected_version != case.version:
            raise Conflict(f"case {case.number} is at version {case.version}, not {expected_version}",
                           code="case_version_conflict", field="version")
        task = _task(session, task_id)
        if task.state != "open":
            raise Conflict(f"task {task_id} is {task.state}", code="task_not_open", field="task_id")
        if task.assignee_id is not None and task.assignee_id != staff_id:
            raise Forbidden("this task is claimed by another staff member", code="task_claimed_by_other",
                            field="task_id")
        if task.assignee_id is None:
            _check_eligible(ctx, session, actor, task)
        now = ctx.clock.now()
        progress.load_workflow(ctx, session, case)
        ctx.runtime.complete(case.workflow, task_id, data, ctx.clock)
        session.execute(update(Task).where(Task.id == task_id).values(
            state="completed", completed_at=now, completed_by=staff_id, outcome=data,
            assignee_id=staff_id, claimed_at=task.claimed_at or now))
        case.audit.add("task_completed", actor, now, {"task": task_id, "element": task.spec_id,
                                                      "fields": sorted(data)})
        version = progress.save(ctx, session, case, actor, now, completed_task=task_id)
        status = session.execute(select(Case.status).where(Case.id == case_id)).scalar_one()
        return Completed(case_id, version, status)


# --- inbox queries (projection only, never workflow state) -------------------------------------

def _post_filter(posts):
    clauses = []
    for unit, dept, role in posts:
        if role == "supervisor":
            continue
        cond = and_(Task.routed_org_unit_id == unit, Task.routed_role == role)
        cond = and_(cond, or_(Task.routed_department_id.is_(None), Task.routed_department_id == dept)) \
            if dept is not None else and_(cond, Task.routed_department_id.is_(None))
        clauses.append(cond)
    return clauses


def inbox(ctx, actor: Actor, *, limit: int = 50, include_claimed_by_others: bool = False) -> list[TaskView]:
    """Open tasks routed to the actor's posts (claimed by her or unclaimed) plus supervisor
    queues of her subtree, oldest first."""
    staff_id = _require_staff(actor)
    with ctx.uow.begin() as session:
        posts = org.posts_of(session, staff_id)
        clauses = _post_filter(posts)
        directory = org.directory(ctx, session)
        for unit, _dept, role in posts:
            if role == "supervisor":
                sub = [u for u, path in directory.unit_paths.items() if path.startswith(directory.unit_paths[unit])]
                clauses.append(and_(Task.routed_role == "supervisor", Task.routed_org_unit_id.in_(sub)))
        mine = Task.assignee_id == staff_id
        if not clauses:
            where = mine
        elif include_claimed_by_others:
            where = or_(mine, *clauses)
        else:
            where = or_(mine, and_(or_(*clauses), Task.assignee_id.is_(None)))
        rows = session.execute(select(Task).where(Task.state == "open", where)
                               .order_by(Task.created_at, Task.id).limit(limit)).scalars()
        return [_view(r) for r in rows]


def tasks_of_case(ctx, case_id: int) -> list[TaskView]:
    with ctx.uow.begin() as session:
        rows = session.execute(select(Task).where(Task.case_id == case_id).order_by(Task.created_at, Task.id)).scalars()
        return [_view(r) for r in rows]
