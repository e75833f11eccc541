"""Administering the organisation, one command one transaction, administrators only: create and
change units, departments, halls, windows, roles and staff accounts, open, end and move posts.
Nothing is deleted: `active: false` deactivates (refused while something needs it,
engine/services/org_admin/needs.py) and an ended post keeps its dates. Every change is an audit
event on the system stream and drops this process's organisation snapshot after the commit
(other processes read theirs again within LIANBAN_CACHE_SECONDS: engine/services/caches.py)."""
from __future__ import annotations

from typing import Callable

import engine.services.org_admin.needs as needs
import engine.services.org_admin.writing as writing
from engine.domain.actor import Actor
from engine.domain.errors import ValidationError
from engine.domain.organisation_files import check_fields
from engine.services.accounts import access, auth, org

# API field -> (record kind of engine/domain/organisation_files.py, its field there) for the own fields
_OWN = {"unit": ("code", "name", "tier", "active"), "department": ("code", "name", "active"),
        "hall": ("code", "name", "kind", "active", "closes_at", "hours"), "window": ("code", "name", "kind", "active"),
        "role": ("code", "name_zh", "name_en", "description", "active"),
        "staff": ("username", "name", "active", "password", "system_roles")}


def checked(actor: Actor, kind: str, values: dict, *, partial: bool = False) -> dict:
    """Administrators only (before anything else is said about the input); the record's own fields
    checked as an import checks them (the first problem is the error); `partial`: an update, where
    absent fields stay as they are."""
    access.require_role(actor, "admin")
    own = {k: v for k, v in values.items() if k in _OWN[kind]}
    out, problems = check_fields(kind, 0, own)
    # references (a file's codes) come as ids here and are checked by the write
    problems = [p for p in problems if p.code != "org_field_required" or (p.field in _OWN[kind] and not partial)]
    if problems:
        p = problems[0]
        raise ValidationError(p.message, code=p.code, field=p.field)
    return out


def _command(ctx, actor: Actor, what: str, change: Callable) -> object:
    access.require_role(actor, "admin")
    with ctx.uow.begin() as tx, tx.org_admin.racing("the organisation"):
        writing.ensure_roles(tx)
        result = change(tx, ctx.clock.now())
        tx.events.append("system", "org_changed", actor, ctx.clock.now(), {"change": what})
        tx.after_commit(lambda: org.invalidate(ctx))
    return result


def create_unit(ctx, actor: Actor, values: dict) -> int:
    v = checked(actor, "unit", values)
    return _command(ctx, actor, f"unit {v['code']} created",
                    lambda tx, now: writing.create_unit(tx, v["code"], v["name"], v["tier"], values.get("parent_id")))


def update_unit(ctx, actor: Actor, unit_id: int, values: dict) -> None:
    v = {**checked(actor, "unit", values, partial=True), **({"parent_id": values["parent_id"]} if "parent_id" in values
                                                     else {})}
    v.pop("code", None)               # a code is the unit's name in files and the catalogue: it never changes
    _command(ctx, actor, f"unit {unit_id} changed: {sorted(v)}", lambda tx, now: writing.update_unit(tx, unit_id, v))


def create_department(ctx, actor: Actor, values: dict) -> int:
    v = checked(actor, "department", values)
    return _command(ctx, actor, f"department {v['code']} created", lambda tx, now: writing.create_department(
        tx, values["org_unit_id"], v["code"], v["name"]))


def update_department(ctx, actor: Actor, department_id: int, values: dict) -> None:
    v = checked(actor, "department", values, partial=True)
    v.pop("code", None)
    _command(ctx, actor, f"department {department_id} changed: {sorted(v)}",
             lambda tx, now: writing.update_department(tx, department_id, v))


def create_hall(ctx, actor: Actor, values: dict) -> int:
    v = checked(actor, "hall", values)
    return _command(ctx, actor, f"hall {v['code']} created", lambda tx, now: writing.create_hall(
        tx, values["org_unit_id"], v["code"], v["name"], v["kind"], v.get("closes_at"), v.get("hours")))


