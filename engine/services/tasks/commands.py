"""Claiming, handing back and completing tasks; inbox queries over the task projection only."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Optional

from sqlalchemy import bindparam, select, update

from engine.domain.actor import Actor
from engine.domain.case import LoadedCase
from engine.domain.clock import as_utc
from engine.domain.errors import Conflict, Forbidden, NotFound, ValidationError
from engine.services import calendar
from engine.services.accounts import org
from engine.services.cases import parents, progress
from engine.services.definitions import forms
from engine.services.tasks import stages
from engine.services.time_limits import sla_clock
from engine.store import tables as t
from engine.store.fast import FastWrite
from engine.store.models import IdempotencyKey, Staff
from engine.store.uow import Transaction


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


_CLAIM = FastWrite(update(t.task).where(t.task.c.id == bindparam("tid"), t.task.c.state == "open",
                               t.task.c.assignee_id.is_(None))
          .values(assignee_id=bindparam("staff"), claimed_at=bindparam("now")))
_UNCLAIM = FastWrite(update(t.task).where(t.task.c.id == bindparam("tid")).values(assignee_id=None, claimed_at=None))
_COMPLETE = FastWrite(update(t.task).where(t.task.c.id == bindparam("tid"))
             .values(state="completed", completed_at=bindparam("now"), completed_by=bindparam("staff"),
                     outcome=bindparam("b_outcome"), assignee_id=bindparam("staff"), claimed_at=bindparam("claimed")))


def _view(row) -> TaskView:
    return TaskView(row.id, row.case_id, row.name, row.spec_id, row.state, row.routed_org_unit_id,
                    row.routed_department_id, row.routed_role, row.routing_error, row.assignee_id, row.form_key,
                    row.stage, as_utc(row.due_at) if row.due_at else None, as_utc(row.created_at), row.warning)


def _require_staff(actor: Actor) -> int:
    if actor.staff_id is None:
        raise Forbidden("only staff members can work on tasks", code="actor_not_staff")
    return actor.staff_id


def _locked_task(ctx, tx: Transaction, task_id: str):
    """The task and its case in one statement, with the case row locked."""
    found = tx.tasks.locked_with_case(task_id)
    if found is None:
        raise NotFound(f"task {task_id} does not exist", code="task_not_found", field="task_id")
    return found


def _check_eligible(ctx, tx: Transaction, actor: Actor, task) -> None:
    posts = org.posts_of(ctx, tx, _require_staff(actor))
    if not org.may_work_on(org.directory(ctx, tx), posts, task.routed_org_unit_id,
                           task.routed_department_id, task.routed_role):
        raise Forbidden("this task is not routed to any of your posts", code="task_not_in_your_queue",
                        field="task_id")


def _require_running(case) -> None:
    if case.status != "running":
        raise Conflict(f"case {case.number} is {case.status}", code="case_not_running")


def _require_open(task) -> None:
    if task.state != "open":
        raise Conflict(f"task {task.id} is {task.state}", code="task_not_open", field="task_id")


def _audit_only(tx: Transaction, case: LoadedCase, type: str, actor: Actor, now, payload: dict) -> None:
    """Events that do not change workflow state still extend the case's hash chain."""
    case.audit.add(type, actor, now, payload)
    tx.cases.record_events(case, now)


def claim(ctx, task_id: str, actor: Actor) -> TaskView:
    staff_id = _require_staff(actor)
    with ctx.uow.begin() as tx:
        case, task = _locked_task(ctx, tx, task_id)
        _require_running(case)
        _require_open(task)
        _check_eligible(ctx, tx, actor, task)
        now = ctx.clock.now()
        # conditional update: of two concurrent claims exactly one changes the row
        if _CLAIM.execute(tx, {"tid": task_id, "staff": staff_id, "now": now}) != 1:
            raise Conflict(f"task {task_id} was claimed by someone else", code="task_already_claimed",
                           field="task_id")
        _audit_only(tx, case, "task_claimed", actor, now, {"task": task_id, "staff": staff_id})
        return replace(_view(task), assignee_id=staff_id)


