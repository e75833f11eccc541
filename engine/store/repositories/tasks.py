"""The task projection: a row per user task of a case (open, claimed, completed, cancelled) — what
the inbox and supervision read instead of any workflow state. The statements of a step go
straight to the driver (engine/store/fast.py); the inbox is one UNION ALL per set of queues,
compiled once per process."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import and_, bindparam, or_, select, union_all, update

from engine.store import tables as t
from engine.store.fast import FastRead, FastWrite, inline_constants
from engine.store.models import Staff
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
_INSERT = FastWrite(t.task.insert())
_CANCEL = FastWrite(update(t.task).where(_T.id == bindparam("tid"), _T.state == "open")
                    .values(state="cancelled", completed_at=bindparam("now")))
# conditional: of two concurrent claims exactly one changes the row
_CLAIM = FastWrite(update(t.task).where(_T.id == bindparam("tid"), _T.state == "open", _T.assignee_id.is_(None))
                   .values(assignee_id=bindparam("staff"), claimed_at=bindparam("now")))
_UNCLAIM = FastWrite(update(t.task).where(_T.id == bindparam("tid")).values(assignee_id=None, claimed_at=None))
_COMPLETE = FastWrite(update(t.task).where(_T.id == bindparam("tid"))
                      .values(state="completed", completed_at=bindparam("now"), completed_by=bindparam("staff"),
                              outcome=bindparam("b_outcome"), assignee_id=bindparam("staff"),
                              claimed_at=bindparam("claimed")))
_LAST_COMPLETED = (select(_T.id, _T.completed_by).where(_T.case_id == bindparam("cid"), _T.state == "completed")
                   .order_by(_T.completed_at.desc(), _T.id.desc()).limit(1))
_INBOX_ORDER = (_T.created_at, _T.id)
# the inbox statement of each set of queues (and dialect), built on first use; bounded like the
# statement caches SQLAlchemy keeps itself
_INBOX: dict = {}
_INBOX_MAX = 10_000


class Tasks(Repository):
    __slots__ = ()

    # --- a command on a task --------------------------------------------------------------------

    def locked_with_case(self, task_id: str):
        """(the case as locked, the task row) in one statement, with the case row locked; None if
        there is no such task."""
        row = (_WITH_CASE_PG if self.postgres else _WITH_CASE_SQLITE).first(self.conn, {"tid": task_id})
        return None if row is None else (case_from_row(row), row)

    def claim(self, task_id: str, staff_id: int, now: datetime) -> bool:
        return _CLAIM.execute(self.conn, {"tid": task_id, "staff": staff_id, "now": now}) == 1

    def unclaim(self, task_id: str) -> None:
        _UNCLAIM.execute(self.conn, {"tid": task_id})

    def complete(self, task_id: str, staff_id: int, outcome: dict, claimed_at: datetime, now: datetime) -> None:
        _COMPLETE.execute(self.conn, {"tid": task_id, "now": now, "staff": staff_id, "b_outcome": outcome,
                                      "claimed": claimed_at})

    def assign(self, task_id: str, staff_id: int, now: datetime) -> None:
        """Delegation: the task is claimed by `staff_id` from now."""
        self.conn.execute(update(t.task).where(_T.id == task_id).values(assignee_id=staff_id, claimed_at=now))

    def reopen(self, task_id: str, assignee_id: Optional[int], now: datetime) -> None:
        """退回: a completed task opens again, claimed by who completed it."""
        self.conn.execute(update(t.task).where(_T.id == task_id).values(
            state="open", completed_at=None, completed_by=None, outcome=None, assignee_id=assignee_id,
            claimed_at=now, warning="none"))

    def last_completed(self, case_id: int):
        """(id, completed_by) of the case's task completed last, or None."""
        return self.conn.execute(_LAST_COMPLETED, {"cid": case_id}).first()

    def colleague(self, username: str):
        """(id, username, active) of a staff account by username, or None (a delegation's target)."""
        return self.conn.execute(select(Staff.id, Staff.username, Staff.active)
                                 .where(Staff.username == username)).first()

    # --- the projection after a step ------------------------------------------------------------

    def open_many(self, rows: list[dict]) -> None:
        """New open tasks, each a full row of the task table."""
        _INSERT.execute(self.conn, rows)

    def cancel(self, task_ids: list[str], now: datetime) -> None:
        """Open tasks the workflow no longer has."""
        _CANCEL.execute(self.conn, [{"tid": tid, "now": now} for tid in task_ids])

    def cancel_open_of_case(self, case_id: int, now: datetime) -> int:
        return self.conn.execute(update(t.task).where(_T.case_id == case_id, _T.state == "open")
                                 .values(state="cancelled", completed_at=now)).rowcount

    def mark_warning(self, task_id: str, level: str) -> bool:
        """A step card: an open task turns yellow or red (never back from red)."""
        return bool(self.conn.execute(update(t.task).where(_T.id == task_id, _T.state == "open", _T.warning != "red")
                                      .values(warning=level)).rowcount)

    # --- reading ----------------------------------------------------------------------------------

    def routed_units(self, case_ids: list[int]) -> set[int]:
        """The org units the cases' tasks were ever routed to."""
        return set(self.conn.execute(select(_T.routed_org_unit_id).where(_T.case_id.in_(case_ids)).distinct())
                   .scalars())

    def inbox(self, queues: tuple, staff_id: int, include_claimed_by_others: bool, limit: int) -> list:
        """Open tasks claimed by `staff_id` plus the open tasks of `queues`, oldest first. Each
        queue is ("post", unit, department, role) or ("supervisor", units of the subtree)."""
        stmt, fast = self.inbox_statement(queues, include_claimed_by_others)
        params = {"staff": staff_id, "limit": limit}
        return fast.all(self.conn, params) if fast is not None else self.conn.execute(stmt, params).all()

    def inbox_statement(self, queues: tuple, include_claimed_by_others: bool):
        """The inbox query of a set of queues: a UNION ALL of one branch per queue, each an
        ordered index scan stopping at `limit` rows, so its cost does not grow with the size of a
        queue or of the table (bench/bench_http.py). Returns the statement as executed and its
        FastRead (None when it needs SQLAlchemy's execution: a supervisor's subtree is an
        expanding IN)."""
        dialect = self.conn.dialect
        key = (dialect.name, queues, include_claimed_by_others)
        found = _INBOX.get(key)
        if found is None:
            stmt = _inbox_union(queues, include_claimed_by_others)
            if len(_INBOX) >= _INBOX_MAX:
                _INBOX.clear()
            found = _INBOX[key] = (inline_constants(stmt, dialect), FastRead.if_possible(stmt))
        return found


