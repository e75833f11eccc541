"""The first organisation of an empty database (the demo, a new deployment): the unit tree with its
departments, halls and windows, the staff holding the windows' posts and further accounts, written
in ONE transaction, so a failed seed leaves an empty database that a second attempt can fill."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from engine.domain.errors import ValidationError
from engine.services.accounts import auth, org
from engine.store.uow import Transaction


@dataclass(frozen=True)
class NewPost:
    username: str             # made a staff account unless it exists
    name: str
    role: str


@dataclass(frozen=True)
class NewWindow:
    code: str
    name: str
    kind: str
    department: Optional[str] = None          # the code of a department of the window's unit
    posts: tuple[NewPost, ...] = ()


@dataclass(frozen=True)
class NewUnit:
    code: str
    name: str
    tier: str
    hall: tuple[str, str, str]                # (code, name, kind): every unit has its service point
    departments: tuple[tuple[str, str], ...] = ()     # (code, name)
    windows: tuple[NewWindow, ...] = ()
    units: tuple["NewUnit", ...] = ()         # the units directly below it


@dataclass(frozen=True)
class NewAccount:
    username: str
    name: str
    kind: str = "staff"
    roles: tuple[str, ...] = ()


def seed(ctx, root: NewUnit, accounts: Sequence[NewAccount], password: str) -> bool:
    """Give an empty database its organisation, the staff of its posts and `accounts` (in that
    order), every account created with ONE salted hash of `password`: scrypt is slow on purpose,
    and a hash per account would make the demo load seconds slower. False, and nothing written,
    when the database has an organisation already (loading the demo again leaves it alone)."""
    with ctx.uow.begin() as tx:
        if not tx.org.is_empty():
            return False
        password_hash = auth.hash_password(password)
        _add_unit(tx, root, None, password_hash)
        for account in accounts:
            auth.add_account(tx, account.username, account.name, account.kind, account.roles, password_hash)
    org.invalidate(ctx)
    return True


def _add_unit(tx: Transaction, unit: NewUnit, parent_id: Optional[int], password_hash: str) -> None:
    unit_id = org.add_unit(tx, unit.code, unit.name, unit.tier, parent_id)
    departments = {code: org.add_department(tx, unit_id, code, name) for code, name in unit.departments}
    hall_id = org.add_hall(tx, unit_id, *unit.hall)
    for window in unit.windows:
        department_id = None
        if window.department is not None:
            department_id = departments.get(window.department)
            if department_id is None:
                raise ValidationError(f"unit {unit.code} has no department {window.department!r}",
                                      code="department_unknown", field="department")
        window_id = org.add_window(tx, hall_id, window.code, window.name, window.kind, department_id)
        for post in window.posts:
            staff_id = tx.accounts.id_of(post.username)
            if staff_id is None:
                staff_id = org.add_staff(tx, post.username, post.name, password_hash)
            org.add_post(tx, staff_id, window_id, post.role, department_id)
    for below in unit.units:
        _add_unit(tx, below, unit_id, password_hash)
