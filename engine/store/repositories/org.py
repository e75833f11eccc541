"""The organisation: the four-tier tree of units (with its materialised paths), departments,
halls, windows and the posts staff hold at windows. Read whole into the directory snapshot
(engine/services/accounts/org.py), written one row at a time by the org service."""
from __future__ import annotations

from typing import Optional

from sqlalchemy import bindparam, select, update

from engine.store.models import Department, Hall, OrgUnit, Role, StaffPost, Window
from engine.store.repositories.base import Repository

_U, _D, _H, _W, _P, _R = (m.__table__.c for m in (OrgUnit, Department, Hall, Window, StaffPost, Role))

# the directory snapshot, read on each refresh: every unit (a deactivated one keeps its place in
# the tree), the active departments, windows and roles, and the CURRENT posts only (an ended post
# neither routes nor authorises)
_UNITS = select(_U.id, _U.tier, _U.parent_id, _U.path)
_DEPARTMENTS = select(_D.id, _D.org_unit_id, _D.code).where(_D.active.is_(True))
_POSTS = select(_P.staff_id, _P.org_unit_id, _P.department_id, _P.role).where(_P.valid_to.is_(None))
_WINDOWS = (select(_W.id, _W.org_unit_id, _W.department_id, _W.code, _W.hall_id, _H.closes_at, _H.hours)
            .join_from(Window.__table__, Hall.__table__, _H.id == _W.hall_id).where(_W.active.is_(True)))
_ROLE_CODES = select(_R.code).where(_R.active.is_(True))
_ANY_UNIT = select(_U.id).limit(1)

_UNIT = select(_U.tier, _U.path).where(_U.id == bindparam("unit_id"))
_HALL_UNIT = select(_H.org_unit_id).where(_H.id == bindparam("hall_id"))
_HALL_BY_CODE = select(_H.id, _H.code, _H.name, _H.active, _H.closes_at, _H.hours).where(_H.code == bindparam("code"))
_WINDOW_PLACE = select(_W.org_unit_id, _W.department_id).where(_W.id == bindparam("window_id"))

_ADD_UNIT = OrgUnit.__table__.insert().returning(_U.id)
_SET_PATH = update(OrgUnit.__table__).where(_U.id == bindparam("unit_id")).values(path=bindparam("path"))
_ADD_DEPARTMENT = Department.__table__.insert().returning(_D.id)
_ADD_HALL = Hall.__table__.insert().returning(_H.id)
_ADD_WINDOW = Window.__table__.insert().returning(_W.id)
_ADD_POST = StaffPost.__table__.insert().returning(_P.id)


class Organisation(Repository):
    __slots__ = ()

    # --- the directory snapshot -------------------------------------------------------------------

    def units(self) -> list:
        """(id, tier, parent_id, path) of every unit."""
        return self.conn.execute(_UNITS).all()

    def departments(self) -> list:
        """(id, org_unit_id, code) of every active department."""
        return self.conn.execute(_DEPARTMENTS).all()

    def posts(self) -> list:
        """(staff_id, org_unit_id, department_id, role) of every current post."""
        return self.conn.execute(_POSTS).all()

    def windows(self) -> list:
        """(id, org_unit_id, department_id, code, hall_id, its hall's closes_at and hours) of every active window."""
        return self.conn.execute(_WINDOWS).all()

    def role_codes(self) -> list[str]:
        """The codes of the active roles."""
        return list(self.conn.execute(_ROLE_CODES).scalars())

    def is_empty(self) -> bool:
        """No unit at all (a database nobody has given an organisation yet)."""
        return self.conn.execute(_ANY_UNIT).first() is None

    # --- what a write checks first (None: no such row) ------------------------------------------------

    def unit(self, unit_id: int):
        """(tier, path) of a unit, or None."""
        return self.conn.execute(_UNIT, {"unit_id": unit_id}).first()

    def hall_unit(self, hall_id: int) -> Optional[int]:
        """The unit a hall belongs to, or None."""
        return self.conn.execute(_HALL_UNIT, {"hall_id": hall_id}).scalar()

    def hall_by_code(self, code: str):
        """(id, code, name, active, closes_at, hours) of a hall, or None."""
        return self.conn.execute(_HALL_BY_CODE, {"code": code}).first()

    def window_place(self, window_id: int):
        """(org_unit_id, department_id) of a window, or None."""
        return self.conn.execute(_WINDOW_PLACE, {"window_id": window_id}).first()

    # --- writes ------------------------------------------------------------------------------------

    def add_unit(self, code: str, name: str, tier: str, parent_id: Optional[int], parent_path: str) -> int:
        """A unit under `parent_id` whose materialised path is parent_path + its id."""
        unit_id = self.conn.execute(_ADD_UNIT, {"code": code, "name": name, "tier": tier, "parent_id": parent_id,
                                                "path": ""}).scalar_one()
        self.conn.execute(_SET_PATH, {"unit_id": unit_id, "path": f"{parent_path}{unit_id}/"})
        return unit_id

    def add_department(self, org_unit_id: int, code: str, name: str) -> int:
        return self.conn.execute(_ADD_DEPARTMENT, {"org_unit_id": org_unit_id, "code": code,
                                                   "name": name}).scalar_one()

    def add_hall(self, org_unit_id: int, code: str, name: str, kind: str, closes_at: Optional[str] = None,
                 hours: Optional[list] = None) -> int:
        return self.conn.execute(_ADD_HALL, {"org_unit_id": org_unit_id, "code": code, "name": name,
                                             "kind": kind, "closes_at": closes_at, "hours": hours}).scalar_one()

    def add_window(self, hall_id: int, org_unit_id: int, code: str, name: str, kind: str,
                   department_id: Optional[int]) -> int:
        return self.conn.execute(_ADD_WINDOW, {"hall_id": hall_id, "org_unit_id": org_unit_id, "code": code,
                                               "name": name, "kind": kind,
                                               "department_id": department_id}).scalar_one()

    def add_post(self, staff_id: int, window_id: int, org_unit_id: int, department_id: Optional[int],
                 role: str, valid_from=None) -> int:
        """A current post (valid_to NULL) from `valid_from`."""
        return self.conn.execute(_ADD_POST, {"staff_id": staff_id, "window_id": window_id,
                                             "org_unit_id": org_unit_id, "department_id": department_id,
                                             "role": role, "valid_from": valid_from, "valid_to": None}).scalar_one()
