"""Listing incidents, one incident, and the open count (the supervisor dashboard's tile)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

import engine.services.incidents.scope as scope
from engine.domain.actor import Actor
from engine.domain.errors import NotFound, ValidationError
from engine.services.cases.incidents import KINDS
from engine.store.uow import Transaction

STATES = ("open", "resolved")
MAX_LIMIT = 200


@dataclass(frozen=True)
class IncidentView:
    id: int
    case_id: int
    case_number: str
    org_unit_id: int
    process_key: str
    element_id: Optional[str]
    kind: str
    message: str
    details: Optional[str]
    state: str
    external_task_id: Optional[int]
    timer_id: Optional[int]
    created_at: datetime
    resolved_at: Optional[datetime]
    resolved_by: Optional[str]
    resolution: Optional[str]
    note: Optional[str]
    outbox_id: Optional[int] = None     # a thrown signal whose delivery to this case failed


def view(row) -> IncidentView:
    return IncidentView(row.id, row.case_id, row.number, row.org_unit_id, row.process_key, row.element_id, row.kind,
                        row.message, row.details, row.state, row.external_task_id, row.timer_id, row.created_at,
                        row.resolved_at, row.resolved_by, row.resolution, row.note, row.outbox_id)


def list_incidents(ctx, actor: Actor, *, state: Optional[str] = None, kind: Optional[str] = None,
                   case_id: Optional[int] = None, process_key: Optional[str] = None,
                   element_id: Optional[str] = None, offset: int = 0,
                   limit: int = 50) -> tuple[list[IncidentView], int]:
    """Newest first, one page, and how many match."""
    if state is not None and state not in STATES:
        raise ValidationError(f"state is one of {', '.join(STATES)}", code="incident_state_unknown", field="state")
    if kind is not None and kind not in KINDS:
        raise ValidationError(f"kind is one of {', '.join(KINDS)}", code="incident_kind_unknown", field="kind")
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"limit must be between 1 and {MAX_LIMIT}", code="limit_out_of_range", field="limit")
    with ctx.uow.read() as tx:
        units = scope.visible_units(ctx, tx, actor)
        rows, total = tx.incidents.listing(units=units, state=state, kind=kind, case_id=case_id,
                                           process_key=process_key, element_id=element_id, offset=offset,
                                           limit=limit)
    return [view(r) for r in rows], total


def get_incident(ctx, actor: Actor, incident_id: int) -> IncidentView:
    with ctx.uow.read() as tx:
        return view(visible_incident(ctx, tx, actor, incident_id))


def visible_incident(ctx, tx: Transaction, actor: Actor, incident_id: int, lock: bool = False):
    units = scope.visible_units(ctx, tx, actor)
    row = tx.incidents.get(incident_id, lock=lock)
    if row is None or (units is not None and row.org_unit_id not in units):
        # outside one's scope reads as absent: its existence is not the supervisor's to learn
        raise NotFound(f"incident {incident_id} does not exist", code="incident_not_found", field="id")
    return row


def count_open(tx: Transaction, units: Optional[list[int]]) -> int:
    """Open incidents of cases received in `units` (None: all): the dashboard's tile."""
    return tx.incidents.count_open(units)
