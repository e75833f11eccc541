"""The writes of organisation administration, in the caller's transaction, shared by the commands
(engine/services/org_admin/commands.py) and the import (transfer.py): each checks the rules that
hold whoever writes (unique codes, tier parents, a window's department at its unit, what
deactivating needs) and changes rows only then."""
from __future__ import annotations

from typing import Optional

import engine.services.org_admin.needs as needs
from engine.domain.errors import Conflict, NotFound, ValidationError
from engine.domain.org import BUILTIN_ROLES, CANDIDATES_ROLE
from engine.domain.organisation import parent_problem
from engine.services.accounts import auth
from engine.store.uow import Transaction


def ensure_roles(tx: Transaction) -> None:
    """Migration 0011 seeds the built-in roles; a role table emptied since (test fixtures wipe
    every table) gets them again before anything is written that may name them."""
    if not tx.org_admin.roles():
        for code, (name_zh, name_en) in BUILTIN_ROLES.items():
            tx.org_admin.add_role(code, name_zh, name_en, None, True)


def _one(rows, row_id: int, kind: str, *, code: str):
    found = next((r for r in rows if r.id == row_id), None)
    if found is None:
        raise NotFound(f"{kind} {row_id} does not exist", code=code)
    return found


def unit(tx: Transaction, unit_id: int):
    return _one(tx.org_admin.units(), unit_id, "unit", code="unit_not_found")


def department(tx: Transaction, department_id: int):
    return _one(tx.org_admin.departments(), department_id, "department", code="department_not_found")


def hall(tx: Transaction, hall_id: int):
    return _one(tx.org_admin.halls(), hall_id, "hall", code="hall_not_found")


def window(tx: Transaction, window_id: int):
    return _one(tx.org_admin.windows(), window_id, "window", code="window_not_found")


def role(tx: Transaction, role_id: int):
    return _one(tx.org_admin.roles(), role_id, "role", code="role_not_found")


def staff(tx: Transaction, staff_id: int):
    return _one(tx.org_admin.staff(), staff_id, "staff account", code="staff_not_found")


def _taken(rows, code: str, what: str, field: str = "code") -> None:
    if any(getattr(r, field) == code for r in rows):
        raise ValidationError(f"{what} {code!r} exists already", code="org_code_taken", field=field)


def _active_parent(row, what: str, field: str) -> None:
    if not row.active:
        raise ValidationError(f"{what} is deactivated: reactivate it first", code="org_parent_inactive", field=field)


# --- units ------------------------------------------------------------------------------------------

def create_unit(tx: Transaction, code: str, name: str, tier: str, parent_id: Optional[int]) -> int:
    units = tx.org_admin.units()
    _taken(units, code, "a unit with the code")
    parent = _one(units, parent_id, "unit", code="unit_not_found") if parent_id is not None else None
    _check_parent(tier, parent)
    return tx.org.add_unit(code, name, tier, parent_id, parent.path if parent else "/")


def _check_parent(tier: str, parent) -> None:
    found = parent_problem(tier, parent.tier if parent is not None else None)
    if found:
        raise ValidationError(found[1], code=found[0], field="tier" if found[0] != "org_parent_required" else
                              "parent_id")
    if parent is not None:
        _active_parent(parent, f"unit {parent.code}", "parent_id")


