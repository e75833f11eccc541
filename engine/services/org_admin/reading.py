"""Reading the organisation. Its structure (units, departments, halls, windows, roles) is read by
every account of the agency — clerks, supervisors, designers (the studio's candidate-group picker)
and administrators — never by applicants. Staff accounts and posts name people: administrators
read them all, supervisors those at the units they supervise (read-only), nobody else."""
from __future__ import annotations

from typing import Optional

import engine.services.org_admin.writing as writing
from engine.domain.actor import Actor
from engine.domain.errors import Forbidden, NotFound
from engine.services.accounts import access, org
from engine.store.uow import Transaction

UNIT = ("id", "code", "name", "tier", "parent_id", "active")
DEPARTMENT = ("id", "org_unit_id", "code", "name", "active")
HALL = ("id", "org_unit_id", "code", "name", "kind", "active", "closes_at", "hours")
WINDOW = ("id", "hall_id", "org_unit_id", "department_id", "code", "name", "kind", "active")
ROLE = ("id", "code", "name_zh", "name_en", "description", "active")
POST = ("id", "staff_id", "username", "staff_name", "window_id", "window_code", "org_unit_id", "department_id",
        "role", "valid_from", "valid_to")


def _dicts(rows, fields) -> list[dict]:
    return [{f: getattr(r, f) for f in fields} for r in rows]


def _only(rows: list[dict], **wanted) -> list[dict]:
    return [r for r in rows if all(v is None or r[k] == v for k, v in wanted.items())]


def structure(ctx, actor: Actor) -> dict:
    """The whole structure at once (what the console's organisation page draws)."""
    access.require_agency(actor)
    with ctx.uow.read() as tx:
        return {"units": _dicts(tx.org_admin.units(), UNIT), "departments": _dicts(tx.org_admin.departments(),
                                                                                    DEPARTMENT),
                "halls": _dicts(tx.org_admin.halls(), HALL), "windows": _dicts(tx.org_admin.windows(), WINDOW),
                "roles": _dicts(tx.org_admin.roles(), ROLE)}


def units(ctx, actor: Actor, parent_id: Optional[int] = None) -> list[dict]:
    access.require_agency(actor)
    with ctx.uow.read() as tx:
        return _only(_dicts(tx.org_admin.units(), UNIT), parent_id=parent_id)


def departments(ctx, actor: Actor, unit_id: Optional[int] = None, code: Optional[str] = None) -> list[dict]:
    access.require_agency(actor)
    with ctx.uow.read() as tx:
        return _only(_dicts(tx.org_admin.departments(), DEPARTMENT), org_unit_id=unit_id, code=code)


def halls(ctx, actor: Actor, unit_id: Optional[int] = None) -> list[dict]:
    access.require_agency(actor)
    with ctx.uow.read() as tx:
        return _only(_dicts(tx.org_admin.halls(), HALL), org_unit_id=unit_id)


def windows(ctx, actor: Actor, unit_id: Optional[int] = None, hall_id: Optional[int] = None) -> list[dict]:
    access.require_agency(actor)
    with ctx.uow.read() as tx:
        return _only(_dicts(tx.org_admin.windows(), WINDOW), org_unit_id=unit_id, hall_id=hall_id)


def roles(ctx, actor: Actor) -> list[dict]:
    access.require_agency(actor)
    with ctx.uow.read() as tx:
        return _dicts(tx.org_admin.roles(), ROLE)


_ONE = {"unit": (writing.unit, UNIT), "department": (writing.department, DEPARTMENT), "hall": (writing.hall, HALL),
        "window": (writing.window, WINDOW), "role": (writing.role, ROLE)}


def one(ctx, actor: Actor, kind: str, row_id: int) -> dict:
    """One unit, department, hall, window or role by id (404 `<kind>_not_found`)."""
    access.require_agency(actor)
    find, fields = _ONE[kind]
    with ctx.uow.read() as tx:
        return _dicts([find(tx, row_id)], fields)[0]


def _people_scope(ctx, tx: Transaction, actor: Actor) -> Optional[set[int]]:
    """None: every unit (administrators); else the units the actor supervises."""
    if actor.has_role("admin"):
        return None
    roots = access.supervised_units(ctx, tx, actor) if actor.kind == "staff" else []
    if not roots:
        raise Forbidden("staff accounts and posts are read by administrators and supervisors",
                        code="role_required")
    directory = org.directory(ctx, tx)
    return {u for root in roots for u in directory.subtree(root)}


def staff(ctx, actor: Actor) -> list[dict]:
    """Staff accounts (supervisors: those with a current post in their scope)."""
    with ctx.uow.read() as tx:
        scope = _people_scope(ctx, tx, actor)
        rows = tx.org_admin.staff()
        if scope is not None:
            inside = {p.staff_id for p in tx.org_admin.posts(unit_ids=scope)}
            rows = [r for r in rows if r.id in inside]
    return [{"id": r.id, "username": r.username, "name": r.name, "active": r.active,
             "system_roles": sorted(r.roles or ())} for r in rows]


def one_staff(ctx, actor: Actor, staff_id: int) -> dict:
    found = next((s for s in staff(ctx, actor) if s["id"] == staff_id), None)
    if found is None:
        raise NotFound(f"staff account {staff_id} does not exist", code="staff_not_found")
    return found


def posts(ctx, actor: Actor, *, unit_id: Optional[int] = None, staff_id: Optional[int] = None,
          window_id: Optional[int] = None, include_ended: bool = False) -> list[dict]:
    """Current posts (with `include_ended`, the history too), newest first."""
    with ctx.uow.read() as tx:
        scope = _people_scope(ctx, tx, actor)
        units_wanted = {unit_id} if unit_id is not None else None
        if scope is not None:
            units_wanted = scope if units_wanted is None else units_wanted & scope
        rows = tx.org_admin.posts(current_only=not include_ended, staff_id=staff_id, window_id=window_id,
                                  unit_ids=units_wanted)
    return _dicts(rows, POST)


def one_post(ctx, actor: Actor, post_id: int) -> dict:
    found = next((p for p in posts(ctx, actor, include_ended=True) if p["id"] == post_id), None)
    if found is None:
        raise NotFound(f"post {post_id} does not exist", code="post_not_found")
    return found
