"""The case row: lock it, read and write its columns, number it, save its workflow state.

Every command on a case locks its row first (`lock`), so commands on one case never interleave:
a row lock on PostgreSQL, SQLite's single writer otherwise. The statements a step runs are
prebuilt and go straight to the driver (engine/store/fast.py)."""
from __future__ import annotations

from datetime import datetime
from typing import Callable, Optional

from sqlalchemy import Integer, bindparam, func, literal_column, or_, select, update
from sqlalchemy import case as sql_case
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from engine.domain.audit import CaseAudit
from engine.domain.case import LoadedCase
from engine.domain.errors import NotFound
from engine.store import pg_pipeline
from engine.store import tables as t
from engine.store.fast import FastRead, FastWrite
from engine.store.repositories.base import Repository
from engine.store.repositories.events import INSERT_EVENT

_C = t.case.c
# what a command needs of a case it locks; labelled so that a join (task + case) can carry them
_LOCKED = (_C.id, _C.version, _C.status, _C.definition_id, _C.origin_org_unit_id, _C.audit_seq, _C.audit_head,
           _C.number, _C.stage, _C.completed_at, _C.lifecycle, _C.parent_case_id, _C.item_id)
CASE_COLUMNS = tuple(c.label(f"lc_{c.name}") for c in _LOCKED)
_LOCK = select(*CASE_COLUMNS).where(_C.id == bindparam("case_id"))
_LOCK_SQLITE, _LOCK_PG = FastRead(_LOCK), FastRead(_LOCK.with_for_update())
_STATE = FastRead(select(_C.state).where(_C.id == bindparam("case_id")))
_EXISTS = select(_C.id).where(_C.id == bindparam("case_id"))
_SCOPE = select(_C.origin_org_unit_id, _C.applicant_account_id).where(_C.id == bindparam("case_id"))
_INSERT = FastWrite(t.case.insert().returning(_C.id))
_INSERT_WITH_ID = FastWrite(t.case.insert())
# 办件编号 serials: one upsert, so concurrent starts on PostgreSQL serialize on the counter row
def _serial_upsert(insert_):
    return (insert_(t.case_counter).values(scope=bindparam("scope"), day=bindparam("day"), value=1)
            .on_conflict_do_update(index_elements=[t.case_counter.c.scope, t.case_counter.c.day],
                                   set_={"value": t.case_counter.c.value + 1})
            .returning(t.case_counter.c.value))


_SERIAL_SQLITE = FastWrite(_serial_upsert(sqlite_insert))
# PostgreSQL: the serial and the id the new case will have, in one round trip; the case's INSERT
# then waits in the pipeline and leaves with the COMMIT (engine/store/pg_pipeline.py). A sequence
# never gives a value twice, rolled back or not, so two commands never reserve the same id.
_SERIAL_AND_ID = FastRead(select(_serial_upsert(pg_insert).cte("serial").c.value,
                                 func.nextval(literal_column("'case_id_seq'")).label("id")))
_SAVE_VALUES = dict(state=bindparam("b_state"), version=bindparam("new_version"), stage=bindparam("new_stage"),
                    updated_at=bindparam("now"), audit_seq=bindparam("seq"), audit_head=bindparam("head"),
                    next_timer_at=bindparam("next_timer"), completed_at=bindparam("done_at"))
_SAVE_WHERE = (_C.id == bindparam("cid"), _C.version == bindparam("expected"))
_SET_DEFINITION = FastWrite(update(t.case).where(_C.id == bindparam("cid"))
                            .values(definition_id=bindparam("b_definition")))
# PostgreSQL: the save checks the version itself so that it can go with the COMMIT, in the same
# round trip (engine/store/pg_pipeline.py): a stale version makes `version` NULL, which its NOT
# NULL refuses, and the pipeline stops before the COMMIT. (The case row is locked by then, so
# this never happens unless a command forgot the lock.)
_GUARDED_VALUES = {**_SAVE_VALUES, "version": sql_case((_C.version == bindparam("expected", type_=Integer),
                                                         bindparam("new_version", type_=Integer)))}