def unclaim(ctx, task_id: str, actor: Actor) -> TaskView:
    staff_id = _require_staff(actor)
    with ctx.uow.begin() as tx:
        case, task = _locked_task(ctx, tx, task_id)
        _require_open(task)
        if task.assignee_id != staff_id:
            raise Forbidden("you can only hand back a task you have claimed", code="task_not_yours", field="task_id")
        now = ctx.clock.now()
        _UNCLAIM.execute(tx, {"tid": task_id})
        _audit_only(tx, case, "task_unclaimed", actor, now, {"task": task_id, "staff": staff_id})
        return replace(_view(task), assignee_id=None)


@dataclass(frozen=True)
class Completed:
    case_id: int
    version: int
    status: str
    next_tasks: tuple = ()      # tasks the completion opened (for "what's next" in the UI)


def complete(ctx, task_id: str, data: dict, actor: Actor, expected_version: Optional[int] = None,
             idempotency_key: Optional[str] = None) -> Completed:
    """Complete a task with form data. `expected_version` (the case version the client saw)
    makes a stale write a conflict; the engine run, projection and audit commit together. With
    an `idempotency_key`, a retried request gets the first result instead of acting twice (the
    key is stored in the same transaction, checked after the case lock)."""
    staff_id = _require_staff(actor)
    request_hash = _request_hash(task_id, data, expected_version) if idempotency_key else None
    with ctx.uow.begin() as tx:
        case, task = _locked_task(ctx, tx, task_id)
        if idempotency_key:
            earlier = _earlier_result(tx, staff_id, idempotency_key, request_hash)
            if earlier is not None:
                return earlier
        if expected_version is not None and expected_version != case.version:
            raise Conflict(f"case {case.number} is at version {case.version}, not {expected_version}",
                           code="case_version_conflict", field="version")
        _require_running(case)
        _require_open(task)
        _require_mine_or_eligible(ctx, tx, actor, task)
        forms.validate_task_data(ctx, tx, case.definition_id, task.form_key, data)
        now = ctx.clock.now()
        progress.load_workflow(ctx, tx, case)
        # a failure from here on rolls back; the workflow was checked out of the cache and is
        # only put back after a commit, so no half-run workflow survives
        cal = calendar.current(ctx, tx)
        ctx.runtime.complete(case.workflow, task_id, data, ctx.clock, calendar=cal,
                             convention=ctx.settings.start_day_convention)
        _COMPLETE.execute(tx, {"tid": task_id, "now": now, "staff": staff_id, "b_outcome": data,
                                 "claimed": task.claimed_at or now})
        case.audit.add("task_completed", actor, now, {"task": task_id, "element": task.spec_id,
                                                      "fields": sorted(data)})
        if task.due_at is not None:
            sla_clock.cancel_step_timers(tx, [task_id])
        progress.save(ctx, tx, case, actor, now, completed_task=task_id)
        stages.on_task_completed(ctx, tx, case, task.stage, data, actor, now)      # the lifecycle (§6.3)
        parents.after_child_step(ctx, tx, case, actor, now)                     # a 一件事 parent's result
        result = Completed(case.id, case.version, case.status, tuple(case.new_tasks))
        if idempotency_key:
            tx.execute(_INSERT_KEY, {"account_id": staff_id, "key": idempotency_key, "request": request_hash,
                                       "response": {"case_id": result.case_id, "version": result.version,
                                                    "status": result.status, "next_tasks": list(result.next_tasks)},
                                       "created_at": now})
        return result


_INSERT_KEY = IdempotencyKey.__table__.insert()
MAX_KEY_LENGTH = 128


