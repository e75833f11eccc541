"""The task projection: a row per user task of a case (open, claimed, completed, cancelled),
what the inbox and supervision read instead of any workflow state."""
from __future__ import annotations

from sqlalchemy import bindparam, select

from engine.store import tables as t
from engine.store.fast import FastRead
from engine.store.repositories.base import Repository
from engine.store.repositories.cases import CASE_COLUMNS, case_from_row

_T = t.task.c
VIEW_COLUMNS = (_T.id, _T.case_id, _T.name, _T.spec_id, _T.state, _T.routed_org_unit_id, _T.routed_department_id,
                _T.routed_role, _T.routing_error, _T.assignee_id, _T.form_key, _T.stage, _T.due_at, _T.created_at,
                _T.warning)
# the task with its case, locking the case row (every command on a case locks it first)
_WITH_CASE = (select(*VIEW_COLUMNS, _T.claimed_at, *CASE_COLUMNS)
              .join_from(t.task, t.case, t.case.c.id == _T.case_id).where(_T.id == bindparam("tid")))
_WITH_CASE_PG, _WITH_CASE_SQLITE = FastRead(_WITH_CASE.with_for_update(of=t.case)), FastRead(_WITH_CASE)


class Tasks(Repository):
    __slots__ = ()

    def locked_with_case(self, task_id: str):
        """(the case as locked, the task row) in one statement, with the case row locked; None if
        there is no such task."""
        row = (_WITH_CASE_PG if self.postgres else _WITH_CASE_SQLITE).first(self.conn, {"tid": task_id})
        return None if row is None else (case_from_row(row), row)

    def routed_units(self, case_ids: list[int]) -> set[int]:
        """The org units the cases' tasks were ever routed to."""
        return set(self.conn.execute(select(_T.routed_org_unit_id).where(_T.case_id.in_(case_ids)).distinct())
                   .scalars())