_GUARDED_WHERE = (_C.id == bindparam("cid"),)


def _saves(values: dict, where: tuple, **extra) -> dict:
    """The three saves: plain; with the status (SQLite rewrites the entries of every index on an
    assigned column, changed or not: `status` is in three indexes, so it is assigned only by the
    save that changes it, two WAL pages less per step); and the save that ends the case, which
    also stops its clock (one write of the large case row, not two)."""
    return {"plain": FastWrite(update(t.case).where(*where).values(**values)),
            "status": FastWrite(update(t.case).where(*where).values(**values, status=bindparam("new_status"))),
            "ended": FastWrite(update(t.case).where(*where).values(**values, status=bindparam("new_status"),
                                                                    clock_status="stopped"))}


_SAVE = _saves(_SAVE_VALUES, _SAVE_WHERE)
_SAVE_GUARDED = _saves(_GUARDED_VALUES, _GUARDED_WHERE)
_AUDIT_HEAD = FastWrite(update(t.case).where(_C.id == bindparam("cid"))
                        .values(audit_seq=bindparam("seq"), audit_head=bindparam("head"), updated_at=bindparam("now")))


def case_from_row(row) -> LoadedCase:
    """A LoadedCase from a row selected with CASE_COLUMNS (possibly joined with other tables)."""
    return LoadedCase(row.lc_id, row.lc_version, row.lc_status, row.lc_definition_id,
                      row.lc_origin_org_unit_id, row.lc_number,
                      CaseAudit(row.lc_id, row.lc_audit_seq, row.lc_audit_head), row.lc_stage,
                      row.lc_completed_at, lifecycle=row.lc_lifecycle, parent_case_id=row.lc_parent_case_id,
                      parent_read=True, item_id=row.lc_item_id)


