"""What a worker reports about a task it locked: complete, failure, bpmnError, extendLock, and
unlock. Each is one transaction; those that move the workflow lock the case row first (as every
command on a case) and save it as a task completion does (engine/services/cases/progress.py).

A script or expression failing in the continuation after a completion is nobody's 4xx to fix
interactively: the transaction rolls back, and a second one raises an incident of kind `script`
on the task (retries 0), which the worker learns as a 409 `continuation_failed`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

import engine.services.external_tasks.access as worker_access
from engine.domain import external_tasks as rules
from engine.domain import messages as message_rules
from engine.domain.actor import Actor
from engine.domain.errors import CaseError, Conflict, NotFound
from engine.services import calendar
from engine.services.cases import incidents, parents, progress
from engine.store.uow import Transaction


@dataclass(frozen=True)
class Moved:
    case_id: int
    version: int
    status: str


def _locked(tx: Transaction, task_id: int, lock_case: bool = True):
    case_id = tx.external_tasks.case_of(task_id)
    if case_id is None:
        raise NotFound(f"External task with id {task_id} does not exist", code="external_task_not_found", field="id")
    case = tx.cases.lock(case_id) if lock_case else None      # the case first, then its rows
    row = tx.external_tasks.get(task_id, lock=True)
    if row.state != "open":
        raise NotFound(f"External task with id {task_id} is {row.state}, no longer open",
                       code="external_task_not_found", field="id")
    return case, row


def _require_owner(row, worker_id: str) -> None:
    if row.lock_owner != worker_id:
        holder = f"worker '{row.lock_owner}'" if row.lock_owner else "no worker"
        raise Conflict(f"External task {row.id} is locked by {holder}, not by worker '{worker_id}'",
                       code="external_task_locked_by_other", field="workerId")


def _continue(ctx, actor: Actor, task_id: int, worker_id: str, step: Callable) -> Moved:
    """Run `step(tx, case, row, now)` (which moves the workflow) and save the case; a failing
    script in the continuation becomes an incident."""
    worker_access.require_worker(actor)
    rules.check_worker(worker_id)
    try:
        with ctx.uow.begin() as tx:
            case, row = _locked(tx, task_id)
            _require_owner(row, worker_id)
            now = ctx.clock.now()
            progress.load_workflow(ctx, tx, case)
            step(tx, case, row, now)
            return Moved(case.id, case.version, case.status)
    except CaseError as exc:
        if exc.code not in incidents.SCRIPT_CODES:
            raise
        incident_id = _continuation_incident(ctx, task_id, exc)
        raise Conflict(f"the workflow failed after external task {task_id}: {exc.message} (incident {incident_id})",
                       code="continuation_failed", field="id",
                       detail={"incident": incident_id, **({"element": incidents.element_of(exc)}
                                                             if incidents.element_of(exc) else {})}) from exc


def _continuation_incident(ctx, task_id: int, exc: CaseError) -> int:
    with ctx.uow.begin() as tx:
        case, row = _locked(tx, task_id)
        now = ctx.clock.now()
        message = f"{exc.code}: {exc.message}"
        tx.external_tasks.fail(task_id, 0, message[:2000], None, None)
        return incidents.raise_incident(tx, case, "script", message, Actor.system("external-task"), now,
                                        element=incidents.element_of(exc) or row.element_id,
                                        external_task_id=task_id)


def _close_and_save(ctx, tx, case, row, actor: Actor, worker_id: str, now, state: str, event: str,
                    payload: dict) -> None:
    tx.external_tasks.close(row.id, state, worker_id, now)
    case.externals_before = case.externals_before - {row.task_id}     # closed here, not cancelled by the save
    case.audit.add(event, actor, now, {"external_task": row.id, "element": row.element_id, "worker": worker_id,
                                       **payload})
    progress.save(ctx, tx, case, actor, now)
    parents.after_child_step(ctx, tx, case, actor, now)       # a 一件事 child that ended refreshes its parent


def complete(ctx, actor: Actor, task_id: int, worker_id: str, variables: dict) -> Moved:
    """The worker did the work: its variables join the case's data and the workflow goes on."""
    variables = message_rules.check_variables(variables)
    def step(tx, case, row, now):
        ctx.runtime.complete_external(case.workflow, row.task_id, variables, ctx.clock,
                                      calendar=calendar.current(ctx, tx), convention=ctx.settings.start_day_convention)
        _close_and_save(ctx, tx, case, row, actor, worker_id, now, "completed", "external_task_completed",
                        {"variables": sorted(variables)[:100]})
    return _continue(ctx, actor, task_id, worker_id, step)


