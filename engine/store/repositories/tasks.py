"""The task projection: a row per user task of a case (open, claimed, completed, cancelled) — what
the inbox and supervision read instead of any workflow state. The statements of a step go
straight to the driver (engine/store/fast.py); the inbox is one UNION ALL per set of queues,
compiled once per process."""
from __future__ import annotations

from datetime import datetime
from typing import Callable, Optional

from sqlalchemy import and_, bindparam, case, false, func, literal_column, or_, select, union_all, update

from engine.domain.errors import RowsChanged
from engine.store import pg_pipeline
from engine.store import tables as t
from engine.store.fast import FastRead, FastWrite, inline_constants
from engine.store.models import Staff
from engine.store.repositories.base import Repository
from engine.store.repositories.cases import CASE_COLUMNS, case_from_row

_T = t.task.c
_TC = t.task_candidate.c
VIEW_COLUMNS = (_T.id, _T.case_id, _T.name, _T.spec_id, _T.state, _T.routed_org_unit_id, _T.routed_department_id,
                _T.routed_role, _T.routing_error, _T.assignee_id, _T.form_key, _T.stage, _T.due_at, _T.created_at,
                _T.warning)
# the task with its case, locking the case row (every command on a case locks it first)
_WITH_CASE = (select(*VIEW_COLUMNS, _T.claimed_at, *CASE_COLUMNS)
              .join_from(t.task, t.case, t.case.c.id == _T.case_id).where(_T.id == bindparam("tid")))
_WITH_CASE_PG, _WITH_CASE_SQLITE = FastRead(_WITH_CASE.with_for_update(of=t.case)), FastRead(_WITH_CASE)
# PostgreSQL: the same rows for every open task of a case, each with the row versions (xmin) of
# the task and of the case, read at the COMMIT of a command (`remember_open`): the next command
# on one of these tasks may start from them instead of reading them (`unchanged_with_case`)
_OPEN_WITH_CASE = FastRead(select(*VIEW_COLUMNS, _T.claimed_at, *CASE_COLUMNS,
                                  literal_column("task.xmin::text").label("task_xmin"),
                                  literal_column('"case".xmin::text').label("case_xmin"))
                           .join_from(t.task, t.case, t.case.c.id == _T.case_id)
                           .where(_T.case_id == bindparam("cid"), _T.state == "open"))
# ... and the check that they are still what they were: the case row locked (as every command on
# a case locks it first) and its version the one read, then, in a statement of its own (which sees
# what committed while it waited for the lock), the task's. A guard that fails divides by zero:
# the pipeline stops there, before any write of the command (engine/store/pg_pipeline.py GUARDED).
_CASE_UNCHANGED = ("SELECT 1 / count(*) FROM (SELECT xmin FROM \"case\" WHERE id = %(cid)s FOR UPDATE) AS locked "
                   "WHERE xmin = %(case_xmin)s::text::xid")
_TASK_UNCHANGED = "SELECT 1 / count(*) FROM task WHERE id = %(tid)s AND xmin = %(task_xmin)s::text::xid"
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
# a migration re-projects every open task of every case it moves (engine/services/migration)
_OPEN_OF_CASE = FastRead(select(_T.id, _T.spec_id, _T.candidate_groups, _T.routed_org_unit_id, _T.routed_department_id,
                                _T.routed_role, _T.routing_error, _T.assignee_id, _T.claimed_at)
                         .where(_T.case_id == bindparam("cid"), _T.state == "open"))
REMAPPED_COLUMNS = ("spec_id", "process_key", "name", "candidate_groups", "form_key", "stage", "routed_org_unit_id",
                    "routed_department_id", "routed_role", "routing_error", "assignee_id", "claimed_at")
_REMAP = FastWrite(update(t.task).where(_T.id == bindparam("tid"), _T.state == "open")
                   .values(**{c: bindparam(f"b_{c}") for c in REMAPPED_COLUMNS}))
