"""A case's materials (one row per material of its implementation: how it was satisfied) and its
proxy mandate (代办服务委托书), with what the materials commands read of the case and its item."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select, update

from engine.store import tables as t
from engine.store.models import Staff
from engine.store.repositories.base import Repository

_M, _MD, _C, _I = t.case_material.c, t.case_mandate.c, t.case.c, t.item_implementation.c

# (a WHERE parameter may not share its name with a column of a DELETE's or UPDATE's table: "case", "material")
_OF_CASE = select(t.case_material).where(_M.case_id == bindparam("case_id"))
_ONE = select(t.case_material).where(_M.case_id == bindparam("case_id"), _M.code == bindparam("code"))
_REMOVE = delete(t.case_material).where(_M.case_id == bindparam("case"), _M.code == bindparam("material"))
_ADD = t.case_material.insert()
_VERIFY = (update(t.case_material).where(_M.id == bindparam("material"))
           .values(trust_level="B", verified_at=bindparam("now"), verified_by=bindparam("by"),
                   document_id=bindparam("document_id")))

# what a command on a case's materials reads of the case (under its lock) and of its item
_CASE = select(_C.id, _C.item_id, _C.channel, _C.applicant_name, _C.promise_due, _C.promise_limit, _C.promise_unit,
               _C.convention).where(_C.id == bindparam("case_id"))
_CASE_ITEM = select(_C.item_id, _C.channel).where(_C.id == bindparam("case_id"))
_ITEM = select(_I.materials, _I.tolerant_acceptance).where(_I.id == bindparam("item_id"))

_MANDATE_EXISTS = select(_MD.id).where(_MD.case_id == bindparam("case_id"))
_MANDATE_FILES = select(_MD.blob_sha256).where(_MD.case_id == bindparam("case_id"))
_MANDATE = (select(t.case_mandate, Staff.__table__.c.username.label("agent"))
            .join(Staff.__table__, Staff.__table__.c.id == _MD.agent_account_id)
            .where(_MD.case_id == bindparam("case_id")))
_REMOVE_MANDATE = delete(t.case_mandate).where(_MD.case_id == bindparam("case"))
_ADD_MANDATE = t.case_mandate.insert()


class CaseMaterials(Repository):
    __slots__ = ()

    # --- the case and its item -------------------------------------------------------------------

    def case(self, case_id: int):
        """(id, item_id, channel, applicant_name, promise_due, promise_limit, promise_unit,
        convention) of a case, or None."""
        return self.conn.execute(_CASE, {"case_id": case_id}).first()

    def case_item(self, case_id: int):
        """(item_id, channel) of a case, or None."""
        return self.conn.execute(_CASE_ITEM, {"case_id": case_id}).first()

    def item(self, item_id: int):
        """(materials, tolerant_acceptance) of an implementation version, or None."""
        return self.conn.execute(_ITEM, {"item_id": item_id}).first()

    # --- materials ---------------------------------------------------------------------------------

    def of_case(self, case_id: int) -> list:
        """Every material row of a case."""
        return self.conn.execute(_OF_CASE, {"case_id": case_id}).all()

    def get(self, case_id: int, code: str):
        """One material row of a case, or None."""
        return self.conn.execute(_ONE, {"case_id": case_id, "code": code}).first()

    def replace(self, case_id: int, code: str, row: dict) -> None:
        """The material's row is `row` (every column but the id), whatever satisfied it before."""
        self.conn.execute(_REMOVE, {"case": case_id, "material": code})
        self.conn.execute(_ADD, {**row, "case_id": case_id, "code": code})

    def mark_verified(self, material_id: int, by: str, now: datetime, document_id) -> None:
        """Trust level B: a window checked the original (now filed as `document_id`)."""
        self.conn.execute(_VERIFY, {"material": material_id, "by": by, "now": now, "document_id": document_id})

    # --- the proxy mandate ---------------------------------------------------------------------------

    def has_mandate(self, case_id: int) -> bool:
        return self.conn.execute(_MANDATE_EXISTS, {"case_id": case_id}).first() is not None

    def mandate_files(self, case_id: int) -> set:
        return set(self.conn.execute(_MANDATE_FILES, {"case_id": case_id}).scalars())

    def mandate(self, case_id: int):
        """The case's mandate row with its agent's username (`agent`), or None."""
        return self.conn.execute(_MANDATE, {"case_id": case_id}).first()

    def replace_mandate(self, case_id: int, row: dict) -> None:
        """The case's mandate is `row` (every column but the id and case_id): a renewed one replaces it."""
        self.conn.execute(_REMOVE_MANDATE, {"case": case_id})
        self.conn.execute(_ADD_MANDATE, {**row, "case_id": case_id})
