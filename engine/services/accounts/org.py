"""Organisation: the four-tier tree, departments, halls, windows and staff posts, and routing
of user tasks to (org unit, role, department) relative to the receiving window."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Optional

from engine.domain import hall_hours
from engine.domain import org as org_rules
from engine.domain.actor import Actor
from engine.domain.errors import NotFound, ValidationError
from engine.store.uow import Transaction


@dataclass(frozen=True)
class WindowInfo:
    id: int
    org_unit_id: int
    department_id: Optional[int]
    code: str
    hours: Optional[hall_hours.Schedule] = None     # its hall's opening hours (docs/time-limits.md#deemed-receipt)


class OrgDirectory:
    """In-memory snapshot of the org tree for routing (it changes rarely; every task creation
    reads it). A snapshot (engine/services/caches.py): refreshed after LIANBAN_CACHE_SECONDS, at once when
    this process changes the org, and when a window or post it is asked for is not in it yet."""

    def __init__(self, units, departments, posts, windows, roles=()):
        """From the rows of engine/store/repositories/org.py: every unit (a deactivated one keeps
        its place in the tree: closed cases and supervisors' scopes still point at it), the active
        departments and windows, the CURRENT posts and the active role codes."""
        self.units = {u.id: org_rules.UnitRef(u.id, u.tier, u.parent_id) for u in units}
        self.unit_paths = {u.id: u.path for u in units}
        self.departments = {(d.org_unit_id, d.code): d.id for d in departments}
        self.department_codes = {code for _, code in self.departments}
        self.posts: dict[int, list[tuple[int, Optional[int], str]]] = {}
        for p in posts:
            self.posts.setdefault(p.staff_id, []).append((p.org_unit_id, p.department_id, p.role))
        schedules: dict[int, Optional[hall_hours.Schedule]] = {}     # one per hall, shared by its windows
        for w in windows:
            if w.hall_id not in schedules:
                schedules[w.hall_id] = hall_hours.of_hall(w.closes_at, w.hours)
        self.windows = {w.id: WindowInfo(w.id, w.org_unit_id, w.department_id, w.code, schedules[w.hall_id])
                        for w in windows}
        # the role table is seeded by migration 0011 and roles are deactivated, never deleted; a
        # table emptied behind the application's back (test fixtures wipe every table) still
        # leaves the built-in roles, so routing never depends on that accident
        self.roles = frozenset(roles) or frozenset(org_rules.BUILTIN_ROLES)
        self.loaded_at = time.monotonic()
        self._subtrees: dict[int, tuple[int, ...]] = {}
        self._routes: dict = {}

    @classmethod
    def read(cls, tx: Transaction) -> "OrgDirectory":
        return cls(tx.org.units(), tx.org.departments(), tx.org.posts(), tx.org.windows(), tx.org.role_codes())

    def route(self, target: org_rules.Target, origin_unit_id: int,
              body_unit_id: Optional[int] = None) -> org_rules.Route:
        """Where a task goes for a case received at `origin_unit_id` of an item implemented by
        `body_unit_id` (docs/engine-core.md#routing-from-any-window). Worked out once per
        question: the snapshot never changes, and every task a case opens asks one."""
        key = (target, origin_unit_id, body_unit_id)
        found = self._routes.get(key)
        if found is None:
            found = self._routes[key] = org_rules.resolve(
                target, origin_unit_id, self.units.get, lambda unit_id, code: self.departments.get((unit_id, code)),
                supervisor_unit_id=origin_unit_id, body_unit_id=body_unit_id)
        return found

    def subtree(self, root_id: int) -> tuple[int, ...]:
        """The unit and every unit below it (worked out once per root: the snapshot never changes,
        and a supervisor's inbox asks for her subtree on every request)."""
        found = self._subtrees.get(root_id)
        if found is None:
            root = self.unit_paths[root_id]
            found = self._subtrees[root_id] = tuple(u for u, path in self.unit_paths.items()
                                                    if path.startswith(root))
        return found

    def in_subtree(self, unit_id: int, root_id: int) -> bool:
        return self.unit_paths.get(unit_id, "").startswith(self.unit_paths.get(root_id, "\0"))


def directory(ctx, tx: Transaction) -> OrgDirectory:
    return ctx.caches.org.get(lambda: OrgDirectory.read(tx))


def invalidate(ctx) -> None:
    ctx.caches.org.invalidate()


def window(ctx, tx: Transaction, window_id: int) -> WindowInfo:
    info = directory(ctx, tx).windows.get(window_id)
    if info is None:
        invalidate(ctx)
        info = directory(ctx, tx).windows.get(window_id)
    if info is None:
        raise NotFound(f"window {window_id} does not exist", code="window_not_found", field="window_id")
    return info


# --- writing the tree one row at a time (benchmarks, tests); administrators use
#     engine/services/org_admin, which checks every rule of docs/organisation.md ----------------

def add_unit(tx: Transaction, code: str, name: str, tier: str, parent_id: Optional[int]) -> int:
    if tier not in org_rules.TIERS:
        raise ValidationError(f"unknown tier {tier!r}", code="org_unknown_tier", field="tier")
    parent_path = "/"
    if parent_id is not None:
        parent = tx.org.unit(parent_id)
        if parent is None:
            raise NotFound(f"parent unit {parent_id} does not exist", field="parent_id")
        if org_rules.TIERS.index(tier) <= org_rules.TIERS.index(parent.tier):
            raise ValidationError(f"a {tier} cannot sit under a {parent.tier}", code="org_tier_order", field="tier")
        parent_path = parent.path
    return tx.org.add_unit(code, name, tier, parent_id, parent_path)


def add_department(tx: Transaction, org_unit_id: int, code: str, name: str) -> int:
    return tx.org.add_department(org_unit_id, code, name)


def add_hall(tx: Transaction, org_unit_id: int, code: str, name: str, kind: str) -> int:
    return tx.org.add_hall(org_unit_id, code, name, kind)


def add_window(tx: Transaction, hall_id: int, code: str, name: str, kind: str,
               department_id: Optional[int] = None) -> int:
    """A window of a hall, at the hall's unit."""
    unit_id = tx.org.hall_unit(hall_id)
    if unit_id is None:
        raise NotFound(f"hall {hall_id} does not exist", code="hall_not_found", field="hall_id")
    return tx.org.add_window(hall_id, unit_id, code, name, kind, department_id)


def add_staff(tx: Transaction, username: str, name: str, password_hash: Optional[str] = None) -> int:
    """A staff account (no system roles; its posts say where it works)."""
    return tx.accounts.add(username, name, "staff", [], password_hash)


def add_post(tx: Transaction, staff_id: int, window_id: int, role: str, department_id: Optional[int] = None,
             now=None) -> int:
    """A role at a window, at the window's unit and (unless another is named) its department."""
    if role not in (set(tx.org.role_codes()) or org_rules.BUILTIN_ROLES):
        raise ValidationError(f"unknown role {role!r}", code="org_unknown_role", field="role")
    win = tx.org.window_place(window_id)
    if win is None:
        raise NotFound(f"window {window_id} does not exist", code="window_not_found", field="window_id")
    return tx.org.add_post(staff_id, window_id, win.org_unit_id,
                           department_id if department_id is not None else win.department_id, role, now)


def posts_of(ctx, tx: Transaction, staff_id: int) -> list[tuple[int, Optional[int], str]]:
    """(org unit, department, role) the staff member holds."""
    posts = directory(ctx, tx).posts.get(staff_id)
    if posts is None:          # a post created by another process since the snapshot
        invalidate(ctx)
        posts = directory(ctx, tx).posts.get(staff_id, [])
    return posts


def posts_for(ctx, actor: Actor) -> list[tuple[int, Optional[int], str]]:
    """(org unit, department, role) of the posts the actor holds (none for an applicant)."""
    if not actor.staff_id:
        return []
    with ctx.uow.read() as tx:
        return posts_of(ctx, tx, actor.staff_id)


def may_work_on(directory_: OrgDirectory, posts, unit_id: int, department_id: Optional[int], role: str) -> bool:
    """A post matches a task routed to (unit, role, department); supervisors also see their subtree."""
    for p_unit, p_dept, p_role in posts:
        if p_role != role:
            continue
        if role == "supervisor":
            if directory_.in_subtree(unit_id, p_unit):
                return True
        elif p_unit == unit_id and (department_id is None or p_dept == department_id):
            return True
    return False


def profile(ctx, actor: Actor) -> dict:
    """Who is logged in, as the console shows her: name, kind, system roles and her posts with the
    names of their unit, department and window (none for an applicant or a service account)."""
    with ctx.uow.read() as tx:
        name = tx.accounts.name_of(actor.staff_id) if actor.staff_id else None
        posts = tx.accounts.posts_named(actor.staff_id) if actor.staff_id and actor.kind == "staff" else []
    return {"username": actor.username, "name": name or actor.username, "kind": actor.kind,
            "roles": sorted(actor.roles), "posts": [dict(p._mapping) for p in posts]}