_LAST_COMPLETED = (select(_T.id, _T.completed_by).where(_T.case_id == bindparam("cid"), _T.state == "completed")
                   .order_by(_T.completed_at.desc(), _T.id.desc()).limit(1))
_INBOX_ORDER = (_T.created_at, _T.id)
# offers to named people (camunda:candidateUsers): rows while the task is open
_OFFER = FastWrite(t.task_candidate.insert())
_IS_CANDIDATE = FastRead(select(_TC.staff_id).where(_TC.task_id == bindparam("tid"),
                                                    _TC.staff_id == bindparam("staff")))
_WITHDRAW = FastWrite(t.task_candidate.delete().where(_TC.task_id == bindparam("tid")))

# the inbox statement of each set of queues (and dialect), built on first use; bounded like the
# statement caches SQLAlchemy keeps itself
_INBOX: dict = {}
_INBOX_MAX = 10_000
# the clerk's worklist (a read model: the task, its case, the item version the case was started
# with, the claimer's name); a page ordered by one of these, then by id
_C, _I = t.case.c, t.item_implementation.c
_CLAIMER = Staff.__table__.alias("claimer")
_WORKLIST_FROM = (t.task.join(t.case, _C.id == _T.case_id).join(t.item_implementation, _I.id == _C.item_id)
                  .outerjoin(_CLAIMER, _CLAIMER.c.id == _T.assignee_id))
_NULLS_LAST = case((_T.due_at.is_(None), 1), else_=0)
WORKLIST_SORTS = {"due_at": (_NULLS_LAST, _T.due_at, _T.created_at, _T.id),
                  "-due_at": (_NULLS_LAST, _T.due_at.desc(), _T.created_at.desc(), _T.id.desc()),
                  "created_at": (_T.created_at, _T.id),
                  "-created_at": (_T.created_at.desc(), _T.id.desc())}
WORKLIST_SCOPES = ("all", "mine", "unclaimed", "window")


