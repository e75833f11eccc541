"""Retrying and resolving an incident. Each is audited on the case's chain.

Retry: an external task gets retries 1 and no lock, so a worker fetches it again; a timer is
pending again and fired at once (a new failure raises a new incident); an assignment is computed
again (a value still refused is 409 and the incident stays open). Either way the incident
is resolved as `retried`. Resolve: closed with a note, nothing else changes (the person fixed it
another way, or decided nothing is to be done)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

from engine.domain.actor import Actor
from engine.domain.errors import Conflict, ValidationError
import engine.services.cases.assignment as assignment
from engine.services import time_limits
from engine.services.incidents.reading import IncidentView, view, visible_incident

MAX_NOTE = 1000


@dataclass(frozen=True)
class Retried:
    incident: IncidentView
    timer_fired: Optional[bool] = None       # a timer's retry: did it fire this time


def _open_incident(ctx, tx, actor: Actor, incident_id: int):
    row = visible_incident(ctx, tx, actor, incident_id)
    case = tx.cases.lock(row.case_id)                     # the case first, then its rows
    row = visible_incident(ctx, tx, actor, incident_id, lock=True)
    if row.state != "open":
        raise Conflict(f"incident {incident_id} is resolved already", code="incident_not_open", field="id")
    return case, row


def retry(ctx, actor: Actor, incident_id: int) -> Retried:
    timer_id = None
    with ctx.uow.begin() as tx:
        case, row = _open_incident(ctx, tx, actor, incident_id)
        now = ctx.clock.now()
        if row.external_task_id is not None:
            task = tx.external_tasks.get(row.external_task_id)
            if task.state != "open":
                raise Conflict(f"external task {task.id} is {task.state}: nothing to retry; resolve the incident",
                               code="incident_not_retryable", field="id")
            tx.external_tasks.set_retries(task.id, 1)
        elif row.timer_id is not None:
            if not tx.timers.rearm(row.timer_id, max(ctx.settings.timer_max_attempts - 1, 0)):
                raise Conflict(f"timer {row.timer_id} is not failed: nothing to retry; resolve the incident",
                               code="incident_not_retryable", field="id")
            timer_id = row.timer_id
        elif row.kind == assignment.KIND:
            # who the step is given to is computed again from the mended data or accounts
            assignment.retry(ctx, tx, case, row.element_id, actor, now)
        elif row.outbox_id is not None:
            # a signal thrown by another case whose delivery here failed, or a message this case
            # threw that found no receiver or several: delivered again by the scheduler's next pass
            # (engine/services/messages/outbox.py); a message with a fresh time to live
            thrown = tx.outbox.get(row.outbox_id)
            ttl = (now + timedelta(seconds=ctx.settings.message_ttl_seconds)
                   if thrown is not None and thrown.kind == "message" else None)
            tx.outbox.forget_failure(row.outbox_id, case.id, expires_at=ttl)
        else:
            raise Conflict("this incident has nothing to retry; resolve it", code="incident_not_retryable", field="id")
        tx.incidents.resolve(incident_id, actor.username, "retried", None, now)
        case.audit.add("incident_retried", actor, now, {"incident": incident_id, "kind": row.kind,
                                                        "element": row.element_id})
        tx.cases.record_events(case, now)
    fired = time_limits.retry_now(ctx, timer_id) == 1 if timer_id is not None else None
    with ctx.uow.read() as tx:
        return Retried(view(tx.incidents.get(incident_id)), fired)


def resolve(ctx, actor: Actor, incident_id: int, note: Optional[str]) -> IncidentView:
    note = (note or "").strip()
    if not note:
        raise ValidationError("resolving an incident needs a note (what was done)", code="incident_note_required",
                              field="note")
    if len(note) > MAX_NOTE:
        raise ValidationError(f"a note has at most {MAX_NOTE} characters", code="incident_note_too_long", field="note")
    with ctx.uow.begin() as tx:
        case, row = _open_incident(ctx, tx, actor, incident_id)
        now = ctx.clock.now()
        tx.incidents.resolve(incident_id, actor.username, "resolved", note, now)
        case.audit.add("incident_resolved", actor, now, {"incident": incident_id, "kind": row.kind,
                                                         "element": row.element_id, "note": note[:500]})
        tx.cases.record_events(case, now)
        return view(tx.incidents.get(incident_id))
