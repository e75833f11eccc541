"""The case row: lock it, read and write its columns, number it, save its workflow state.

Every command on a case locks its row first (`lock`), so commands on one case never interleave:
a row lock on PostgreSQL, SQLite's single writer otherwise. The statements a step runs are
prebuilt and go straight to the driver (engine/store/fast.py)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select, update

from engine.domain.audit import CaseAudit
from engine.domain.case import LoadedCase
from engine.domain.errors import NotFound
from engine.store import tables as t
from engine.store.fast import FastRead, FastWrite
from engine.store.repositories.base import Repository
from engine.store.repositories.events import INSERT_EVENT

_C = t.case.c
# what a command needs of a case it locks; labelled so that a join (task + case) can carry them
_LOCKED = (_C.id, _C.version, _C.status, _C.definition_id, _C.origin_org_unit_id, _C.audit_seq, _C.audit_head,
           _C.number, _C.stage, _C.completed_at, _C.lifecycle, _C.parent_case_id)
CASE_COLUMNS = tuple(c.label(f"lc_{c.name}") for c in _LOCKED)
_LOCK = select(*CASE_COLUMNS).where(_C.id == bindparam("case_id"))
_LOCK_SQLITE, _LOCK_PG = FastRead(_LOCK), FastRead(_LOCK.with_for_update())
_LOCK_UNLESS_BUSY = select(_C.id).where(_C.id == bindparam("case_id")).with_for_update(skip_locked=True)
_STATE = FastRead(select(_C.state).where(_C.id == bindparam("case_id")))
_SCOPE = select(_C.origin_org_unit_id, _C.applicant_account_id).where(_C.id == bindparam("case_id"))
_AUDIT_HEAD = FastWrite(update(t.case).where(_C.id == bindparam("cid"))
                        .values(audit_seq=bindparam("seq"), audit_head=bindparam("head"), updated_at=bindparam("now")))


def case_from_row(row) -> LoadedCase:
    """A LoadedCase from a row selected with CASE_COLUMNS (possibly joined with other tables)."""
    return LoadedCase(row.lc_id, row.lc_version, row.lc_status, row.lc_definition_id,
                      row.lc_origin_org_unit_id, row.lc_number,
                      CaseAudit(row.lc_id, row.lc_audit_seq, row.lc_audit_head), row.lc_stage,
                      row.lc_completed_at, lifecycle=row.lc_lifecycle, parent_case_id=row.lc_parent_case_id,
                      parent_read=True)


class Cases(Repository):
    __slots__ = ()

    # --- locking ------------------------------------------------------------------------------

    def lock(self, case_id: int) -> LoadedCase:
        """The case under its row lock (PostgreSQL) / the write lock (SQLite); NotFound if none."""
        row = (_LOCK_PG if self.postgres else _LOCK_SQLITE).first(self.conn, {"case_id": case_id})
        if row is None:
            raise NotFound(f"case {case_id} does not exist", code="case_not_found")
        return case_from_row(row)

    def lock_unless_busy(self, case_id: int) -> bool:
        """Lock the row unless another transaction holds it (PostgreSQL: SKIP LOCKED; SQLite has
        one writer, so nobody else can hold it)."""
        if not self.postgres:
            return True
        return self.conn.execute(_LOCK_UNLESS_BUSY, {"case_id": case_id}).scalar() is not None

    # --- reading ------------------------------------------------------------------------------

    def state(self, case_id: int) -> str:
        """The workflow state JSON (without the spec)."""
        return _STATE.first(self.conn, {"case_id": case_id}).state

    def scope(self, case_id: int):
        """(origin_org_unit_id, applicant_account_id) of a case, or None: who may see it."""
        return self.conn.execute(_SCOPE, {"case_id": case_id}).first()

    # --- the audit chain ------------------------------------------------------------------------

    def record_events(self, case: LoadedCase, now: datetime) -> None:
        """Write the events this command added to the case's chain and the chain's new head (for
        commands that do not save the workflow; a save writes the head with the state)."""
        _AUDIT_HEAD.execute(self.conn, {"cid": case.id, "seq": case.audit.seq, "head": case.audit.head, "now": now})
        self.write_events(case)

    def write_events(self, case: LoadedCase) -> None:
        rows = case.audit.take()
        if rows:
            INSERT_EVENT.execute(self.conn, rows)