class Tasks(Repository):
    __slots__ = ()

    # --- a command on a task --------------------------------------------------------------------

    def locked_with_case(self, task_id: str):
        """(the case as locked, the task row) in one statement, with the case row locked; None if
        there is no such task."""
        row = (_WITH_CASE_PG if self.postgres else _WITH_CASE_SQLITE).first(self.conn, {"tid": task_id})
        return None if row is None else (case_from_row(row), row)

    def remember_open(self, case_id: int, then: Callable[[list], None]) -> None:
        """PostgreSQL: the case's open tasks as `locked_with_case` reads them, each with its
        `task_xmin` and `case_xmin`, read just before the COMMIT (no round trip of its own) and
        given to `then` once committed. SQLite: nothing."""
        pg_pipeline.read_with_commit(self.conn, _OPEN_WITH_CASE, {"cid": case_id}, then)

    def unchanged_with_case(self, row):
        """PostgreSQL, in a unit of work: (the case, the task row) from a row `remember_open` read,
        as `locked_with_case` gives them, with the case row locked and the command made to fail
        with RowsChanged unless the case and the task rows are still those versions. The check is
        queued: it leaves with the command's first exchange, and its writes only run after it."""
        pg_pipeline.guard(self.conn, _CASE_UNCHANGED, {"cid": row.lc_id, "case_xmin": row.case_xmin}, RowsChanged)
        pg_pipeline.guard(self.conn, _TASK_UNCHANGED, {"tid": row.id, "task_xmin": row.task_xmin}, RowsChanged)
        return case_from_row(row), row

    def get(self, task_id: str):
        """The task row (its view columns), or None; no lock (a read)."""
        return self.conn.execute(select(*VIEW_COLUMNS).where(_T.id == task_id)).first()

    def claim(self, task_id: str, staff_id: int, now: datetime) -> bool:
        return _CLAIM.execute(self.conn, {"tid": task_id, "staff": staff_id, "now": now}) == 1

    def claim_unclaimed(self, task_id: str, staff_id: int, now: datetime) -> None:
        """`claim` of a task the command knows to be open and unclaimed under its case's lock
        (`unchanged_with_case`): a write nobody waits for."""
        _CLAIM.write(self.conn, {"tid": task_id, "staff": staff_id, "now": now})

    def unclaim(self, task_id: str) -> None:
        _UNCLAIM.execute(self.conn, {"tid": task_id})

    def complete(self, task_id: str, staff_id: int, outcome: dict, claimed_at: datetime, now: datetime) -> None:
        _COMPLETE.write(self.conn, {"tid": task_id, "now": now, "staff": staff_id, "b_outcome": outcome,
                                      "claimed": claimed_at})

    def assign(self, task_id: str, staff_id: int, now: datetime) -> None:
        """Delegation: the task is claimed by `staff_id` from now."""
        self.conn.execute(update(t.task).where(_T.id == task_id).values(assignee_id=staff_id, claimed_at=now))

    def reopen(self, task_id: str, assignee_id: Optional[int], now: datetime) -> None:
        """退回: a completed task opens again, claimed by who completed it."""
        self.conn.execute(update(t.task).where(_T.id == task_id).values(
            state="open", completed_at=None, completed_by=None, outcome=None, assignee_id=assignee_id,
            claimed_at=now, warning="none"))

    # --- offers to named people (camunda:candidateUsers) -------------------------------------------

    def offer(self, rows: list[dict]) -> None:
        """Open tasks offered to named staff: each row {task_id, staff_id, created_at} (the
        task's creation instant, the order of her inbox)."""
        _OFFER.write(self.conn, rows)

    def withdraw_offers(self, task_ids: list[str]) -> None:
        """The offers of tasks that closed (or are offered anew)."""
        _WITHDRAW.write(self.conn, [{"tid": tid} for tid in task_ids])

    def withdraw_offers_of_case(self, case_id: int) -> None:
        self.conn.execute(t.task_candidate.delete().where(
            _TC.task_id.in_(select(_T.id).where(_T.case_id == case_id))))

    def is_candidate(self, task_id: str, staff_id: int) -> bool:
        return _IS_CANDIDATE.first(self.conn, {"tid": task_id, "staff": staff_id}) is not None

    def candidates(self, task_id: str) -> list[int]:
        """The staff ids the task is offered to."""
        return list(self.conn.execute(select(_TC.staff_id).where(_TC.task_id == task_id)
                                      .order_by(_TC.staff_id)).scalars())

    def named_on_open_task(self, case_id: int, staff_id: int) -> bool:
        """Whether one of the case's open tasks is held by `staff_id` or offered to her."""
        offered = select(_TC.task_id).where(_TC.staff_id == staff_id)
        return self.conn.execute(select(_T.id).where(
            _T.case_id == case_id, _T.state == "open",
            or_(_T.assignee_id == staff_id, _T.id.in_(offered))).limit(1)).first() is not None

    def last_completed(self, case_id: int):
        """(id, completed_by) of the case's task completed last, or None."""
        return self.conn.execute(_LAST_COMPLETED, {"cid": case_id}).first()

    def active_staff(self, staff_ids) -> list:
        """(username, name) of the active accounts among `staff_ids`, by username."""
        if not staff_ids:
            return []
        return self.conn.execute(select(Staff.username, Staff.name)
                                 .where(Staff.id.in_(sorted(staff_ids)), Staff.active.is_(True))
                                 .order_by(Staff.username)).all()

    def colleague(self, username: str):
        """(id, username, active) of a staff account by username, or None (a delegation's target)."""
        return self.conn.execute(select(Staff.id, Staff.username, Staff.active)
                                 .where(Staff.username == username)).first()

    # --- the projection after a step ------------------------------------------------------------

    def open_rows_of_case(self, case_id: int) -> dict:
        """Task id -> (id, spec_id, candidate_groups, routed_org_unit_id, routed_department_id,
        routed_role, assignee_id) of the case's open tasks (what a migration re-projects)."""
        return {row.id: row for row in _OPEN_OF_CASE.all(self.conn, {"cid": case_id})}

    def remap(self, task_id: str, values: dict) -> None:
        """An open task moved to another version's element (a migration): every column of
        REMAPPED_COLUMNS as given."""
        _REMAP.execute(self.conn, {"tid": task_id, **{f"b_{k}": v for k, v in values.items()}})


    def open_many(self, rows: list[dict]) -> None:
        """New open tasks, each a full row of the task table."""
        _INSERT.write(self.conn, rows)

    def cancel(self, task_ids: list[str], now: datetime) -> None:
        """Open tasks the workflow no longer has."""
        _CANCEL.write(self.conn, [{"tid": tid, "now": now} for tid in task_ids])

    def cancel_open_of_case(self, case_id: int, now: datetime) -> int:
        return self.conn.execute(update(t.task).where(_T.case_id == case_id, _T.state == "open")
                                 .values(state="cancelled", completed_at=now)).rowcount

    def mark_warning(self, task_id: str, level: str) -> bool:
        """A step card: an open task turns yellow or red (never back from red)."""
        return bool(self.conn.execute(update(t.task).where(_T.id == task_id, _T.state == "open", _T.warning != "red")
                                      .values(warning=level)).rowcount)

    # --- reading ----------------------------------------------------------------------------------

    def open_of_case(self, case_id: int) -> int:
        """How many open tasks the case has."""
        return self.conn.execute(select(func.count()).select_from(t.task)
                                 .where(_T.case_id == case_id, _T.state == "open")).scalar_one()

    def routed_units(self, case_ids: list[int]) -> set[int]:
        """The org units the cases' tasks were ever routed to."""
        return set(self.conn.execute(select(_T.routed_org_unit_id).where(_T.case_id.in_(case_ids)).distinct())
                   .scalars())

    def worklist(self, staff_id: int, queues: tuple, window_units, scope: str, filters: dict, sort: str,
                 limit: int, offset: int) -> list:
        """One page of the open tasks of `scope` that pass `filters`: "all" — claimed by `staff_id`,
        or unclaimed in one of `queues` (the inbox's set); "mine"; "unclaimed"; "window" — routed
        to `window_units` whoever claimed them. Each row has the task, its case, the item's code
        and name, the claimer's name and `can_work` (1 when the task is in the "all" set)."""
        workable = _workable(staff_id, queues)
        stmt = (_work_rows(workable)
                .where(_T.state == "open", _scope(scope, staff_id, queues, window_units), *_filters(filters))
                .order_by(*WORKLIST_SORTS[sort]).limit(limit).offset(offset))
        return self.conn.execute(stmt).all()

    def work_item(self, task_id: str, staff_id: int, queues: tuple):
        """One task, open or not, in the worklist's row shape (None when there is no such task);
        `can_work` as in the worklist: 1 when it is open and hers or unclaimed in one of `queues`."""
        workable = and_(_T.state == "open", _workable(staff_id, queues))
        stmt = _work_rows(workable).where(_T.id == task_id)
        return self.conn.execute(stmt).first()

    def worklist_counts(self, staff_id: int, queues: tuple, window_units, scope: str, filters: dict):
        """One row: `all`, `mine`, `unclaimed`, `yellow`, `red` over the "all" set (no filters),
        and `total`, the tasks of `scope` that pass `filters` — conditional sums in one statement."""
        workable = _workable(staff_id, queues)
        scoped = and_(_scope(scope, staff_id, queues, window_units), *_filters(filters))

        def count(cond):
            return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)
        stmt = (select(count(workable).label("all"), count(_T.assignee_id == staff_id).label("mine"),
                       count(and_(workable, _T.assignee_id.is_(None))).label("unclaimed"),
                       count(and_(workable, _T.warning == "yellow")).label("yellow"),
                       count(and_(workable, _T.warning == "red")).label("red"), count(scoped).label("total"))
                .select_from(_WORKLIST_FROM)
                .where(_T.state == "open", or_(workable, scoped)))
        return self.conn.execute(stmt).one()

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
    # offered to her by name: read through her offers (ix_task_candidate_staff), in their order;
    # a task one of her queues shows already is left to that branch (no duplicates)
    offered = and_(_T.state == "open", _T.assignee_id.is_(None) if not include_claimed_by_others
                   else or_(_T.assignee_id.is_(None), _T.assignee_id != bindparam("staff")))
    if queues:
        offered = and_(offered, ~_in_queues(queues))
    branches.append(select(*VIEW_COLUMNS).join_from(t.task_candidate, t.task, _T.id == _TC.task_id)
                    .where(_TC.staff_id == bindparam("staff"), offered)
                    .order_by(_TC.created_at, _TC.task_id).limit(bindparam("limit")))
    parts = [select(*b.order_by(*_INBOX_ORDER).limit(bindparam("limit")).subquery().c) for b in branches[:-1]]
    parts.append(select(*branches[-1].subquery().c))
    union = union_all(*parts).subquery()
    return select(union).order_by(union.c.created_at, union.c.id).limit(bindparam("limit"))