class Cases(Repository):
    __slots__ = ()

    # --- locking ------------------------------------------------------------------------------

    def lock(self, case_id: int) -> LoadedCase:
        """The case under its row lock (PostgreSQL) / the write lock (SQLite); NotFound if none."""
        row = (_LOCK_PG if self.postgres else _LOCK_SQLITE).first(self.conn, {"case_id": case_id})
        if row is None:
            raise NotFound(f"case {case_id} does not exist", code="case_not_found")
        return case_from_row(row)

    # --- starting and saving ----------------------------------------------------------------

    def insert(self, values: dict, case_id: Optional[int] = None) -> int:
        """A new case row (every column given); returns its id. With the `case_id` that `reserve`
        gave, the INSERT is a write whose answer nobody waits for (PostgreSQL: it is sent with
        the command's next statement that needs an answer, or with the COMMIT)."""
        if case_id is None:
            return _INSERT.returned_int(self.conn, values)
        _INSERT_WITH_ID.write(self.conn, {**values, "id": case_id})
        return case_id

    def reserve(self, scope: str, day: str) -> tuple[int, Optional[int]]:
        """The next daily serial of `scope` (an implementation code) on `day` (yyyymmdd), from 1;
        and on PostgreSQL the id the new case will have, in the same round trip (then
        `insert(values, case_id)` costs none). On SQLite (None), where a round trip costs
        nothing, the INSERT returns the id."""
        if not self.postgres:
            return _SERIAL_SQLITE.returned_int(self.conn, {"scope": scope, "day": day}), None
        row = _SERIAL_AND_ID.first(self.conn, {"scope": scope, "day": day})
        return int(row[0]), int(row[1])

    def save(self, case: LoadedCase, state: str, now: datetime, next_timer: Optional[datetime], ended: bool,
             conflict: Callable[[], Exception]) -> None:
        """Write the workflow state with version + 1, the stage, the audit chain's head, the next
        timer and, when it changed, the status (`ended`: the case ended now, its clock stops).
        When the row is no longer at `case.version` (someone else saved first) the command fails
        with `conflict()`, before it commits (on PostgreSQL possibly only at the commit)."""
        values = {"cid": case.id, "expected": case.version, "b_state": state, "new_version": case.version + 1,
                  "new_stage": case.stage, "now": now, "seq": case.audit.seq, "head": case.audit.head,
                  "next_timer": next_timer, "done_at": case.completed_at}
        kind = "ended" if ended else "status" if case.status != case.stored_status else "plain"
        if kind != "plain":
            values["new_status"] = case.status
        if self.postgres:
            _SAVE_GUARDED[kind].write(self.conn, values, pg_pipeline.GUARDED, conflict)
        else:
            _SAVE[kind].write(self.conn, values, 1, conflict)

    def close(self, case: LoadedCase, status: str, now: datetime, **outcome) -> None:
        """End a case without running its workflow (withdrawn, returned, not accepted; a 一件事
        parent's combined result with its `lifecycle`, `decision`, `decided_at`): the status, the
        clock stopped, version + 1 and the audit chain's head."""
        self.conn.execute(update(t.case).where(_C.id == case.id).values(
            status=status, clock_status="stopped", completed_at=now, updated_at=now, next_timer_at=None,
            version=case.version + 1, audit_seq=case.audit.seq, audit_head=case.audit.head, **outcome))

    def set_definition(self, case_id: int, definition_id: int) -> None:
        """A migrated case runs another version of its process from now on."""
        _SET_DEFINITION.execute(self.conn, {"cid": case_id, "b_definition": definition_id})

    def running_of_definition(self, definition_id: int) -> list[int]:
        """Ids of the running cases of a version, in id order."""
        return list(self.conn.execute(select(_C.id).where(_C.definition_id == definition_id,
                                                          _C.status == "running").order_by(_C.id)).scalars())

    def running_listing(self, definition_id: int, limit: int) -> tuple[int, list[dict]]:
        """(how many cases of a version are running, the first `limit` of them in id order, each
        with its number, start and open steps): what the migration page offers to choose from."""
        running = (_C.definition_id == definition_id) & (_C.status == "running")
        total = self.conn.execute(select(func.count()).select_from(t.case).where(running)).scalar_one()
        rows = self.conn.execute(select(_C.id, _C.number, _C.created_at).where(running).order_by(_C.id)
                                 .limit(limit)).all()
        out = {r.id: {"case_id": r.id, "number": r.number, "created_at": r.created_at, "activities": []}
               for r in rows}
        if out:
            steps = self.conn.execute(select(t.task.c.case_id, t.task.c.spec_id, t.task.c.name)
                                      .where(t.task.c.case_id.in_(list(out)), t.task.c.state == "open")
                                      .order_by(t.task.c.case_id, t.task.c.spec_id, t.task.c.id)).all()
            for step in steps:
                out[step.case_id]["activities"].append({"element": step.spec_id, "name": step.name})
        return total, list(out.values())

    # --- lifecycle and decision -------------------------------------------------------------

    def lifecycle(self, case_id: int) -> str:
        return self.conn.execute(select(_C.lifecycle).where(_C.id == case_id)).scalar_one()

    def set_lifecycle(self, case_id: int, state: str) -> None:
        self.conn.execute(update(t.case).where(_C.id == case_id).values(lifecycle=state))

    def decision(self, case_id: int) -> Optional[str]:
        return self.conn.execute(select(_C.decision).where(_C.id == case_id)).scalar_one()

    def record_decision(self, case_id: int, decision: str, now: datetime) -> None:
        self.conn.execute(update(t.case).where(_C.id == case_id).values(decision=decision, decided_at=now))

    # --- reading ------------------------------------------------------------------------------

    def delivery_state(self, case_id: int) -> tuple:
        """(decision, delivered_at, status) of a case: whether a delivery card still applies."""
        return tuple(self.conn.execute(select(_C.decision, _C.delivered_at, _C.status)
                                       .where(_C.id == case_id)).one())

    def state(self, case_id: int) -> str:
        """The workflow state JSON (without the spec)."""
        return _STATE.first(self.conn, {"case_id": case_id}).state

    def exists(self, case_id: int) -> bool:
        return self.conn.execute(_EXISTS, {"case_id": case_id}).first() is not None

    def scope(self, case_id: int):
        """(origin_org_unit_id, applicant_account_id) of a case, or None: who may see it."""
        return self.conn.execute(_SCOPE, {"case_id": case_id}).first()

    def view(self, case_id: int):
        """The case row with its implementation code (what a case's page shows), or None."""
        return self.conn.execute(select(t.case, t.item_implementation.c.code.label("item_code"))
                                 .join(t.item_implementation, t.item_implementation.c.id == _C.item_id)
                                 .where(_C.id == case_id)).first()

    def summaries(self, visible: tuple, *, status: Optional[str] = None, item_code: Optional[str] = None,
                  after_id: Optional[int] = None, limit: int = 50) -> list:
        """Cases in id order after `after_id` among those `visible`: ("all",), ("applicant",
        account id) — her own — or ("staff", units, routed units) — received at `units` or with a
        task routed to `routed units`."""
        i = t.item_implementation.c
        q = (select(_C.id, _C.number, i.code, _C.status, _C.stage, _C.warning, _C.applicant_name, _C.promise_due,
                    _C.created_at, _C.lifecycle).join(t.item_implementation, i.id == _C.item_id))
        if visible[0] == "applicant":
            q = q.where(_C.applicant_account_id == visible[1])
        elif visible[0] == "staff":
            routed = select(t.task.c.case_id).where(t.task.c.routed_org_unit_id.in_(visible[2] or {-1}))
            q = q.where(_C.origin_org_unit_id.in_(visible[1] or {-1}) | _C.id.in_(routed))
        elif visible[0] != "all":
            raise ValueError(f"unknown visibility {visible[0]!r}")
        if status:
            q = q.where(_C.status == status)
        if item_code:
            q = q.where(or_(i.code == item_code, i.local_code == item_code))
        if after_id:
            q = q.where(_C.id > after_id)
        return self.conn.execute(q.order_by(_C.id).limit(limit)).all()

    # --- 一件事 parents and children --------------------------------------------------------

    def parent_of(self, case_id: int) -> Optional[int]:
        return self.conn.execute(select(_C.parent_case_id).where(_C.id == case_id)).scalar()

    def children(self, parent_id: int) -> list:
        """The children of a package case in id order, with what their outcome is read from."""
        i = t.item_implementation.c
        return self.conn.execute(select(_C.id, _C.number, _C.status, _C.decision, _C.definition_id, _C.state,
                                        i.code.label("item_code"), i.name.label("item_name"))
                                 .join(t.item_implementation, i.id == _C.item_id)
                                 .where(_C.parent_case_id == parent_id).order_by(_C.id)).all()

    def child_ids(self, parent_id: int) -> list[int]:
        return list(self.conn.execute(select(_C.id).where(_C.parent_case_id == parent_id).order_by(_C.id)).scalars())

    def running_among(self, case_ids: list[int]) -> list[int]:
        return list(self.conn.execute(select(_C.id).where(_C.id.in_(case_ids), _C.status == "running")
                                      .order_by(_C.id)).scalars())

    # --- the audit chain ------------------------------------------------------------------------

    def record_events(self, case: LoadedCase, now: datetime) -> None:
        """Write the events this command added to the case's chain and the chain's new head (for
        commands that do not save the workflow; a save writes the head with the state)."""
        _AUDIT_HEAD.write(self.conn, {"cid": case.id, "seq": case.audit.seq, "head": case.audit.head, "now": now})
        self.write_events(case)

    def write_events(self, case: LoadedCase) -> None:
        rows = case.audit.take()
        if rows:
            INSERT_EVENT.write(self.conn, rows)
