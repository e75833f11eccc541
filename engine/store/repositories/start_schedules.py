"""Start schedules: the timer start events of deployed versions, and the due times they took
(docs/camunda-bpmn.md#timer-start-events)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from engine.domain.errors import Conflict
from engine.store import tables as t
from engine.store.repositories.base import Repository

_S = t.start_schedule.c
_R = t.start_schedule_run.c
ACTIVE, INACTIVE, FINISHED, REPLACED = "active", "inactive", "finished", "replaced"


class StartSchedules(Repository):
    __slots__ = ()

    def add(self, definition_id: int, process_key: str, timers: list, now: datetime) -> None:
        """Each timer (engine.bpmn.start_timers.StartTimer) of a version just deployed, inactive."""
        if timers:
            self.conn.execute(t.start_schedule.insert(), [
                {"definition_id": definition_id, "process_key": process_key, "element_id": tm.element[:255],
                 "timer_kind": tm.kind, "timer_text": tm.text[:255], "status": INACTIVE, "created_at": now,
                 "updated_at": now} for tm in timers])

    def replace_older(self, process_key: str, definition_id: int, now: datetime) -> list:
        """End the schedules of the process's other versions (a new version replaces them); the rows
        that were active before, so the deployment can say they stopped."""
        older = (_S.process_key == process_key, _S.definition_id != definition_id, _S.status != REPLACED)
        stopped = self.conn.execute(select(_S.id, _S.element_id, _S.window_id)
                                    .where(*older, _S.status == ACTIVE)).all()
        self.conn.execute(update(t.start_schedule).where(*older)
                          .values(status=REPLACED, next_due_at=None, updated_at=now))
        return stopped

    def current(self, process_key: str, lock: bool = False) -> list:
        """The schedules of the process's newest version that has any (none replaced), by element."""
        query = (select(t.start_schedule).where(_S.process_key == process_key[:128], _S.status != REPLACED)
                 .order_by(_S.element_id))
        if lock:
            query = query.with_for_update()
        return self.conn.execute(query).all()

    def get(self, schedule_id: int):
        return self.conn.execute(select(t.start_schedule).where(_S.id == schedule_id)).first()

    def change(self, schedule_id: int, **values) -> None:
        self.conn.execute(update(t.start_schedule).where(_S.id == schedule_id).values(**values))

    def due(self, now: datetime, limit: int) -> list:
        """(id, next_due_at) of the active schedules due at `now`, earliest first."""
        return self.conn.execute(select(_S.id, _S.next_due_at)
                                 .where(_S.status == ACTIVE, _S.next_due_at <= now)
                                 .order_by(_S.next_due_at, _S.id).limit(limit)).all()

    def claim(self, schedule_id: int, due_at: datetime, next_due: Optional[datetime], now: datetime) -> bool:
        """Take the due time: move the schedule on to `next_due` if it is still active and still due
        at `due_at`. A second worker's claim waits for the first's commit (PostgreSQL re-reads the
        row) or its BEGIN IMMEDIATE (SQLite), then finds the time moved and takes nothing."""
        done = self.conn.execute(update(t.start_schedule)
                                 .where(_S.id == schedule_id, _S.status == ACTIVE, _S.next_due_at == due_at)
                                 .values(next_due_at=next_due, status=ACTIVE if next_due else FINISHED,
                                         updated_at=now))
        return done.rowcount == 1

    def record_run(self, schedule_id: int, due_at: datetime, worker: str, now: datetime,
                   case_id: Optional[int] = None, error: Optional[str] = None) -> None:
        """One row per (schedule, due time): a second one is a Conflict (the time was taken)."""
        try:
            self.conn.execute(t.start_schedule_run.insert(), {
                "schedule_id": schedule_id, "due_at": due_at, "case_id": case_id,
                "error": error[:500] if error else None, "worker": worker[:128], "created_at": now})
        except IntegrityError:
            raise Conflict("this due time has started its case already", code="start_schedule_taken") from None

    def runs(self, schedule_id: int, limit: int = 20) -> list:
        """The latest due times taken (newest first): due time, case, error."""
        return self.conn.execute(select(_R.due_at, _R.case_id, _R.error, _R.created_at)
                                 .where(_R.schedule_id == schedule_id)
                                 .order_by(_R.due_at.desc()).limit(limit)).all()