def _request_hash(task_id: str, data: dict, version) -> str:
    body = json.dumps({"task": task_id, "data": data, "version": version}, sort_keys=True, ensure_ascii=False,
                      default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def _earlier_result(tx: Transaction, staff_id: int, key: str, request_hash: str) -> Optional[Completed]:
    if len(key) > MAX_KEY_LENGTH:
        raise ValidationError(f"an Idempotency-Key has at most {MAX_KEY_LENGTH} characters",
                              code="idempotency_key_invalid", field="Idempotency-Key")
    row = tx.execute(select(IdempotencyKey.request, IdempotencyKey.response)
                       .where(IdempotencyKey.account_id == staff_id, IdempotencyKey.key == key)).first()
    if row is None:
        return None
    if row.request != request_hash:
        raise Conflict("this Idempotency-Key was used for a different request", code="idempotency_key_reused",
                       field="Idempotency-Key")
    r = row.response
    return Completed(r["case_id"], r["version"], r["status"], tuple(r["next_tasks"]))


def _require_mine_or_eligible(ctx, tx: Transaction, actor: Actor, task) -> None:
    if task.assignee_id is not None and task.assignee_id != actor.staff_id:
        raise Forbidden("this task is claimed by another staff member", code="task_claimed_by_other",
                        field="task_id")
    if task.assignee_id is None:
        _check_eligible(ctx, tx, actor, task)


def delegate(ctx, task_id: str, to_username: str, actor: Actor) -> TaskView:
    """Hand a task to a colleague who could take it herself (the same queue: unit, role and
    department); it is then claimed by her."""
    _require_staff(actor)
    with ctx.uow.begin() as tx:
        case, task = _locked_task(ctx, tx, task_id)
        _require_running(case)
        _require_open(task)
        _require_mine_or_eligible(ctx, tx, actor, task)
        target = tx.execute(select(Staff.id, Staff.username, Staff.active).where(Staff.username == to_username)).first()
        if target is None or not target.active:
            raise NotFound(f"no active colleague {to_username!r}", code="delegate_not_found", field="to")
        if not org.may_work_on(org.directory(ctx, tx), org.posts_of(ctx, tx, target.id), task.routed_org_unit_id,
                               task.routed_department_id, task.routed_role):
            raise Forbidden(f"{to_username} holds no post this task is routed to", code="delegate_not_eligible",
                            field="to")
        now = ctx.clock.now()
        tx.execute(update(t.task).where(t.task.c.id == task_id).values(assignee_id=target.id, claimed_at=now))
        _audit_only(tx, case, "task_delegated", actor, now, {"task": task_id, "to": target.username})
        return replace(_view(task), assignee_id=target.id)


_LAST_COMPLETED = (select(t.task.c.id, t.task.c.completed_by)
                   .where(t.task.c.case_id == bindparam("cid"), t.task.c.state == "completed")
                   .order_by(t.task.c.completed_at.desc(), t.task.c.id.desc()).limit(1))


def return_to_previous(ctx, task_id: str, reason: str, actor: Actor) -> Completed:
    """退回: send the case back to the step completed last, with a reason; that step opens again
    for the person who completed it, and this one is closed."""
    if not (reason or "").strip():
        raise ValidationError("a return needs a reason", code="return_reason_required", field="reason")
    _require_staff(actor)
    with ctx.uow.begin() as tx:
        case, task = _locked_task(ctx, tx, task_id)
        _require_running(case)
        _require_open(task)
        _require_mine_or_eligible(ctx, tx, actor, task)
        previous = tx.execute(_LAST_COMPLETED, {"cid": case.id}).first()
        if previous is None:
            raise Conflict("this is the first step of the case: there is nothing to return to",
                           code="no_previous_step", field="task_id")
        now = ctx.clock.now()
        progress.load_workflow(ctx, tx, case)
        cal = calendar.current(ctx, tx)
        ctx.runtime.reset_to(case.workflow, previous.id, ctx.clock, calendar=cal,
                             convention=ctx.settings.start_day_convention)
        reopened = {rt.id: rt for rt in ctx.runtime.ready_user_tasks(case.workflow)}.get(previous.id)
        if reopened is not None:
            tx.execute(update(t.task).where(t.task.c.id == previous.id).values(
                state="open", completed_at=None, completed_by=None, outcome=None, assignee_id=previous.completed_by,
                claimed_at=now, warning="none"))
            case.open_before[previous.id] = reopened
        if task.due_at is not None:
            sla_clock.cancel_step_timers(tx, [task_id])
        case.audit.add("task_returned", actor, now, {"task": task_id, "to": previous.id, "reason": reason[:500]})
        version = progress.save(ctx, tx, case, actor, now)
        return Completed(case.id, version, case.status, tuple(case.new_tasks) + ((previous.id,) if reopened else ()))


# --- inbox queries (projection only, never workflow state) -------------------------------------