def update_hall(ctx, actor: Actor, hall_id: int, values: dict) -> None:
    v = checked(actor, "hall", values, partial=True)
    v.pop("code", None)
    for name in ("closes_at", "hours"):
        if name in values and values[name] is None:
            v[name] = None                      # the hall no longer has a cut-off / a schedule
    _command(ctx, actor, f"hall {hall_id} changed: {sorted(v)}", lambda tx, now: writing.update_hall(tx, hall_id, v))


def create_window(ctx, actor: Actor, values: dict) -> int:
    v = checked(actor, "window", values)
    return _command(ctx, actor, f"window {v['code']} created", lambda tx, now: writing.create_window(
        tx, values["hall_id"], v["code"], v["name"], v["kind"], values.get("department_id")))


def update_window(ctx, actor: Actor, window_id: int, values: dict) -> None:
    v = {**checked(actor, "window", values, partial=True),
         **{k: values[k] for k in ("hall_id", "department_id") if k in values}}
    v.pop("code", None)
    _command(ctx, actor, f"window {window_id} changed: {sorted(v)}",
             lambda tx, now: writing.update_window(tx, window_id, v))


def create_role(ctx, actor: Actor, values: dict) -> int:
    v = checked(actor, "role", values)
    return _command(ctx, actor, f"role {v['code']} created", lambda tx, now: writing.create_role(
        tx, v["code"], v["name_zh"], v["name_en"], v.get("description")))


def update_role(ctx, actor: Actor, role_id: int, values: dict) -> None:
    v = checked(actor, "role", values, partial=True)
    v.pop("code", None)               # BPMN names a role by its code
    _command(ctx, actor, f"role {role_id} changed: {sorted(v)}", lambda tx, now: writing.update_role(tx, role_id, v))


def create_staff(ctx, actor: Actor, values: dict) -> int:
    v = checked(actor, "staff", values)            # before the slow hash
    password_hash = auth.hash_password(v["password"]) if v.get("password") else None
    return _command(ctx, actor, f"staff {v['username']} created", lambda tx, now: writing.create_staff(
        tx, v["username"], v["name"], password_hash, v.get("system_roles", ()), v.get("active", True)))


def update_staff(ctx, actor: Actor, staff_id: int, values: dict) -> None:
    v = checked(actor, "staff", values, partial=True)
    v.pop("username", None)
    if "password" in v:
        v["password_hash"] = auth.hash_password(v.pop("password"))
    if "system_roles" in v:
        v["roles"] = v.pop("system_roles")
    ends_sessions = v.get("active") is False or "roles" in v or "password_hash" in v

    def change(tx, now):
        writing.update_staff(tx, staff_id, v, now)
        if ends_sessions:             # every process reads her tokens' actor afresh on the next request
            auth.sessions_end(tx)
    _command(ctx, actor, f"staff {staff_id} changed: {sorted(k for k in v if k != 'password_hash')}"
             + (" (password reset)" if "password_hash" in v else ""), change)
    if ends_sessions:
        ctx.caches.tokens.clear()


def open_post(ctx, actor: Actor, staff_id: int, window_id: int, role: str) -> int:
    return _command(ctx, actor, f"post opened: staff {staff_id} as {role} at window {window_id}",
                    lambda tx, now: writing.open_post(tx, staff_id, window_id, role, now))


def end_post(ctx, actor: Actor, post_id: int) -> None:
    """The post ends now (valid_to); it stays in the history."""
    def change(tx, now):
        post = writing.current_post(tx, post_id)
        needs.ending_posts(ctx, tx, post.staff_id, {post_id})
        tx.org_admin.end_post(post_id, now)
    _command(ctx, actor, f"post {post_id} ended", change)


def move_post(ctx, actor: Actor, post_id: int, window_id: int, role: str | None = None) -> int:
    """Move a staff member: the post ends and a new one (at `window_id`, with `role` or the same
    role) begins at the same moment, in one transaction; the new post's id."""
    def change(tx, now):
        post = writing.current_post(tx, post_id)
        place = writing.window(tx, window_id)
        new_role = role or post.role
        needs.ending_posts(ctx, tx, post.staff_id, {post_id}, [(place.org_unit_id, place.department_id, new_role)])
        tx.org_admin.end_post(post_id, now)
        return writing.open_post(tx, post.staff_id, window_id, new_role, now)
    return _command(ctx, actor, f"post {post_id} moved to window {window_id}", change)
