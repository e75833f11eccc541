"""Read models of the process diagrams: the steps of one case as its diagram marks them, and the
steps of every case of a process version summed up for its heatmap. Reads `task`, `case`,
`staff` and `process_definition`; writes nothing.

The heatmap is one GROUP BY over the version's tasks: per element, state and (created day,
completed day) in Asia/Shanghai, with the count and the overdue count of each group. Turning
two calendar days into working days needs the working-day calendar, which is data in Python
(engine/domain/calendar.py): the service does that per group, not per task, so its work grows
with the number of distinct day pairs (a few thousand a year per step), not with the history."""
from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple, Optional

from sqlalchemy import Date, bindparam, cast, func, select
from sqlalchemy import case as sql_case

from engine.store import tables as t
from engine.store.models import Staff
from engine.store.repositories.base import Repository

_C, _K, _PD = t.case.c, t.task.c, t.process_definition.c
_CASE_STEPS = (select(_K.process_key, _K.spec_id, _K.name, _K.state, _K.due_at, _K.created_at, _K.completed_at,
                      _K.warning, Staff.name.label("assignee"))
               .outerjoin(Staff, Staff.id == _K.assignee_id)
               .where(_K.case_id == bindparam("case_id")).order_by(_K.created_at, _K.id))
_CASES_OF = select(func.count()).select_from(t.case).where(_C.definition_id == bindparam("id"))
_SAME_KEY = (select(_PD.id, _PD.version, _PD.name, _PD.created_at)
             .where(_PD.key == select(_PD.key).where(_PD.id == bindparam("id")).scalar_subquery())
             .order_by(_PD.version.desc()))
_DEFINITION = select(_PD.id, _PD.key, _PD.version, _PD.name).where(_PD.id == bindparam("id"))


def _local_day(column, postgres: bool):
    """The Asia/Shanghai calendar day of a UTC instant (China keeps UTC+8 all year)."""
    if postgres:
        return cast(func.timezone("Asia/Shanghai", column), Date)
    return func.date(column, "+8 hours")


def _heatmap_statement(postgres: bool):
    now = bindparam("now")
    late = sql_case(((_K.due_at.is_not(None) & (((_K.state == "completed") & (_K.completed_at > _K.due_at))
                                                | ((_K.state == "open") & (_K.due_at < now)))), 1), else_=0)
    created, completed = _local_day(_K.created_at, postgres), _local_day(_K.completed_at, postgres)
    return (select(_K.process_key, _K.spec_id, func.max(_K.name).label("name"), _K.state,
                   created.label("created_day"), completed.label("completed_day"),
                   func.count().label("n"), func.sum(late).label("overdue"))
            .join(t.case, _C.id == _K.case_id)
            .where(_C.definition_id == bindparam("id"))
            .group_by(_K.process_key, _K.spec_id, _K.state, created, completed))


_HEATMAP = {False: _heatmap_statement(False), True: _heatmap_statement(True)}


class Diagrams(Repository):
    __slots__ = ()

    def definition(self, definition_id: int):
        """(id, key, version, name) of a version, or None."""
        return self.conn.execute(_DEFINITION, {"id": definition_id}).first()

    def case_steps(self, case_id: int) -> list:
        """Every step of a case, oldest first: (process_key, spec_id, name, state, due_at, created_at,
        completed_at, warning, assignee) with the assignee's display name."""
        return self.conn.execute(_CASE_STEPS, {"case_id": case_id}).all()

    def cases_of(self, definition_id: int) -> int:
        return self.conn.execute(_CASES_OF, {"id": definition_id}).scalar_one()

    def versions_like(self, definition_id: int) -> list:
        """(id, version, name, created_at) of every version of the same process, newest first."""
        return self.conn.execute(_SAME_KEY, {"id": definition_id}).all()

    def step_groups(self, definition_id: int, now: datetime) -> list:
        """The version's steps grouped by (process_key, spec_id, state, created_day, completed_day):
        name, count `n` and `overdue` (completed after its due instant, or open past it at `now`).
        Days are date objects (SQLite answers ISO strings: converted here)."""
        rows = self.conn.execute(_HEATMAP[self.postgres], {"id": definition_id, "now": now})
        return [StepGroup(r.process_key, r.spec_id, r.name, r.state, _day(r.created_day), _day(r.completed_day), r.n,
                          int(r.overdue or 0)) for r in rows]


class StepGroup(NamedTuple):
    process_key: str
    spec_id: str
    name: str
    state: str
    created_day: Optional[date]
    completed_day: Optional[date]
    n: int
    overdue: int


def _day(value) -> Optional[date]:
    return date.fromisoformat(value) if isinstance(value, str) else value