def update_unit(tx: Transaction, unit_id: int, changes: dict) -> bool:
    """name, tier, parent_id (moves the subtree: every path below is rewritten), active. True when changed."""
    units = tx.org_admin.units()
    row = _one(units, unit_id, "unit", code="unit_not_found")
    changes = {k: v for k, v in changes.items() if getattr(row, k) != v}
    if not changes:
        return False
    tier, parent_id = changes.get("tier", row.tier), changes.get("parent_id", row.parent_id)
    if "tier" in changes or "parent_id" in changes:
        parent = _one(units, parent_id, "unit", code="unit_not_found") if parent_id is not None else None
        if parent is not None and parent.path.startswith(row.path):
            raise ValidationError("a unit cannot sit under itself or a unit below it", code="org_tier_order",
                                  field="parent_id")
        _check_parent(tier, parent)
        for child in units:
            if child.parent_id == unit_id and parent_problem(child.tier, tier):
                raise ValidationError(f"unit {child.code} ({child.tier}) below it cannot sit under a {tier}",
                                      code="org_tier_order", field="tier")
        if "parent_id" in changes:
            tx.org_admin.move_subtree(row.path, (parent.path if parent else "/") + f"{unit_id}/")
    if changes.get("active") is False:
        needs.unit(tx, unit_id)
    if changes.get("active") is True and row.parent_id is not None and "parent_id" not in changes:
        _active_parent(_one(units, row.parent_id, "unit", code="unit_not_found"), "the unit above it", "active")
    tx.org_admin.update_unit(unit_id, changes)
    return True


# --- departments, halls, windows -----------------------------------------------------------------------

def create_department(tx: Transaction, org_unit_id: int, code: str, name: str) -> int:
    _active_parent(unit(tx, org_unit_id), "the unit", "org_unit_id")
    _taken([d for d in tx.org_admin.departments() if d.org_unit_id == org_unit_id], code,
           "a department of this unit with the code")
    return tx.org.add_department(org_unit_id, code, name)


def update_department(tx: Transaction, department_id: int, changes: dict) -> bool:
    row = department(tx, department_id)
    changes = {k: v for k, v in changes.items() if getattr(row, k) != v}
    if changes.get("active") is False:
        needs.department(tx, row)
    if changes.get("active") is True:
        _active_parent(unit(tx, row.org_unit_id), "its unit", "active")
    if changes:
        tx.org_admin.update_department(department_id, changes)
    return bool(changes)


def create_hall(tx: Transaction, org_unit_id: int, code: str, name: str, kind: str,
                closes_at: Optional[str] = None, hours: Optional[list] = None) -> int:
    _active_parent(unit(tx, org_unit_id), "the unit", "org_unit_id")
    _taken(tx.org_admin.halls(), code, "a hall with the code")
    return tx.org.add_hall(org_unit_id, code, name, kind, closes_at, hours)


def _one_form_of_hours(changes: dict) -> dict:
    """A hall has a closing time or a schedule (docs/organisation.md#opening-hours): giving one
    clears the other (a record giving both was refused when its fields were checked)."""
    if changes.get("hours"):
        return {**changes, "closes_at": None}
    if changes.get("closes_at"):
        return {**changes, "hours": None}
    return changes


def update_hall(tx: Transaction, hall_id: int, changes: dict) -> bool:
    row = hall(tx, hall_id)
    changes = {k: v for k, v in _one_form_of_hours(changes).items() if getattr(row, k) != v}
    if changes.get("active") is False:
        needs.hall(tx, hall_id)
    if changes.get("active") is True:
        _active_parent(unit(tx, row.org_unit_id), "its unit", "active")
    if changes:
        tx.org_admin.update_hall(hall_id, changes)
    return bool(changes)


def _window_department(tx: Transaction, unit_id: int, department_id: Optional[int]) -> None:
    if department_id is None:
        return
    row = next((d for d in tx.org_admin.departments() if d.id == department_id), None)
    if row is None or row.org_unit_id != unit_id or not row.active:
        raise ValidationError("the department must be an active department of the window's unit",
                              code="department_unknown", field="department_id")


def create_window(tx: Transaction, hall_id: int, code: str, name: str, kind: str,
                  department_id: Optional[int]) -> int:
    place = hall(tx, hall_id)
    _active_parent(place, f"hall {place.code}", "hall_id")
    _taken(tx.org_admin.windows(), code, "a window with the code")
    _window_department(tx, place.org_unit_id, department_id)
    return tx.org.add_window(hall_id, place.org_unit_id, code, name, kind, department_id)