def _queue(queue: tuple):
    """The tasks of one queue (the inbox's branch condition, without who claimed them)."""
    if queue[0] == "supervisor":
        return and_(_T.routed_role == "supervisor", _T.routed_org_unit_id.in_(queue[1]))
    _, unit, dept, role = queue
    return and_(_T.routed_org_unit_id == unit, _T.routed_role == role,
                or_(_T.routed_department_id.is_(None), _T.routed_department_id == dept)
                if dept is not None else _T.routed_department_id.is_(None))


def _in_queues(queues: tuple):
    return or_(*(_queue(q) for q in queues)) if queues else false()


def _work_rows(workable):
    """The worklist's row: the task, its case, the item's code and name, the claimer's name and
    `can_work` (1 where `workable` holds)."""
    return select(_T.id, _T.name, _T.spec_id, _T.stage, _T.state, _T.form_key, _T.assignee_id,
                  _CLAIMER.c.name.label("assignee_name"), _T.due_at, _T.warning, _T.created_at, _T.case_id,
                  _C.number.label("case_number"), _C.version.label("case_version"),
                  _I.code.label("item_code"), _I.name.label("item_name"), _C.applicant_name, _C.applicant,
                  _C.lifecycle, case((workable, 1), else_=0).label("can_work")).select_from(_WORKLIST_FROM)


