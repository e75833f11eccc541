"""A case's legal clock as stored: the clock columns of its row (status, acceptance, limits,
deadlines, card), its pauses (case_pause) and its one extension (case_extension)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import select, update

from engine.domain import deadlines as dl
from engine.domain.clock import as_utc
from engine.domain.sla import CaseClock
from engine.store import tables as t
from engine.store.models import CaseExtension, CasePause
from engine.store.repositories.base import Repository

_C = t.case.c
_PAUSE = CasePause.__table__
_EXTENSION = CaseExtension.__table__
_CLOCK = select(*(_C[name] for name in CaseClock.__dataclass_fields__))


class Clocks(Repository):
    __slots__ = ()

    def of(self, case_id: int) -> CaseClock:
        row = self.conn.execute(_CLOCK.where(_C.id == case_id)).one()
        return CaseClock(**row._mapping)

    def write(self, case_id: int, *, clock_status: str, warning: str, calendar_version: int,
              deadlines: Optional[tuple] = None) -> None:
        """The clock's state and card; with `deadlines` (promise_due, legal_due, provisional) also
        the deadlines (a paused clock keeps the ones it had)."""
        values = {"clock_status": clock_status, "warning": warning, "calendar_version": calendar_version}
        if deadlines is not None:
            values.update(promise_due=deadlines[0], legal_due=deadlines[1], deadline_provisional=deadlines[2])
        self.conn.execute(update(t.case).where(_C.id == case_id).values(**values))

    def accept(self, case_id: int, accepted_at: datetime, deemed: bool, deemed_on: Optional[date] = None) -> None:
        """Acceptance at `accepted_at`; `deemed_on`: the working day it counts from when it fell on
        a non-working day."""
        self.conn.execute(update(t.case).where(_C.id == case_id).values(accepted_at=accepted_at,
                                                                        deemed_accepted=deemed,
                                                                        deemed_accepted_on=deemed_on))

    def clear_acceptance_due(self, case_id: int) -> None:
        self.conn.execute(update(t.case).where(_C.id == case_id).values(acceptance_due=None))

    # --- pauses ------------------------------------------------------------------------------------

    def pauses(self, case_id: int) -> list[dl.Span]:
        """The case's pauses as spans of Asia/Shanghai days (the open one has no end)."""
        rows = self.conn.execute(select(_PAUSE.c.started_at, _PAUSE.c.ended_at).where(_PAUSE.c.case_id == case_id))
        return [dl.Span(dl.local_date(as_utc(r.started_at)), dl.local_date(as_utc(r.ended_at)) if r.ended_at else None)
                for r in rows]

    def start_pause(self, case_id: int, kind: str, procedure: Optional[str], reason: str, notice: str,
                    now: datetime, by: str) -> None:
        self.conn.execute(_PAUSE.insert().values(case_id=case_id, kind=kind, procedure=procedure, reason=reason,
                                                 notice=notice, started_at=now, started_by=by))

    def end_pause(self, case_id: int, now: datetime, by: str, result: str) -> None:
        self.conn.execute(update(_PAUSE).where(_PAUSE.c.case_id == case_id, _PAUSE.c.ended_at.is_(None))
                          .values(ended_at=now, ended_by=by, result=result))

    # --- the extension -----------------------------------------------------------------------------

    def has_extension(self, case_id: int) -> bool:
        return self.conn.execute(select(_EXTENSION.c.id).where(_EXTENSION.c.case_id == case_id)).first() is not None

    def add_extension(self, case_id: int, amount: int, reason: str, by: str, now: datetime) -> None:
        self.conn.execute(_EXTENSION.insert().values(case_id=case_id, amount=amount, reason=reason, approved_by=by,
                                                     approved_at=now))
        self.conn.execute(update(t.case).where(_C.id == case_id).values(extension_amount=amount))

    def item_category(self, item_id: int) -> Optional[str]:
        return self.conn.execute(select(t.item_implementation.c.category)
                                 .where(t.item_implementation.c.id == item_id)).scalar()

    # --- many cases --------------------------------------------------------------------------------

    def running_due_after(self, lo: datetime) -> list[int]:
        """Cases whose clock runs (or is paused) with a deadline at or after `lo`, or no promise."""
        return list(self.conn.execute(select(_C.id).where(
            _C.clock_status.in_(("running", "paused")),
            (_C.legal_due >= lo) | (_C.promise_due >= lo) | _C.promise_due.is_(None))).scalars())