def _inbox_union(queues: tuple, include_claimed_by_others: bool):
    # constants ('open', the queue's unit and role) are written into the SQL (inline_constants):
    # `state` decides the partial ix_task_assignee, and a bound value there made SQLite re-prepare
    # the statement on every run (and PostgreSQL's generic plan skip the index)
    branches = [select(*VIEW_COLUMNS).where(_T.state == "open", _T.assignee_id == bindparam("staff"))]
    for queue in queues:
        if queue[0] == "supervisor":
            cond = and_(_T.routed_role == "supervisor", _T.routed_org_unit_id.in_(queue[1]))
        else:
            _, unit, dept, role = queue
            cond = and_(_T.routed_org_unit_id == unit, _T.routed_role == role,
                        or_(_T.routed_department_id.is_(None), _T.routed_department_id == dept)
                        if dept is not None else _T.routed_department_id.is_(None))
        if include_claimed_by_others:    # hers come from the first branch: no duplicates
            cond = and_(cond, or_(_T.assignee_id.is_(None), _T.assignee_id != bindparam("staff")))
        else:
            cond = and_(cond, _T.assignee_id.is_(None))
        branches.append(select(*VIEW_COLUMNS).where(_T.state == "open", cond))
    parts = [select(*b.order_by(*_INBOX_ORDER).limit(bindparam("limit")).subquery().c) for b in branches]
    union = union_all(*parts).subquery()
    return select(union).order_by(union.c.created_at, union.c.id).limit(bindparam("limit"))
