"""Claiming, handing back and delegating tasks, and the checks every command on a task makes."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Callable, Optional, TypeVar

from engine.domain.actor import Actor
from engine.domain.case import LoadedCase
from engine.domain.clock import as_utc
from engine.domain.errors import Conflict, Forbidden, NotFound
from engine.services.accounts import org
from engine.services.caches import from_remembered
from engine.services.cases import progress
from engine.store.uow import Transaction

T = TypeVar("T")


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
    warning: str = "none"          # step card: none | yellow | red (环节超时)


def task_view(row) -> TaskView:
    return TaskView(row.id, row.case_id, row.name, row.spec_id, row.state, row.routed_org_unit_id,
                    row.routed_department_id, row.routed_role, row.routing_error, row.assignee_id, row.form_key,
                    row.stage, as_utc(row.due_at) if row.due_at else None, as_utc(row.created_at), row.warning)


def require_staff(actor: Actor) -> int:
    if actor.staff_id is None:
        raise Forbidden("only staff members can work on tasks", code="actor_not_staff")
    return actor.staff_id


def task_not_found(task_id: str) -> NotFound:
    return NotFound(f"task {task_id} does not exist", code="task_not_found", field="task_id")


def locked_task(ctx, tx: Transaction, task_id: str):
    """The task and its case in one statement, with the case row locked."""
    ctx.caches.open_tasks.take(task_id)     # this command changes them: what was remembered goes stale
    found = tx.tasks.locked_with_case(task_id)
    if found is None:
        raise task_not_found(task_id)
    return found


def on_remembered_rows(ctx, task_id: str, run: Callable[[object], T]) -> T:
    """`run` from the task's row with its case as the last command on the case in this process
    left them (taken: used once; engine/services/caches.py `OpenTaskRows`), else from the rows read
    under the lock (`run(None)`): caches.from_remembered. Nothing is remembered on SQLite, where
    reading them costs no round trip."""
    return from_remembered(ctx.caches.open_tasks.take(task_id), run)


def task_with_case(ctx, tx: Transaction, task_id: str, remembered):
    """The case and the task: from `remembered` rows (`on_remembered_rows`), with the case locked
    and the check queued that neither changed since (RowsChanged before any write otherwise), or
    read under the case's lock (`locked_task`) when there are none."""
    if remembered is not None:
        return tx.tasks.unchanged_with_case(remembered)
    return locked_task(ctx, tx, task_id)


def may_take(ctx, tx: Transaction, staff_id: int, task) -> bool:
    """Whether `staff_id` could take the task herself: she holds a post it is routed to, or it is
    offered to her by name (camunda:candidateUsers). The offer is read only when no post fits."""
    posts = org.posts_of(ctx, tx, staff_id)
    return (org.may_work_on(org.directory(ctx, tx), posts, task.routed_org_unit_id, task.routed_department_id,
                            task.routed_role)
            or tx.tasks.is_candidate(task.id, staff_id))


def check_eligible(ctx, tx: Transaction, actor: Actor, task) -> None:
    if not may_take(ctx, tx, require_staff(actor), task):
        raise Forbidden("this task is not routed to any of your posts", code="task_not_in_your_queue",
                        field="task_id")


def require_running(case) -> None:
    if case.status != "running":
        raise Conflict(f"case {case.number} is {case.status}", code="case_not_running")


def require_open(task) -> None:
    if task.state != "open":
        raise Conflict(f"task {task.id} is {task.state}", code="task_not_open", field="task_id")


def require_mine_or_eligible(ctx, tx: Transaction, actor: Actor, task) -> None:
    if task.assignee_id is not None and task.assignee_id != actor.staff_id:
        raise Forbidden("this task is claimed by another staff member", code="task_claimed_by_other",
                        field="task_id")
    if task.assignee_id is None:
        check_eligible(ctx, tx, actor, task)


def workable_task(ctx, tx: Transaction, actor: Actor, task_id: str):
    """The task and its case (locked) when the actor may act on it now: the case runs, the task is
    open, and it is hers or unclaimed in one of her queues."""
    case, task = locked_task(ctx, tx, task_id)
    require_running(case)
    require_open(task)
    require_mine_or_eligible(ctx, tx, actor, task)
    return case, task


def _audit_only(tx: Transaction, case: LoadedCase, type: str, actor: Actor, now, payload: dict) -> None:
    """Events that do not change workflow state still extend the case's hash chain."""
    case.audit.add(type, actor, now, payload)
    tx.cases.record_events(case, now)


def claim(ctx, task_id: str, actor: Actor) -> TaskView:
    staff_id = require_staff(actor)
    return on_remembered_rows(ctx, task_id, lambda remembered: _claim(ctx, task_id, actor, staff_id, remembered))


def _claim(ctx, task_id: str, actor: Actor, staff_id: int, remembered) -> TaskView:
    with ctx.uow.begin() as tx:
        case, task = task_with_case(ctx, tx, task_id, remembered)
        require_running(case)
        require_open(task)
        check_eligible(ctx, tx, actor, task)
        now = ctx.clock.now()
        if remembered is None:
            claimed = tx.tasks.claim(task_id, staff_id, now)    # of two concurrent claims exactly one changes the row
        elif task.assignee_id is None:
            tx.tasks.claim_unclaimed(task_id, staff_id, now)    # checked to be open and unclaimed, under the lock
            claimed = True
        else:
            claimed = False
        if not claimed:
            whom = "you" if task.assignee_id == staff_id else "someone else"
            raise Conflict(f"task {task_id} is already claimed by {whom}", code="task_already_claimed",
                           field="task_id")
        _audit_only(tx, case, "task_claimed", actor, now, {"task": task_id, "staff": staff_id})
        progress.remember_open_tasks(ctx, tx, case)      # her completion then starts without a read
        return replace(task_view(task), assignee_id=staff_id)


def unclaim(ctx, task_id: str, actor: Actor) -> TaskView:
    staff_id = require_staff(actor)
    with ctx.uow.begin() as tx:
        case, task = locked_task(ctx, tx, task_id)
        require_open(task)
        if task.assignee_id != staff_id:
            raise Forbidden("you can only hand back a task you have claimed", code="task_not_yours", field="task_id")
        now = ctx.clock.now()
        tx.tasks.unclaim(task_id)
        _audit_only(tx, case, "task_unclaimed", actor, now, {"task": task_id, "staff": staff_id})
        return replace(task_view(task), assignee_id=None)


def delegate(ctx, task_id: str, to_username: str, actor: Actor) -> TaskView:
    """Hand a task to a colleague who could take it herself (the same queue: unit, role and
    department, or one of the people it is offered to); it is then claimed by her."""
    require_staff(actor)
    with ctx.uow.begin() as tx:
        case, task = workable_task(ctx, tx, actor, task_id)
        target = tx.tasks.colleague(to_username)
        if target is None or not target.active:
            raise NotFound(f"no active colleague {to_username!r}", code="delegate_not_found", field="to")
        if not may_take(ctx, tx, target.id, task):
            raise Forbidden(f"{to_username} holds no post this task is routed to", code="delegate_not_eligible",
                            field="to")
        now = ctx.clock.now()
        tx.tasks.assign(task_id, target.id, now)
        _audit_only(tx, case, "task_delegated", actor, now, {"task": task_id, "to": target.username})
        return replace(task_view(task), assignee_id=target.id)
