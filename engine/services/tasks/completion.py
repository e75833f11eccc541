"""Completing a task (the engine runs, the projection, timers, lifecycle and audit follow in the
same transaction) and returning a case to its previous step (退回)."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Optional

import engine.services.tasks.stages as stages
from engine.domain.actor import Actor
from engine.domain.errors import Conflict, ValidationError
from engine.services import calendar, definitions, ratings
from engine.services.cases import parents, progress
from engine.services.definitions import forms
from engine.services.tasks.commands import (
    on_remembered_rows,
    require_mine_or_eligible,
    require_open,
    require_running,
    require_staff,
    task_with_case,
    workable_task,
)
from engine.store.uow import Transaction


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
    staff_id = require_staff(actor)
    return on_remembered_rows(ctx, task_id, lambda remembered: _complete(
        ctx, task_id, data, actor, staff_id, expected_version, idempotency_key, remembered))


def _complete(ctx, task_id: str, data: dict, actor: Actor, staff_id: int, expected_version: Optional[int],
              idempotency_key: Optional[str], remembered) -> Completed:
    """With `remembered` rows, the task and its case are those the last command on the case in
    this process left (PostgreSQL: no read before the engine runs; the check that they did not
    change goes ahead of the writes and fails the command with RowsChanged; an `idempotency_key`
    stored already fails its INSERT at the commit: a retried request is then answered from the
    locked read)."""
    request_hash = _request_hash(task_id, data, expected_version) if idempotency_key else None
    with ctx.uow.begin() as tx:
        case, task = task_with_case(ctx, tx, task_id, remembered)
        if idempotency_key and remembered is not None:
            _check_key(idempotency_key)     # a key stored already refuses this one's INSERT
        elif idempotency_key:
            earlier = _earlier_result(tx, staff_id, idempotency_key, request_hash)
            if earlier is not None:
                return earlier
        if expected_version is not None and expected_version != case.version:
            raise Conflict(f"case {case.number} is at version {case.version}, not {expected_version}",
                           code="case_version_conflict", field="version")
        require_running(case)
        require_open(task)
        require_mine_or_eligible(ctx, tx, actor, task)
        forms.validate_task_data(ctx, tx, case.definition_id, task.form_key, data)
        now = ctx.clock.now()
        progress.load_workflow(ctx, tx, case)
        # a failure from here on rolls back; the workflow was checked out of the cache and is
        # only put back after a commit, so no half-run workflow survives
        cal = calendar.current(ctx, tx)
        tx.tasks.complete(task_id, staff_id, data, task.claimed_at or now, now)
        if task.due_at is not None:
            tx.timers.cancel_step_cards([task_id])
        tx.send_ahead()         # the database closes the task while the engine runs
        ctx.runtime.complete(case.workflow, task_id, data, ctx.clock, calendar=cal,
                             convention=ctx.settings.start_day_convention)
        case.audit.add("task_completed", actor, now, {"task": task_id, "element": task.spec_id,
                                                      "fields": sorted(data)})
        progress.save(ctx, tx, case, actor, now, completed_task=task_id)
        stages.on_task_completed(ctx, tx, case, task.stage, data, actor, now)      # the lifecycle
        if task.form_key in ratings.REVIEW_FORMS:                               # a 差评's ledger row
            ratings.on_review_step(ctx, tx, case.id, task.spec_id, data, actor, now)
        parents.after_child_step(ctx, tx, case, actor, now)                     # a 一件事 parent's result
        result = Completed(case.id, case.version, case.status, tuple(case.new_tasks))
        progress.remember_open_tasks(ctx, tx, case)
        if idempotency_key:
            tx.idempotency.remember(staff_id, idempotency_key, request_hash,
                                    {"case_id": result.case_id, "version": result.version, "status": result.status,
                                     "next_tasks": list(result.next_tasks)}, now)
        return result


MAX_KEY_LENGTH = 128


def _request_hash(task_id: str, data: dict, version) -> str:
    body = json.dumps({"task": task_id, "data": data, "version": version}, sort_keys=True, ensure_ascii=False,
                      default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def _check_key(key: str) -> None:
    if len(key) > MAX_KEY_LENGTH:
        raise ValidationError(f"an Idempotency-Key has at most {MAX_KEY_LENGTH} characters",
                              code="idempotency_key_invalid", field="Idempotency-Key")


def _earlier_result(tx: Transaction, staff_id: int, key: str, request_hash: str) -> Optional[Completed]:
    _check_key(key)
    row = tx.idempotency.find(staff_id, key)
    if row is None:
        return None
    if row.request != request_hash:
        raise Conflict("this Idempotency-Key was used for a different request", code="idempotency_key_reused",
                       field="Idempotency-Key")
    r = row.response
    return Completed(r["case_id"], r["version"], r["status"], tuple(r["next_tasks"]))


def return_to_previous(ctx, task_id: str, reason: str, actor: Actor) -> Completed:
    """退回: send the case back to the step completed last, with a reason; that step opens again
    for the person who completed it, and this one is closed."""
    if not (reason or "").strip():
        raise ValidationError("a return needs a reason", code="return_reason_required", field="reason")
    require_staff(actor)
    with ctx.uow.begin() as tx:
        case, task = workable_task(ctx, tx, actor, task_id)
        previous = tx.tasks.last_completed(case.id)
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
            tx.tasks.reopen(previous.id, previous.completed_by, now)
            case.open_before[previous.id] = reopened
            # offered again to the people its element names (they went when it was completed)
            meta = definitions.load(ctx, tx, case.definition_id).user_tasks.get((reopened.process, reopened.spec_id))
            if meta is not None and meta.names_people:
                tx.tasks.offer(progress.offers_of(ctx, tx, case, meta, previous.id, actor, now))
        if task.due_at is not None:
            tx.timers.cancel_step_cards([task_id])
        case.audit.add("task_returned", actor, now, {"task": task_id, "to": previous.id, "reason": reason[:500]})
        version = progress.save(ctx, tx, case, actor, now)
        return Completed(case.id, version, case.status, tuple(case.new_tasks) + ((previous.id,) if reopened else ()))