def _workable(staff_id: int, queues: tuple):
    """What the caller may claim or complete: hers, or unclaimed in one of her queues."""
    return or_(_T.assignee_id == staff_id, and_(_T.assignee_id.is_(None), _offered_or_queued(staff_id, queues)))


def _offered_or_queued(staff_id: int, queues: tuple):
    """In one of `queues`, or offered to `staff_id` by name."""
    return or_(_in_queues(queues), _T.id.in_(select(_TC.task_id).where(_TC.staff_id == staff_id)))


def _scope(scope: str, staff_id: int, queues: tuple, window_units):
    if scope == "all":
        return _workable(staff_id, queues)
    if scope == "mine":
        return _T.assignee_id == staff_id
    if scope == "unclaimed":
        return and_(_T.assignee_id.is_(None), _offered_or_queued(staff_id, queues))
    if scope == "window":
        return or_(_T.routed_org_unit_id.in_(sorted(window_units)), _T.assignee_id == staff_id)
    raise ValueError(f"unknown worklist scope {scope!r}")


def _filters(filters: dict) -> list:
    """item_code (the implementation code or its local code), card (the task's warning),
    due_before (an instant: due at or before it), q (in the case number or applicant name)."""
    conds = []
    if filters.get("item_code"):
        conds.append(or_(_I.code == filters["item_code"], _I.local_code == filters["item_code"]))
    if filters.get("card"):
        conds.append(_T.warning == filters["card"])
    if filters.get("due_before") is not None:
        conds.append(_T.due_at <= filters["due_before"])
    if filters.get("q"):
        conds.append(or_(_C.number.icontains(filters["q"], autoescape=True),
                         _C.applicant_name.icontains(filters["q"], autoescape=True)))
    return conds