def update_window(tx: Transaction, window_id: int, changes: dict) -> bool:
    """name, kind, hall_id (another hall of the same unit), department_id, active."""
    row = window(tx, window_id)
    changes = {k: v for k, v in changes.items() if getattr(row, k) != v}
    if "hall_id" in changes:
        new_hall = hall(tx, changes["hall_id"])
        if new_hall.org_unit_id != row.org_unit_id:
            raise ValidationError("a window stays at its unit: make a new window at the other unit",
                                  code="org_window_unit_fixed", field="hall_id")
    if "department_id" in changes:
        _window_department(tx, row.org_unit_id, changes["department_id"])
        if tx.org_admin.current_posts_at_window(window_id):
            # a post's department is its window's when it was opened: changing it under her would
            # move her open work to another department's queue without anyone deciding so
            raise Conflict("end or move the window's current posts before changing its department",
                           code="window_has_posts", field="department_id")
    if changes.get("active") is False:
        needs.window(tx, window_id)
    if changes.get("active") is True:
        _active_parent(hall(tx, changes.get("hall_id", row.hall_id)), "its hall", "active")
    if changes:
        tx.org_admin.update_window(window_id, changes)
    return bool(changes)


# --- roles, staff, posts ------------------------------------------------------------------------------------

def create_role(tx: Transaction, code: str, name_zh: str, name_en: str, description: Optional[str]) -> int:
    if code == CANDIDATES_ROLE:      # what steps offered to named people are routed to: no post may hold it
        raise ValidationError(f"the role code {code!r} is reserved (steps offered to named staff)",
                              code="org_code_taken", field="code")
    _taken(tx.org_admin.roles(), code, "a role with the code")
    return tx.org_admin.add_role(code, name_zh, name_en, description, True)


def update_role(tx: Transaction, role_id: int, changes: dict) -> bool:
    row = role(tx, role_id)
    changes = {k: v for k, v in changes.items() if getattr(row, k) != v}
    if changes.get("active") is False:
        needs.role(tx, row.code)
    if changes:
        tx.org_admin.update_role(role_id, changes)
    return bool(changes)


def create_staff(tx: Transaction, username: str, name: str, password_hash: Optional[str],
                 system_roles=(), active: bool = True, staff_no: Optional[str] = None) -> int:
    staff_id = auth.add_account(tx, username, name, "staff", system_roles, password_hash)
    if not active or staff_no:
        tx.org_admin.update_staff(staff_id, {"active": active, "staff_no": staff_no})
    return staff_id


def update_staff(tx: Transaction, staff_id: int, changes: dict, now) -> bool:
    """name, active (deactivating ends her current posts: their history stays), system roles
    (`roles`), password_hash."""
    row = staff(tx, staff_id)
    changes = {k: v for k, v in changes.items() if k == "password_hash" or getattr(row, k) != v}
    if changes.get("active") is False:
        needs.staff(tx, staff_id)
        tx.org_admin.end_posts_of(staff_id, now)
    if changes:
        tx.org_admin.update_staff(staff_id, changes)
    return bool(changes)


def open_post(tx: Transaction, staff_id: int, window_id: int, role_code: str, now) -> int:
    person = staff(tx, staff_id)
    if not person.active:
        raise ValidationError("the account is deactivated", code="org_parent_inactive", field="staff_id")
    place = window(tx, window_id)
    _active_parent(place, f"window {place.code}", "window_id")
    if not any(r.code == role_code and r.active for r in tx.org_admin.roles()):
        raise ValidationError(f"no active role {role_code!r}", code="org_unknown_role", field="role")
    if any(p.window_id == window_id and p.role == role_code for p in tx.org_admin.posts(staff_id=staff_id)):
        raise Conflict(f"{person.username} holds this post already", code="post_exists", field="role")
    return tx.org.add_post(staff_id, window_id, place.org_unit_id, place.department_id, role_code, now)


def current_post(tx: Transaction, post_id: int):
    rows = tx.org_admin.posts(current_only=False, post_id=post_id)
    if not rows:
        raise NotFound(f"post {post_id} does not exist", code="post_not_found")
    if rows[0].valid_to is not None:
        raise Conflict("the post has ended already; its history stays as it is", code="post_ended")
    return rows[0]
