"""送达: the delivery columns of a case (method, the delivery record, delivered_at) and what a
delivery reads of the case (its applicant, decision, lifecycle; whether it is a 一件事 package)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import bindparam, select, update

from engine.store import tables as t
from engine.store.repositories.base import Repository

_C, _P = t.case.c, t.item_package.c

_IS_PACKAGE = select(_P.id).join(t.case, _C.item_id == _P.implementation_id).where(_C.id == bindparam("case_id"))
_APPLICANT_NAME = select(_C.applicant_name).where(_C.id == bindparam("case_id"))
_DECISION = select(_C.decision).where(_C.id == bindparam("case_id"))
_LIFECYCLE = select(_C.lifecycle).where(_C.id == bindparam("case_id"))
_PACKAGE = select(_C.origin_org_unit_id, _C.lifecycle, _C.decision, _C.applicant_name).where(
    _C.id == bindparam("case_id"))
# (a WHERE parameter may not share its name with a column of the UPDATE's table: "case")
_RECORD = update(t.case).where(_C.id == bindparam("case")).values(
    delivery_method=bindparam("delivery_method"), delivery=bindparam("delivery"),
    delivered_at=bindparam("delivered_at"), updated_at=bindparam("updated_at"))
# a 一件事 parent's lifecycle moves with its delivery (`partially_completed` is outside the lifecycle's table)
_RECORD_WITH_LIFECYCLE = _RECORD.values(lifecycle=bindparam("lifecycle"))


class Deliveries(Repository):
    __slots__ = ()

    def is_package_case(self, case_id: int) -> bool:
        """The case is the parent of a 一件事 package (its item is a package's)."""
        return self.conn.execute(_IS_PACKAGE, {"case_id": case_id}).first() is not None

    def applicant_name(self, case_id: int) -> Optional[str]:
        return self.conn.execute(_APPLICANT_NAME, {"case_id": case_id}).scalar()

    def decision(self, case_id: int) -> Optional[str]:
        return self.conn.execute(_DECISION, {"case_id": case_id}).scalar()

    def lifecycle(self, case_id: int) -> Optional[str]:
        return self.conn.execute(_LIFECYCLE, {"case_id": case_id}).scalar()

    def package(self, case_id: int):
        """(origin_org_unit_id, lifecycle, decision, applicant_name) of a package's parent case, or None."""
        return self.conn.execute(_PACKAGE, {"case_id": case_id}).first()

    def record(self, case_id: int, method: str, record: dict, now: datetime, *,
               lifecycle: Optional[str] = None) -> None:
        """The case was delivered now by `method` (`record`: what was given); a package's parent
        also takes its new `lifecycle` here."""
        params = {"case": case_id, "delivery_method": method, "delivery": record, "delivered_at": now,
                  "updated_at": now}
        if lifecycle is None:
            self.conn.execute(_RECORD, params)
        else:
            self.conn.execute(_RECORD_WITH_LIFECYCLE, {**params, "lifecycle": lifecycle})