def bpmn_error(ctx, actor: Actor, task_id: int, worker_id: str, error_code: str, error_message,
               variables: dict) -> Moved:
    """A business error (e.g. the fee is unpaid): the error boundary event with that code takes
    the case on. When nothing in the diagram catches it, the task gets an incident instead."""
    rules.check_error_code(error_code)
    variables = message_rules.check_variables(variables)
    rules.check_failure(0, None, error_message, None)      # the message's length

    def step(tx, case, row, now):
        caught = ctx.runtime.external_bpmn_error(case.workflow, row.task_id, error_code, error_message, variables,
                                                 ctx.clock, calendar=calendar.current(ctx, tx),
                                                 convention=ctx.settings.start_day_convention)
        if caught:
            _close_and_save(ctx, tx, case, row, actor, worker_id, now, "bpmn_error", "external_task_bpmn_error",
                            {"error_code": error_code})
            return
        message = (f"BPMN error {error_code!r} is not caught by an error boundary event of {row.element_id}"
                   + (f": {error_message}" if error_message else ""))
        tx.external_tasks.fail(row.id, 0, message[:2000], None, None)
        incidents.raise_incident(tx, case, "external_task", message, actor, now, element=row.element_id,
                                 external_task_id=row.id)
    return _continue(ctx, actor, task_id, worker_id, step)


def failure(ctx, actor: Actor, task_id: int, worker_id: str, error_message, error_details, retries: int,
            retry_timeout_ms) -> None:
    """The worker could not do it: with retries left the task comes back after retryTimeout;
    with none an incident is raised and the task waits for a person (its retry, or a resolve)."""
    worker_access.require_worker(actor)
    rules.check_worker(worker_id)
    rules.check_failure(retries, retry_timeout_ms, error_message, error_details)
    with ctx.uow.begin() as tx:
        case, row = _locked(tx, task_id)
        _require_owner(row, worker_id)
        now = ctx.clock.now()
        tx.external_tasks.fail(task_id, retries, error_message, error_details,
                               rules.available_again(now, retries, retry_timeout_ms), now)
        case.audit.add("external_task_failed", actor, now, {"external_task": task_id, "element": row.element_id,
                                                            "worker": worker_id, "retries": retries,
                                                            "message": (error_message or "")[:500]})
        if retries == 0:
            incidents.raise_incident(tx, case, "external_task", error_message or f"external task {task_id} failed",
                                     actor, now, element=row.element_id, details=error_details,
                                     external_task_id=task_id)
        else:
            tx.cases.record_events(case, now)


def extend_lock(ctx, actor: Actor, task_id: int, worker_id: str, new_duration_ms: int) -> None:
    """More time for the worker that holds a live lock (from now)."""
    worker_access.require_worker(actor)
    rules.check_worker(worker_id)
    rules.check_lock_duration(new_duration_ms, "newDuration")
    with ctx.uow.begin() as tx:
        _case, row = _locked(tx, task_id, lock_case=False)
        _require_owner(row, worker_id)
        now = ctx.clock.now()
        if row.lock_expires_at is None or row.lock_expires_at <= now:
            raise Conflict(f"the lock of external task {task_id} has expired: fetch it again",
                           code="external_task_lock_expired", field="id")
        tx.external_tasks.extend_lock(task_id, now + timedelta(milliseconds=new_duration_ms))


def unlock(ctx, actor: Actor, task_id: int) -> None:
    """Give the task back at once (any worker may fetch it)."""
    worker_access.require_worker(actor)
    with ctx.uow.begin() as tx:
        _locked(tx, task_id, lock_case=False)
        tx.external_tasks.unlock(task_id)
