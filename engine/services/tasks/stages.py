"""The designer's diagram drives the case's lifecycle: completing a user task whose `stage` is set
moves the case as engine/domain/lifecycle.py `stage_events` says, with the same consequences as
the matching command (受理 starts the clock, 补正告知 stops the deemed-acceptance timer, a
decision is recorded with its 决定书, …). Runs inside the task's completion, after the workflow
was saved, in the same transaction: an unlawful move rolls the whole completion back."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from engine.domain import lifecycle as lc
from engine.domain.actor import Actor
from engine.services.cases import documents, lifecycle
from engine.services import ratings
from engine.services.delivery import handover
from engine.services.time_limits import delivery_cards, sla_clock
from engine.store.uow import Transaction


def _opinion(data: dict) -> Optional[str]:
    for key in ("reason", "opinion", "notice"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:2000]
    return None


def _accept(ctx, tx, loaded, data, actor, now):
    clock = tx.clocks.of(loaded.id)
    if clock.clock_status == "pre_acceptance":
        sla_clock.accept_locked(ctx, tx, loaded, clock, actor, now)
    else:
        lifecycle.move(tx, loaded, ["accept"], actor, now)


def _request_correction(ctx, tx, loaded, data, actor, now):
    notice = _opinion(data) or "请补正申请材料"
    sla_clock.notify_correction_locked(ctx, tx, loaded, tx.clocks.of(loaded.id), notice, actor, now)


def _not_accept(ctx, tx, loaded, data, actor, now):
    reason, ground, agency = lifecycle.check_not_accepted(_opinion(data), data.get("ground"),
                                                          data.get("competent_agency"))
    lifecycle.not_accept_locked(ctx, tx, loaded, reason, ground, agency, actor, now)


def _decide(ctx, tx, loaded, data, actor, now):
    decision = lc.decision_of(data)
    lifecycle.move(tx, loaded, ["decide"], actor, now, decision=decision)
    tx.cases.record_decision(loaded.id, decision, now)
    documents.issue(tx, loaded, "grant_decision" if decision == "granted" else "refusal_decision", actor, now,
                    opinion=_opinion(data))
    if decision == "granted":
        delivery_cards.schedule(ctx, tx, loaded, actor, now)      # Art. 44: deliver within 10 working days


def _deliver(ctx, tx, loaded, data, actor, now):
    handover.deliver_locked(ctx, tx, loaded, handover.from_form(data), actor, now)


def _joint_decision(tx, loaded, data, actor, now) -> bool:
    """A joint item (联办, Art. 26) has one result: its departments' decisions arrive one by one,
    and any refusal refuses the whole."""
    decision = lc.decision_of(data)
    current = tx.cases.decision(loaded.id)
    if decision == "refused" and current == "granted":
        tx.cases.record_decision(loaded.id, decision, now)
        loaded.audit.add("decision_changed", actor, now, {"from": current, "to": decision})
        documents.issue(tx, loaded, "refusal_decision", actor, now, opinion=_opinion(data))
        delivery_cards.cancel(tx, loaded.id)                       # no licence to deliver any more
        return True
    return False


_HANDLERS = {"accept": _accept, "request_correction": _request_correction, "not_accept": _not_accept,
             "decide": _decide, "deliver": _deliver}


def on_task_completed(ctx, tx: Transaction, loaded, stage: Optional[str], data: dict, actor: Actor,
                      now: datetime) -> None:
    """After `progress.save` of a completion: the stage's events, then 办结 when the workflow
    ended on a decided case."""
    ended = loaded.status == "completed"
    if stage is None and not ended:
        return
    # the lifecycle as locked (nothing in a completion moved it before this point)
    state = loaded.lifecycle if loaded.lifecycle is not None else lifecycle.state_of(tx, loaded.id)
    events = lc.stage_events(state, stage, data or {})
    steps = lc.walk(state, events)              # an unlawful move fails here, before any write
    final = steps[-1][2] if steps else state
    if ended and final == lc.DECIDED:
        events.append("complete")
    amended = stage == "decided" and state == lc.DECIDED and _joint_decision(tx, loaded, data or {}, actor, now)
    if not events and not amended:
        return
    for event in events:
        handler = _HANDLERS.get(event)
        if handler is None:
            lifecycle.move(tx, loaded, [event], actor, now, stage=stage)
        else:
            handler(ctx, tx, loaded, data or {}, actor, now)
    if "complete" in events:
        ratings.on_case_finished(ctx, tx, loaded.id, now)      # 一事一评: the applicant is invited
    tx.cases.record_events(loaded, now)
