"""Starting the cases of due start schedules (the scheduler's sweep, `lianban fire-timers`).

Each due time starts one case, exactly once, in one transaction with the move of the schedule to
its next time: the claim is a conditional update (`... WHERE next_due_at = <the due time>`), so a
second worker that read the same due time finds it moved and starts nothing, and
`start_schedule_run`'s unique key (schedule, due time) refuses a second start of the same time
should the claim ever let one through. Missed times (no worker ran) start one case, for the
earliest, and the schedule moves to its first time after now."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Optional

import engine.services.start_schedules.schedules as schedules
from engine.bpmn.start_timers import next_due
from engine.domain.actor import Actor
from engine.domain.clock import as_utc
from engine.domain.errors import Conflict, LianbanError, Unavailable
from engine.services import cases
from engine.store.repositories.start_schedules import ACTIVE

log = logging.getLogger(__name__)

APPLICANT = {"name": "系统（定时启动）"}       # the case's applicant: the system, no person applied


def fire_due(ctx, worker: str = "worker", limit: Optional[int] = None) -> int:
    """Start a case for every schedule due now (up to `limit`); returns how many started."""
    now = ctx.clock.now()
    with ctx.uow.read() as tx:
        due = tx.start_schedules.due(now, limit or ctx.settings.timer_batch_size)
    return sum(fire_one(ctx, row.id, as_utc(row.next_due_at), worker) for row in due)


def fire_one(ctx, schedule_id: int, due_at: datetime, worker: str) -> int:
    """1 when this call started the due time's case; 0 when another worker took it, the schedule
    changed meanwhile, or the start failed (recorded on the schedule, the time skipped)."""
    actor = Actor.system(f"schedule:{worker}")
    try:
        with ctx.uow.begin() as tx:
            row = tx.start_schedules.get(schedule_id)
            if not _still_due(row, due_at):
                return 0
            now = ctx.clock.now()
            if not tx.start_schedules.claim(schedule_id, due_at, _following(row, now), now):
                return 0
            started = cases.start_case(ctx, cases.StartCase(row.item_code, row.window_id, dict(APPLICANT), {},
                                                            "window", internal=True), actor, tx=tx)
            tx.start_schedules.record_run(schedule_id, due_at, worker, now, case_id=started.case_id)
            tx.start_schedules.change(schedule_id, last_case_id=started.case_id, last_error=None)
            return 1
    except Conflict as exc:
        if exc.code == "start_schedule_taken":
            return 0
        _record_failure(ctx, schedule_id, due_at, worker, actor, exc)
    except Unavailable:
        raise              # the database is away: the due time stays, the next sweep takes it
    except LianbanError as exc:
        _record_failure(ctx, schedule_id, due_at, worker, actor, exc)
    return 0


def _still_due(row, due_at: datetime) -> bool:
    return row is not None and row.status == ACTIVE and row.next_due_at is not None \
        and as_utc(row.next_due_at) == due_at


def _following(row, now: datetime) -> Optional[datetime]:
    return next_due(schedules.timer_of(row), as_utc(row.anchor_at), now)


def _record_failure(ctx, schedule_id: int, due_at: datetime, worker: str, actor: Actor, exc: LianbanError) -> None:
    """The case could not be started (its window closed, the item retired, a required application
    field): the due time is taken all the same, with the error, so a broken schedule does not
    retry every sweep; the schedule keeps its next times and says what went wrong."""
    log.warning("start schedule %s, due %s: %s", schedule_id, due_at.isoformat(), exc)
    message = f"{exc.code}: {exc.message}"[:500]
    with ctx.uow.begin() as tx:
        row = tx.start_schedules.get(schedule_id)
        now = ctx.clock.now()
        if not _still_due(row, due_at) or not tx.start_schedules.claim(schedule_id, due_at, _following(row, now), now):
            return
        tx.start_schedules.record_run(schedule_id, due_at, worker, now, error=message)
        tx.start_schedules.change(schedule_id, last_error=message)
        tx.events.append("system", "start_schedule_failed", actor, now, {
            "process": row.process_key, "schedule": schedule_id, "due_at": due_at.isoformat(), "error": message})
