"""Timer rows: every pending wake-up of a case — BPMN timers, the case's and the steps' yellow and
red cards, deemed acceptance, the Art. 44 delivery cards — indexed by due time, so the scheduler
finds due work without loading any case. A timer is pending until it fires (once), is cancelled,
or fails for good after its attempts."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable, Optional

from sqlalchemy import bindparam, or_, select, update

from engine.domain.sla import ACCEPTANCE_DUE, BPMN_TIMER, CASE_CARDS, DELIVERY_CARDS, STEP_CARDS
from engine.store import tables as t
from engine.store.fast import FastRead, FastWrite
from engine.store.repositories.base import Repository
from engine.store.repositories.cases import CASE_COLUMNS, case_from_row

_T = t.timer.c
_INSERT = FastWrite(t.timer.insert())
_CANCEL_CASE_CARDS = FastWrite(update(t.timer).where(
    _T.case_id == bindparam("cid"), or_(*(_T.kind == k for k in CASE_CARDS)), _T.state == "pending")
    .values(state="cancelled"))
_CANCEL_STEP_CARDS = FastWrite(update(t.timer).where(
    _T.ref == bindparam("tid"), or_(*(_T.kind == k for k in STEP_CARDS)), _T.state == "pending")
    .values(state="cancelled"))
# the Art. 44 delivery cards outlive 办结: a granted case is closed when the licence is made, and
# delivered after (engine/services/time_limits/delivery_cards.py)
_CANCEL_CLOCK_TIMERS = FastWrite(update(t.timer).where(
    _T.case_id == bindparam("cid"), *(_T.kind != k for k in (BPMN_TIMER, *DELIVERY_CARDS)), _T.state == "pending")
    .values(state="cancelled"))
_CLOSE_BPMN = FastWrite(update(t.timer).where(
    _T.case_id == bindparam("cid"), _T.kind == BPMN_TIMER, _T.ref == bindparam("b_ref"),
    _T.due_at == bindparam("due"), _T.state == "pending")
    .values(state=bindparam("new_state"), fired_at=bindparam("fired_at")))


# a migration renames the element of a waiting BPMN timer (its catching task stays the same)
_RENAME_BPMN = FastWrite(update(t.timer).where(
    _T.case_id == bindparam("cid"), _T.kind == BPMN_TIMER, _T.ref == bindparam("b_ref"), _T.state == "pending")
    .values(element=bindparam("b_element")))
# the sweep: due timers not backing off after a failure, oldest first; on PostgreSQL those whose
# row another worker holds (it is firing them) are skipped
_DUE = (select(_T.id).where(_T.state == "pending", _T.due_at <= bindparam("now"),
                            or_(_T.retry_at.is_(None), _T.retry_at <= bindparam("now")))
        .order_by(_T.due_at, _T.id).limit(bindparam("n")))
_DUE_PG, _DUE_SQLITE = FastRead(_DUE.with_for_update(skip_locked=True)), FastRead(_DUE)
# firing one: the pending timer and its case, both locked in one statement; PostgreSQL skips a
# timer or a case that another transaction holds (another worker, a clerk's command)
_FOR_FIRING = (select(_T.id, _T.kind, _T.ref, _T.state, _T.attempts, _T.due_at.label("timer_due_at"),
                      t.case.c.state.label("state_json"),
                      *CASE_COLUMNS)
               .join_from(t.timer, t.case, t.case.c.id == _T.case_id)
               .where(_T.id == bindparam("tid"), _T.state == "pending"))
_FOR_FIRING_PG = FastRead(_FOR_FIRING.with_for_update(of=(t.timer, t.case), skip_locked=True))
_FOR_FIRING_SQLITE = FastRead(_FOR_FIRING)
_STATE = FastRead(select(_T.state).where(_T.id == bindparam("tid")))
_MARK_ATTEMPT = FastWrite(update(t.timer).where(_T.id == bindparam("tid"))
                          .values(locked_by=bindparam("worker"), attempts=_T.attempts + 1))


def _row(case_id: int, kind: str, ref: str, due_at: datetime, now: datetime, element: Optional[str]) -> dict:
    return {"case_id": case_id, "kind": kind, "ref": ref, "element": element, "due_at": due_at, "state": "pending",
            "attempts": 0, "last_error": None, "retry_at": None, "locked_by": None, "fired_at": None,
            "created_at": now}


class Timers(Repository):
    __slots__ = ()

    # --- scheduling -----------------------------------------------------------------------------

    def schedule(self, case_id: int, kind: str, ref: str, due_at: datetime, now: datetime,
                 element: Optional[str] = None) -> None:
        _INSERT.write(self.conn, _row(case_id, kind, ref, due_at, now, element))

    def schedule_many(self, entries: Iterable[tuple], now: datetime) -> None:
        """Each entry (case_id, kind, ref, due_at, element)."""
        rows = [_row(case_id, kind, ref, due, now, element) for case_id, kind, ref, due, element in entries]
        if rows:
            _INSERT.write(self.conn, rows)

    # --- cancelling -----------------------------------------------------------------------------

    def cancel_case_cards(self, case_id: int) -> None:
        _CANCEL_CASE_CARDS.write(self.conn, {"cid": case_id})

    def cancel_step_cards(self, task_ids: list[str]) -> None:
        if task_ids:
            _CANCEL_STEP_CARDS.write(self.conn, [{"tid": tid} for tid in task_ids])

    def cancel_clock_timers(self, case_id: int) -> None:
        """Everything the clock scheduled (cards, deemed acceptance, step cards); not the BPMN
        timers (the workflow owns them) nor the delivery cards (they outlive 办结)."""
        _CANCEL_CLOCK_TIMERS.write(self.conn, {"cid": case_id})

    def cancel_kinds(self, case_id: int, kinds: tuple[str, ...]) -> int:
        return self.conn.execute(update(t.timer).where(_T.case_id == case_id, _T.kind.in_(kinds),
                                                       _T.state == "pending").values(state="cancelled")).rowcount

    def cancel_acceptance_due(self, case_id: int) -> None:
        self.cancel_kinds(case_id, (ACCEPTANCE_DUE,))

    def cancel_all(self, case_id: int) -> None:
        self.conn.execute(update(t.timer).where(_T.case_id == case_id, _T.state == "pending")
                          .values(state="cancelled"))

    def close_bpmn(self, case_id: int, closed: list[tuple], now: datetime) -> None:
        """BPMN timers that left the workflow, each (task id, due, fired?): fired ones get `now`."""
        if closed:
            _CLOSE_BPMN.write(self.conn, [{"cid": case_id, "b_ref": ref, "due": due,
                                             "new_state": "fired" if fired else "cancelled",
                                             "fired_at": now if fired else None} for ref, due, fired in closed])

    def rename_bpmn(self, case_id: int, renamed: dict) -> None:
        """Pending BPMN timers whose catching task now belongs to another element: task id ->
        element id."""
        if renamed:
            _RENAME_BPMN.execute(self.conn, [{"cid": case_id, "b_ref": ref, "b_element": element}
                                             for ref, element in renamed.items()])

    # --- the scheduler's side -------------------------------------------------------------------

    def due_ids(self, now: datetime, limit: int) -> list[int]:
        """Pending timers due at `now` and not backing off after a failure, oldest first (on
        PostgreSQL without those another worker is firing right now)."""
        return [row.id for row in (_DUE_PG if self.postgres else _DUE_SQLITE).all(self.conn, {"now": now, "n": limit})]

    def case_of_pending(self, timer_id: int) -> Optional[int]:
        """The case of a timer still pending (a failure is recorded against it), or None."""
        return self.conn.execute(select(_T.case_id).where(_T.id == timer_id, _T.state == "pending")).scalar()

    def lock_for_firing(self, timer_id: int):
        """(the timer with its case's workflow state as `state_json`, the case as locked) when
        the timer is still pending and nobody else holds either (PostgreSQL: SKIP LOCKED; SQLite
        has one writer), else None."""
        row = (_FOR_FIRING_PG if self.postgres else _FOR_FIRING_SQLITE).first(self.conn, {"tid": timer_id})
        return None if row is None else (row, case_from_row(row))

    def get(self, timer_id: int):
        """(id, kind, ref, state, attempts, due_at), or None."""
        return self.conn.execute(select(_T.id, _T.kind, _T.ref, _T.state, _T.attempts, _T.due_at)
                                 .where(_T.id == timer_id)).first()

    def element(self, timer_id: int) -> Optional[str]:
        return self.conn.execute(select(_T.element).where(_T.id == timer_id)).scalar()

    def rearm(self, timer_id: int, attempts: int) -> bool:
        """A failed timer pending again, due at once (an incident's retry); False if it was not failed."""
        return self.conn.execute(update(t.timer).where(_T.id == timer_id, _T.state == "failed")
                                 .values(state="pending", attempts=attempts, retry_at=None)).rowcount == 1

    def state(self, timer_id: int) -> Optional[str]:
        row = _STATE.first(self.conn, {"tid": timer_id})
        return None if row is None else row.state

    def mark_fired(self, timer_id: int, now: datetime, attempts: int) -> None:
        self.conn.execute(update(t.timer).where(_T.id == timer_id).values(state="fired", fired_at=now,
                                                                          attempts=attempts))

    def mark_attempt(self, timer_id: int, worker: str) -> None:
        """A BPMN timer the workflow is about to fire: who tried, one attempt more (the workflow's
        save marks it fired)."""
        _MARK_ATTEMPT.write(self.conn, {"tid": timer_id, "worker": worker})

    def record_failure(self, timer_id: int, attempts: int, error: str, retry_at: datetime, failed: bool) -> None:
        values = {"attempts": attempts, "last_error": error[:2000], "retry_at": retry_at}
        if failed:
            values["state"] = "failed"
        self.conn.execute(update(t.timer).where(_T.id == timer_id).values(**values))

    def latest_due(self, case_id: int, kind: str) -> Optional[datetime]:
        return self.conn.execute(select(_T.due_at).where(_T.case_id == case_id, _T.kind == kind)
                                 .order_by(_T.id.desc())).scalar()
