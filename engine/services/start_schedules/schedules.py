"""Activating and reading a process's start schedule (its timer start event): an administrator or
designer names the window that receives the cases (docs/camunda-bpmn.md#timer-start-events)."""
from __future__ import annotations

from typing import Optional

from engine.bpmn.start_timers import StartTimer, next_due
from engine.domain.actor import Actor
from engine.domain.errors import NotFound, ValidationError
from engine.services import catalogue
from engine.services.accounts import access, org
from engine.services.cases import applying
from engine.store.repositories.start_schedules import ACTIVE, INACTIVE
from engine.store.uow import Transaction

ROLES = ("admin", "designer")


def timer_of(row) -> StartTimer:
    return StartTimer(row.element_id, row.timer_kind, row.timer_text)


def _current(tx: Transaction, key: str, lock: bool = False):
    rows = tx.start_schedules.current(key, lock=lock)
    if not rows:
        raise NotFound(f"process {key!r} has no timer start event in its newest version",
                       code="start_schedule_not_found", field="key")
    return rows[0]          # the deploy refuses a timer start beside another start event: one per version


def set_schedule(ctx, actor: Actor, key: str, active: bool, window_id: Optional[int] = None,
                 item_code: Optional[str] = None) -> dict:
    """Activate the schedule (it starts a case at each of its times, received at `window_id`, of
    the published item that runs the process, or the one `item_code` names) or deactivate it.
    Activating counts its times from now: a date already past is refused, missed times are not."""
    access.require_role(actor, *ROLES)
    with ctx.uow.begin() as tx:
        row = _current(tx, key, lock=True)
        now = ctx.clock.now()
        if active:
            if window_id is None:
                raise ValidationError("name the window that receives the cases the schedule starts",
                                      code="start_schedule_window_required", field="window_id")
            item = catalogue.item_of_process(tx, key, item_code, "item_code", starter="its start schedule")
            window = org.window(ctx, tx, window_id)
            catalogue.require_accepting_tier(ctx, tx, tx.catalogue.published_for_start(item.code).id, window)
            due = next_due(timer_of(row), now, now)
            if due is None:
                raise ValidationError(f"the timer {row.timer_text!r} has no time after now: it would start nothing",
                                      code="start_schedule_ended", field="active")
            values = {"status": ACTIVE, "window_id": window.id, "item_code": item.code,
                      "anchor_at": now, "next_due_at": due, "last_error": None}
        else:
            values = {"status": INACTIVE, "next_due_at": None}
        tx.start_schedules.change(row.id, changed_by=actor.username[:128], updated_at=now, **values)
        tx.events.append("system", "start_schedule_changed", actor, now, {
            "process": key, "definition": row.definition_id, "element": row.element_id, "active": active,
            "window": values.get("window_id"), "item": values.get("item_code"),
            "next_due_at": values["next_due_at"].isoformat() if values["next_due_at"] else None})
        return _view(tx, tx.start_schedules.get(row.id))


def get_schedule(ctx, actor: Actor, key: str) -> dict:
    """The schedule (`_view`) and what its activation may name: the published items that run the
    process, each with the windows a case of it may start at (`choices`, what the studio's form
    offers; set_schedule checks the same)."""
    access.require_role(actor, *ROLES)
    with ctx.uow.read() as tx:
        row = _current(tx, key)
        return {**_view(tx, row), "choices": _choices(ctx, tx, key, row.definition_id)}


def _choices(ctx, tx: Transaction, key: str, definition_id: int) -> list[dict]:
    choices = []
    for published in catalogue.items_of_process(tx, key):
        item = tx.catalogue.published_for_application(published.code)
        windows = applying.receiving_windows(ctx, tx, item, definition_id)
        choices.append({"code": item.code, "local_code": item.local_code, "name": item.name,
                        "windows": [{"id": w.id, "code": w.code, "name": w.name, "unit_name": w.unit_name,
                                     "tier": w.tier} for w in windows]})
    return choices


def _view(tx: Transaction, row) -> dict:
    return {"process_key": row.process_key, "definition_id": row.definition_id, "element_id": row.element_id,
            "timer": {"kind": row.timer_kind, "text": row.timer_text}, "status": row.status,
            "active": row.status == ACTIVE, "window_id": row.window_id, "item_code": row.item_code,
            "next_due_at": row.next_due_at, "last_case_id": row.last_case_id, "last_error": row.last_error,
            "updated_at": row.updated_at, "changed_by": row.changed_by,
            "runs": [{"due_at": r.due_at, "case_id": r.case_id, "error": r.error, "at": r.created_at}
                     for r in tx.start_schedules.runs(row.id)]}
