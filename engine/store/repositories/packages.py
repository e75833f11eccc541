"""一件事 packages: one merged form and material set over several published items. A package's
cases are ordinary `case` rows (docs/packages.md): the parent runs against the package's own
implementation entry, its children have parent_case_id set.

Writes `item_package` (the package's implementation entry is the catalogue's, tx.catalogue);
reads `case` to tell a package case and its open children (a read model)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select

from engine.store import tables as t
from engine.store.repositories.base import Repository

_P, _C = t.item_package.c, t.case.c
_BY_CODE = select(t.item_package).where(_P.code == bindparam("code"))
_INSERT = t.item_package.insert()
# a case of a package's own implementation entry: the parent case
_PACKAGE_CASE = (select(_C.id, _C.number, _C.status, _C.lifecycle, _C.promise_due, _P.code, _P.name,
                        _P.lead_department)
                 .join(t.item_package, _P.implementation_id == _C.item_id).where(_C.id == bindparam("case_id")))
_IS_PACKAGE_CASE = (select(_P.id).join(t.case, _C.item_id == _P.implementation_id)
                    .where(_C.id == bindparam("case_id")))
_RUNNING = (select(_C.id).where(_C.id.in_(bindparam("case_ids", expanding=True)), _C.status == "running")
            .order_by(_C.id))


class Packages(Repository):
    __slots__ = ()

    def by_code(self, code: str):
        """The package row (members, merged form and materials, promise), or None."""
        return self.conn.execute(_BY_CODE, {"code": code}).first()

    def insert(self, *, code: str, name: str, lead_department: str, implementation_id: int, members: list,
               form: dict, materials: list, promise_limit: int, promise_unit: str, created_at: datetime) -> None:
        self.conn.execute(_INSERT, {
            "code": code, "name": name, "lead_department": lead_department, "implementation_id": implementation_id,
            "members": members, "form": form, "materials": materials, "promise_limit": promise_limit,
            "promise_unit": promise_unit, "created_at": created_at})

    def package_case(self, case_id: int):
        """(id, number, status, lifecycle, promise_due, code, name, lead_department) of a package's
        parent case, or None when the case is not one."""
        return self.conn.execute(_PACKAGE_CASE, {"case_id": case_id}).first()

    def is_package_case(self, case_id: int) -> bool:
        return self.conn.execute(_IS_PACKAGE_CASE, {"case_id": case_id}).first() is not None
