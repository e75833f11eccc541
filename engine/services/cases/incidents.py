"""Raising an incident on a case (docs/integration.md#incidents): what the engine's own work — an
external task out of retries, a timer that failed for good, a script failing in a continuation
nobody is waiting on — could not do. The caller holds the case's lock; the incident and its audit
event are written in the caller's transaction."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from engine.domain.actor import Actor
from engine.domain.case import LoadedCase
from engine.domain.errors import CaseError, LianbanError
from engine.store.uow import Transaction

KINDS = ("external_task", "timer", "script", "signal", "message", "assignment")
# the engine's codes for a script, condition or expression that failed (engine/bpmn/failures.py)
SCRIPT_CODES = frozenset({"case_engine_error", "script_policy_violation", "script_budget_exceeded"})


def kind_of_failure(exc: LianbanError, default: str) -> str:
    """`script` when the workflow's own code failed, else `default` (the work that was being done)."""
    return "script" if isinstance(exc, CaseError) and exc.code in SCRIPT_CODES else default


def element_of(exc: LianbanError) -> Optional[str]:
    detail = getattr(exc, "detail", None)
    return detail.get("element") if isinstance(detail, dict) else None


def raise_incident(tx: Transaction, case: LoadedCase, kind: str, message: str, actor: Actor, now: datetime, *,
                   element: Optional[str], details: Optional[str] = None, external_task_id: Optional[int] = None,
                   timer_id: Optional[int] = None, outbox_id: Optional[int] = None, record: bool = True) -> int:
    """`record=False`: the caller saves the case's workflow, which writes the events and the chain's head."""
    incident_id = tx.incidents.raise_(case_id=case.id, kind=kind, message=message, details=details,
                                      element_id=element, now=now, external_task_id=external_task_id,
                                      timer_id=timer_id, outbox_id=outbox_id)
    case.audit.add("incident_raised", actor, now, {
        "incident": incident_id, "kind": kind, "element": element, "message": message[:500],
        **({"external_task": external_task_id} if external_task_id else {}),
        **({"timer": timer_id} if timer_id else {}),
        **({"outbox": outbox_id} if outbox_id else {})})
    if record:
        tx.cases.record_events(case, now)
    return incident_id
