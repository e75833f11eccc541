"""Moving a case through its lawful lifecycle (docs/lifecycle.md#states-and-events; engine/domain/lifecycle.py holds
the table). Every move is checked against the table before anything is written and leaves one
`lifecycle_changed` audit event per step with from/to. Also the two agency commands that end a
case before its decision: 退件 (return) and 不予受理 (not accepted, 行政许可法 Art. 32), and
the cascade they share with 撤件 (withdraw)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import engine.services.cases.documents as documents
from engine.domain import lifecycle as lc
from engine.domain.actor import Actor
from engine.domain.errors import Conflict, Forbidden, ValidationError
from engine.services.accounts import access
from engine.store.uow import Transaction

NOT_ACCEPTED_GROUNDS = ("not_licensable", "outside_competence")     # Art. 32 (1), (2)


def state_of(tx: Transaction, case_id: int) -> str:
    return tx.cases.lifecycle(case_id)


def move(tx: Transaction, loaded, events: list[str], actor: Actor, now: datetime, **payload) -> str:
    """Apply `events` to the locked case (all or none: an invalid one raises before any write)."""
    steps = lc.walk(state_of(tx, loaded.id), events)
    for frm, event, to in steps:
        loaded.audit.add("lifecycle_changed", actor, now, {"from": frm, "to": to, "event": event, **payload})
    if steps:
        tx.cases.set_lifecycle(loaded.id, steps[-1][2])
        loaded.lifecycle = steps[-1][2]          # keep the locked copy current (engine/services/tasks/stages.py)
        return steps[-1][2]
    return state_of(tx, loaded.id)


def require(tx: Transaction, case_id: int, allowed: frozenset, action: str) -> str:
    state = state_of(tx, case_id)
    if state not in allowed:
        raise Conflict(f"a case that is {state} cannot be {action}", code="lifecycle_state_invalid",
                       detail={"from": state})
    return state


def close(ctx, tx: Transaction, loaded, status: str, actor: Actor, now: datetime, event: str, payload: dict) -> int:
    """End a case before its decision: open tasks close, every pending timer is cancelled, the
    clock stops; one audit event says why. Returns the number of tasks closed."""
    tx.tasks.withdraw_offers_of_case(loaded.id)
    closed = tx.tasks.cancel_open_of_case(loaded.id, now)
    tx.timers.cancel_all(loaded.id)
    tx.messages.drop_case(loaded.id)                 # it waits for no message or signal any more
    tx.external_tasks.cancel_case(loaded.id)
    loaded.audit.add(event, actor, now, {**payload, "closed_tasks": closed})
    tx.cases.close(loaded, status, now)
    tx.cases.write_events(loaded)
    ctx.caches.workflows.checkout(loaded.id, loaded.version)     # drop any cached copy: the case is closed
    loaded.version += 1
    loaded.status = status
    return closed


def _reason(reason: Optional[str], code: str) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError("a reason is required (the applicant is told in writing)", code=code, field="reason")
    return reason.strip()[:500]


def _locked_for_agency(ctx, tx: Transaction, case_id: int, actor: Actor):
    loaded = tx.cases.lock(case_id)
    access.require_case_access(ctx, tx, actor, case_id)
    if actor.kind == "applicant":
        raise Forbidden("only the agency can do this; an applicant withdraws her case", code="agency_only")
    if loaded.status != "running":
        raise Conflict(f"case {loaded.number} is {loaded.status}", code="case_not_running")
    return loaded


def return_case(ctx, case_id: int, reason: str, actor: Actor) -> dict:
    """退件: the agency returns a case before its decision, with a 退件通知书 (docs/lifecycle.md#states-and-events)."""
    reason = _reason(reason, "return_reason_required")
    with ctx.uow.begin() as tx:
        loaded = _locked_for_agency(ctx, tx, case_id, actor)
        now = ctx.clock.now()
        move(tx, loaded, ["return"], actor, now, reason=reason)
        doc = documents.issue(tx, loaded, "return_notice", actor, now, reason=reason)
        close(ctx, tx, loaded, "returned", actor, now, "case_returned", {"reason": reason})
        return doc


def check_not_accepted(reason: Optional[str], ground: Optional[str], competent_agency: Optional[str]) -> tuple:
    reason = _reason(reason, "not_accepted_reason_required")
    ground = ground or ("outside_competence" if competent_agency else "not_licensable")
    if ground not in NOT_ACCEPTED_GROUNDS:
        raise ValidationError(f"the ground is one of {', '.join(NOT_ACCEPTED_GROUNDS)}",
                              code="not_accepted_ground_unknown", field="ground")
    agency = (competent_agency or "").strip()[:200] if isinstance(competent_agency, str) else ""
    if ground == "outside_competence" and not agency:
        raise ValidationError("outside this agency's competence: name the agency to apply to (Art. 32 (2))",
                              code="competent_agency_required", field="competent_agency")
    return reason, ground, agency or None


def not_accept_locked(ctx, tx: Transaction, loaded, reason: str, ground: str, agency: Optional[str],
                      actor: Actor, now: datetime) -> dict:
    move(tx, loaded, ["not_accept"], actor, now, reason=reason, ground=ground, competent_agency=agency)
    doc = documents.issue(tx, loaded, "non_acceptance_notice", actor, now, reason=reason, ground=ground,
                          competent_agency=agency)
    close(ctx, tx, loaded, "not_accepted", actor, now, "case_not_accepted",
          {"reason": reason, "ground": ground, "competent_agency": agency})
    return doc


def not_accept(ctx, case_id: int, reason: str, actor: Actor, ground: Optional[str] = None,
               competent_agency: Optional[str] = None) -> dict:
    """不予受理 (Art. 32 (1)(2)): before acceptance, with the reason and, when the item is outside
    this agency's competence, the agency the applicant should apply to."""
    reason, ground, agency = check_not_accepted(reason, ground, competent_agency)
    with ctx.uow.begin() as tx:
        loaded = _locked_for_agency(ctx, tx, case_id, actor)
        return not_accept_locked(ctx, tx, loaded, reason, ground, agency, actor, ctx.clock.now())
