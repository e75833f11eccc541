"""Incident rows: raised by the engine's non-interactive work (external tasks, timers, scripts in
a continuation), listed by scope, retried or resolved by a person."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import func, select, update

from engine.store import tables as t
from engine.store.repositories.base import Repository

_I = t.incident.c
_COLUMNS = (_I.id, _I.case_id, _I.org_unit_id, _I.process_key, _I.element_id, _I.kind, _I.message, _I.details,
            _I.state, _I.external_task_id, _I.timer_id, _I.created_at, _I.resolved_at, _I.resolved_by,
            _I.resolution, _I.note, _I.outbox_id)


class Incidents(Repository):
    __slots__ = ()

    def raise_(self, *, case_id: int, kind: str, message: str, details: Optional[str], element_id: Optional[str],
               now: datetime, external_task_id: Optional[int] = None, timer_id: Optional[int] = None,
               outbox_id: Optional[int] = None) -> int:
        """A new open incident on the case (its receiving unit and process are read here)."""
        case = self.conn.execute(select(t.case.c.origin_org_unit_id, t.process_definition.c.key)
                                 .join(t.process_definition, t.process_definition.c.id == t.case.c.definition_id)
                                 .where(t.case.c.id == case_id)).one()
        return self.conn.execute(t.incident.insert().values(
            case_id=case_id, org_unit_id=case.origin_org_unit_id, process_key=case.key, element_id=element_id,
            kind=kind, message=message[:2000], details=details[:20000] if details else None, state="open",
            external_task_id=external_task_id, timer_id=timer_id, outbox_id=outbox_id, created_at=now)
            .returning(_I.id)).scalar()

    def get(self, incident_id: int, lock: bool = False):
        query = select(*_COLUMNS, t.case.c.number).join(t.case, t.case.c.id == _I.case_id).where(_I.id == incident_id)
        if lock and self.postgres:
            query = query.with_for_update(of=t.incident)
        return self.conn.execute(query).first()

    def open_for(self, *, external_task_id: Optional[int] = None, timer_id: Optional[int] = None) -> list[int]:
        which = _I.external_task_id == external_task_id if external_task_id is not None else _I.timer_id == timer_id
        return list(self.conn.execute(select(_I.id).where(_I.state == "open", which)).scalars())

    def detach_outbox(self, outbox_ids: list[int]) -> None:
        """Resolved incidents forget the outbox rows about to be pruned (their text says what it was)."""
        if outbox_ids:
            self.conn.execute(update(t.incident).where(_I.outbox_id.in_(outbox_ids)).values(outbox_id=None))

    def resolve(self, incident_id: int, by: str, resolution: str, note: Optional[str], now: datetime) -> None:
        self.conn.execute(update(t.incident).where(_I.id == incident_id, _I.state == "open")
                          .values(state="resolved", resolved_at=now, resolved_by=by[:64], resolution=resolution,
                                  note=note))

    def listing(self, *, units: Optional[list[int]], state: Optional[str], kind: Optional[str],
                case_id: Optional[int], process_key: Optional[str], element_id: Optional[str],
                offset: int, limit: int) -> tuple[list, int]:
        """Incidents newest first and their total; `units`: only those of cases received there."""
        where = []
        if units is not None:
            where.append(_I.org_unit_id.in_(units))
        for column, value in ((_I.state, state), (_I.kind, kind), (_I.case_id, case_id),
                              (_I.process_key, process_key), (_I.element_id, element_id)):
            if value is not None:
                where.append(column == value)
        total = self.conn.execute(select(func.count()).select_from(t.incident).where(*where)).scalar()
        rows = self.conn.execute(select(*_COLUMNS, t.case.c.number).join(t.case, t.case.c.id == _I.case_id)
                                 .where(*where).order_by(_I.id.desc()).offset(offset).limit(limit)).all()
        return rows, total

    def count_open(self, units: Optional[list[int]]) -> int:
        where = [_I.state == "open"]
        if units is not None:
            where.append(_I.org_unit_id.in_(units))
        return self.conn.execute(select(func.count()).select_from(t.incident).where(*where)).scalar()
