"""What administering the organisation reads and writes beyond the routing snapshot
(engine/store/repositories/org.py): whole rows for lists and exports, updates, the end of a post,
and the questions a deactivation asks first (does an open case or task, a deployed process or a
published item still need this?)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from engine.domain.errors import Conflict
from engine.store.models import (
    Case,
    Department,
    Hall,
    ItemImplementation,
    OrgUnit,
    ProcessDefinition,
    Role,
    Staff,
    StaffPost,
    Task,
    Window,
)
from engine.store.repositories.base import Repository

_U, _D, _H, _W, _P, _R, _S = (m.__table__.c for m in (OrgUnit, Department, Hall, Window, StaffPost, Role, Staff))
_C, _T, _PD, _I = Case.__table__.c, Task.__table__.c, ProcessDefinition.__table__.c, ItemImplementation.__table__.c

_ALL_UNITS = select(_U.id, _U.code, _U.name, _U.tier, _U.parent_id, _U.path, _U.active).order_by(_U.path)
_ALL_DEPARTMENTS = select(_D.id, _D.org_unit_id, _D.code, _D.name, _D.active).order_by(_D.org_unit_id, _D.code)
_ALL_HALLS = (select(_H.id, _H.org_unit_id, _H.code, _H.name, _H.kind, _H.active, _H.closes_at, _H.hours)
              .order_by(_H.code))
_ALL_WINDOWS = select(_W.id, _W.hall_id, _W.org_unit_id, _W.department_id, _W.code, _W.name, _W.kind,
                      _W.active).order_by(_W.code)
_ALL_ROLES = select(_R.id, _R.code, _R.name_zh, _R.name_en, _R.description, _R.active).order_by(_R.id)
_ALL_STAFF = (select(_S.id, _S.username, _S.name, _S.active, _S.roles, _S.staff_no).where(_S.kind == "staff")
              .order_by(_S.username))
_POSTS = (select(_P.id, _P.staff_id, _S.username, _S.name.label("staff_name"), _P.window_id,
                 _W.code.label("window_code"), _P.org_unit_id, _P.department_id, _P.role, _P.valid_from, _P.valid_to)
          .join(Staff.__table__, _S.id == _P.staff_id).join(Window.__table__, _W.id == _P.window_id))
_RUNNING = _C.status == "running"
_OPEN = _T.state == "open"


class OrgAdmin(Repository):
    __slots__ = ()

    def racing(self, what: str):
        """A unique code written by another administrator meanwhile (PostgreSQL): one Conflict."""
        return _Racing(what)

    # --- whole rows -------------------------------------------------------------------------------

    def units(self) -> list:
        return self.conn.execute(_ALL_UNITS).all()

    def departments(self) -> list:
        return self.conn.execute(_ALL_DEPARTMENTS).all()

    def halls(self) -> list:
        return self.conn.execute(_ALL_HALLS).all()

    def windows(self) -> list:
        return self.conn.execute(_ALL_WINDOWS).all()

    def roles(self) -> list:
        return self.conn.execute(_ALL_ROLES).all()

    def staff(self) -> list:
        """Staff accounts (not applicants nor service accounts), without their password hash."""
        return self.conn.execute(_ALL_STAFF).all()

    def posts(self, *, current_only: bool = True, staff_id: Optional[int] = None,
              window_id: Optional[int] = None, unit_ids=None, post_id: Optional[int] = None) -> list:
        """Posts with their holder's username and name and their window's code, newest first."""
        query = _POSTS
        if current_only:
            query = query.where(_P.valid_to.is_(None))
        if staff_id is not None:
            query = query.where(_P.staff_id == staff_id)
        if window_id is not None:
            query = query.where(_P.window_id == window_id)
        if unit_ids is not None:
            query = query.where(_P.org_unit_id.in_(list(unit_ids)))
        if post_id is not None:
            query = query.where(_P.id == post_id)
        return self.conn.execute(query.order_by(_P.id.desc())).all()

    # --- writes -----------------------------------------------------------------------------------

    def update_unit(self, unit_id: int, values: dict) -> None:
        self.conn.execute(update(OrgUnit.__table__).where(_U.id == unit_id).values(**values))

    def move_subtree(self, old_path: str, new_path: str) -> None:
        """Every path under `old_path` (the unit's own included) now starts with `new_path`."""
        self.conn.execute(update(OrgUnit.__table__).where(_U.path.startswith(old_path, autoescape=True)).values(
            path=new_path + func.substr(_U.path, len(old_path) + 1)))

    def update_department(self, department_id: int, values: dict) -> None:
        self.conn.execute(update(Department.__table__).where(_D.id == department_id).values(**values))

    def update_hall(self, hall_id: int, values: dict) -> None:
        self.conn.execute(update(Hall.__table__).where(_H.id == hall_id).values(**values))

    def update_window(self, window_id: int, values: dict) -> None:
        self.conn.execute(update(Window.__table__).where(_W.id == window_id).values(**values))

    def add_role(self, code: str, name_zh: str, name_en: str, description: Optional[str], active: bool) -> int:
        return self.conn.execute(Role.__table__.insert().returning(_R.id), {
            "code": code, "name_zh": name_zh, "name_en": name_en, "description": description,
            "active": active}).scalar_one()

    def update_role(self, role_id: int, values: dict) -> None:
        self.conn.execute(update(Role.__table__).where(_R.id == role_id).values(**values))

    def update_staff(self, staff_id: int, values: dict) -> None:
        self.conn.execute(update(Staff.__table__).where(_S.id == staff_id).values(**values))

    def end_post(self, post_id: int, now: datetime) -> bool:
        """False when the post is not current (ended already, or no such post)."""
        return bool(self.conn.execute(update(StaffPost.__table__).where(
            _P.id == post_id, _P.valid_to.is_(None)).values(valid_to=now)).rowcount)

    def end_posts_of(self, staff_id: int, now: datetime) -> int:
        return self.conn.execute(update(StaffPost.__table__).where(
            _P.staff_id == staff_id, _P.valid_to.is_(None)).values(valid_to=now)).rowcount

    # --- what still needs a row (counts; 0 = nothing) ---------------------------------------------

    def open_cases_at_window(self, window_id: int) -> int:
        return self._count(select(func.count()).where(_C.origin_window_id == window_id, _RUNNING))

    def open_cases_at_unit(self, unit_id: int) -> int:
        return self._count(select(func.count()).where(_C.origin_org_unit_id == unit_id, _RUNNING))

    def open_tasks_at_unit(self, unit_id: int) -> int:
        return self._count(select(func.count()).where(_T.routed_org_unit_id == unit_id, _OPEN))

    def open_tasks_in_department(self, department_id: int) -> int:
        return self._count(select(func.count()).where(_T.routed_department_id == department_id, _OPEN))

    def open_tasks_with_role(self, role: str) -> int:
        return self._count(select(func.count()).where(_T.routed_role == role, _OPEN))

    def claimed_tasks(self, staff_id: int) -> list:
        """(routed_org_unit_id, routed_department_id, routed_role) of the open tasks the staff holds."""
        return self.conn.execute(select(_T.routed_org_unit_id, _T.routed_department_id, _T.routed_role)
                                 .where(_T.assignee_id == staff_id, _OPEN)).all()

    def current_posts_at_window(self, window_id: int) -> int:
        return self._count(select(func.count()).where(_P.window_id == window_id, _P.valid_to.is_(None)))

    def current_posts_with_role(self, role: str) -> int:
        return self._count(select(func.count()).where(_P.role == role, _P.valid_to.is_(None)))

    def active_below(self, unit_id: int) -> dict[str, int]:
        """Active child units, departments, halls and windows of a unit."""
        return {"units": self._count(select(func.count()).where(_U.parent_id == unit_id, _U.active.is_(True))),
                "departments": self._count(select(func.count()).where(_D.org_unit_id == unit_id,
                                                                      _D.active.is_(True))),
                "halls": self._count(select(func.count()).where(_H.org_unit_id == unit_id, _H.active.is_(True))),
                "windows": self._count(select(func.count()).where(_W.org_unit_id == unit_id, _W.active.is_(True)))}

    def active_windows_of_hall(self, hall_id: int) -> int:
        return self._count(select(func.count()).where(_W.hall_id == hall_id, _W.active.is_(True)))

    def active_windows_of_department(self, department_id: int) -> int:
        return self._count(select(func.count()).where(_W.department_id == department_id, _W.active.is_(True)))

    def latest_user_tasks(self) -> list:
        """(key, version, user_tasks) of the newest version of every process: what new cases run."""
        newest = (select(_PD.key, func.max(_PD.version).label("version")).group_by(_PD.key)).subquery()
        return self.conn.execute(select(_PD.key, _PD.version, _PD.user_tasks).join(
            newest, (newest.c.key == _PD.key) & (newest.c.version == _PD.version))).all()

    def published_items_deciding_in(self, department_code: str) -> list[str]:
        """Codes of the published catalogue entries whose deciding department has this code."""
        return list(self.conn.execute(select(_I.code).where(_I.status == "published",
                                                            _I.deciding_department == department_code)).scalars())

    def _count(self, query) -> int:
        return int(self.conn.execute(query).scalar() or 0)


class _Racing:
    def __init__(self, what: str):
        self.what = what

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if isinstance(exc, IntegrityError):
            raise Conflict(f"{self.what} was changed by someone else meanwhile (a code is taken); try again",
                           code="org_changed_concurrently") from None
        return False

