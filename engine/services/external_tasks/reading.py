"""External tasks as workers and operators read them: the list (Camunda's GET /external-task and
Lianban's GET /api/v1/external-tasks), one task, and the open tasks per topic (the console).

Workers (the `integration` role) and administrators read every task; designers too; a supervisor
reads those of cases received in the subtree she supervises (the incidents' rule,
engine/services/incidents/scope.py), and a task outside it reads as absent."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

import engine.services.external_tasks.access as worker_access
from engine.domain.actor import Actor
from engine.domain.errors import NotFound, ValidationError

STATES = ("open", "completed", "bpmn_error", "cancelled")
MAX_LIMIT = 1000          # rows per page (Camunda's maxResults; /api/v1 pages of at most 200)


@dataclass(frozen=True)
class ExternalTaskView:
    id: int
    case_id: int
    element_id: str
    process_key: str
    topic: str
    priority: int
    state: str
    retries: Optional[int]
    lock_owner: Optional[str]
    lock_expires_at: Optional[datetime]
    error_message: Optional[str]
    created_at: datetime
    case_number: Optional[str] = None
    incident_id: Optional[int] = None
    completed_at: Optional[datetime] = None
    completed_by: Optional[str] = None
    error_details: Optional[str] = None       # one task's view only (a stack trace can be long)
    locked: bool = False                      # a live lock held by a worker now


@dataclass(frozen=True)
class TopicView:
    topic: str
    open: int
    available: int            # a worker's fetch would get them now
    locked: int               # held by a worker, lock not expired
    backing_off: int          # failed with retries left, waiting out the retryTimeout
    out_of_retries: int       # retries 0: an incident waits for a person
    workers: int              # distinct workers holding locks
    oldest: Optional[datetime]
    next_expiry: Optional[datetime]


def _view(r, now: datetime, details: bool = False) -> ExternalTaskView:
    live = r.lock_owner is not None and r.lock_expires_at is not None and r.lock_expires_at > now
    return ExternalTaskView(r.id, r.case_id, r.element_id, r.process_key, r.topic, r.priority, r.state, r.retries,
                            r.lock_owner, r.lock_expires_at, r.error_message, r.created_at,
                            getattr(r, "case_number", None), getattr(r, "incident_id", None), r.completed_at,
                            r.completed_by, r.error_details if details else None, live)


def list_external_tasks(ctx, actor: Actor, *, topic: Optional[str] = None, case_id: Optional[int] = None,
                        state: Optional[str] = None, locked: Optional[bool] = None, worker: Optional[str] = None,
                        has_incident: Optional[bool] = None, retries: Optional[int] = None, offset: int = 0,
                        limit: Optional[int] = 50, workers_only: bool = True) -> tuple[list[ExternalTaskView], int]:
    """One page in id order, and how many match. `workers_only`: Camunda's list, for workers and
    administrators; else operators in their scope too."""
    if workers_only:
        worker_access.require_worker(actor)
    if state is not None and state not in STATES:
        raise ValidationError(f"state is one of {', '.join(STATES)}", code="external_task_state_unknown",
                              field="state")
    if limit is not None and not 0 <= limit <= MAX_LIMIT:
        raise ValidationError(f"limit must be between 0 and {MAX_LIMIT}", code="limit_out_of_range",
                              field="limit")
    with ctx.uow.read() as tx:
        units = None if workers_only else worker_access.visible_units(ctx, tx, actor)
        now = ctx.clock.now()
        rows, total = tx.external_tasks.listing(topic=topic, case_id=case_id, state=state, locked=locked, now=now,
                                                offset=offset, limit=limit, units=units, worker=worker,
                                                has_incident=has_incident, retries=retries)
    return [_view(r, now) for r in rows], total


def get_external_task(ctx, actor: Actor, task_id: int) -> ExternalTaskView:
    """One task, with the last failure's details; outside the reader's scope it does not exist."""
    with ctx.uow.read() as tx:
        units = worker_access.visible_units(ctx, tx, actor)
        now = ctx.clock.now()
        rows, _total = tx.external_tasks.listing(task_id=task_id, units=units, limit=1, now=now)
    if not rows:
        raise NotFound(f"External task with id {task_id} does not exist", code="external_task_not_found", field="id")
    return _view(rows[0], now, details=True)


def topics(ctx, actor: Actor) -> list[TopicView]:
    """The open tasks of each topic (in the reader's scope)."""
    with ctx.uow.read() as tx:
        units = worker_access.visible_units(ctx, tx, actor)
        rows = tx.external_tasks.by_topic(ctx.clock.now(), units)
    return [TopicView(r.topic, r.open, r.available, r.locked, r.backing_off, r.out_of_retries, r.workers, r.oldest,
                      r.next_expiry) for r in rows]
