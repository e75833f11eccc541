"""Import and export of the whole organisation (docs/organisation.md "Files"): JSON or CSV, all or
nothing, every problem with its record kind, row and field; re-importing a file changes nothing
(records are matched by code: units, halls, windows and roles by `code`, departments by unit and
code, staff by username, posts by username, window and role). An import never deletes and never
ends a post: what a file leaves out stays as it is."""
from __future__ import annotations

from dataclasses import dataclass, field

import engine.services.org_admin.writing as writing
from engine.domain.actor import Actor
from engine.domain.errors import LianbanError, ValidationError
from engine.domain.org import TIERS
from engine.domain.organisation import Known, OrgProblem, check_records
from engine.domain.organisation_files import SECTIONS, read_records, to_csv, to_json
from engine.services.accounts import access, auth, org
from engine.store.uow import Transaction

# the order deactivations are applied in: what sits below first
_DEACTIVATE = ("staff", "window", "hall", "department", "unit", "role")


@dataclass
class ImportResult:
    records: int = 0
    counts: dict = field(default_factory=lambda: {k: {"created": 0, "updated": 0, "unchanged": 0} for k in SECTIONS})

    def count(self, kind: str, what: str) -> None:
        self.counts[kind][what] += 1


def invalid(problems: list[OrgProblem]) -> ValidationError:
    first = problems[0]
    more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
    return ValidationError(f"the organisation was not imported: {first}{more}", code="org_file_invalid",
                           field=first.field or None,
                           detail={"row": first.row, "problems": [p.to_dict() for p in problems]})


def check_file(ctx, content: bytes, fmt: str, actor: Actor) -> list[OrgProblem]:
    """Every problem an import of this file would find before writing; writes nothing."""
    access.require_role(actor, "admin")
    records, problems = read_records(content, fmt)
    if problems:
        return problems
    with ctx.uow.read() as tx:
        return check_records(records, _Index(tx).known())


def import_organisation(ctx, content: bytes, fmt: str, actor: Actor, *,
                        password_hashes: dict[str, str] | None = None) -> ImportResult:
    """`password_hashes`: {password: its hash} made already (the demo shares one hash between all
    its accounts, so that loading it stays fast)."""
    access.require_role(actor, "admin")
    records, problems = read_records(content, fmt)
    if problems:
        raise invalid(problems)
    with ctx.uow.read() as tx:
        existing = {r.username for r in tx.org_admin.staff()}
    # scrypt is slow on purpose: one salted hash per distinct initial password of the new accounts
    made = password_hashes or {}
    hashes = {pw: made.get(pw) or auth.hash_password(pw) for pw in {v.get("password") for k, _, v in records
                                                                    if k == "staff" and v["username"] not in existing}
              - {None}}
    with ctx.uow.begin() as tx, tx.org_admin.racing("the organisation"):
        writing.ensure_roles(tx)
        index = _Index(tx)
        problems = check_records(records, index.known())
        if problems:
            raise invalid(problems)
        now = ctx.clock.now()
        result = ImportResult(len(records))
        ordered = sorted(records, key=lambda r: (list(SECTIONS).index(r[0]),
                                                 TIERS.index(r[2]["tier"]) if r[0] == "unit" else 0))
        for kind, row, values in ordered:
            if index.dirty not in (None, kind):   # a record names rows of the kinds before its own
                index.refresh()
            _guarded(kind, row, lambda: _apply(tx, index, kind, values, hashes, now, result))
        for kind in _DEACTIVATE:
            for k, row, values in sorted((r for r in ordered if r[0] == kind and r[2].get("active") is False),
                                         key=lambda r: -TIERS.index(r[2]["tier"]) if kind == "unit" else 0):
                _guarded(kind, row, lambda: _deactivate(tx, index, k, values, now, result))
        if any(c["created"] or c["updated"] for c in result.counts.values()):
            tx.events.append("system", "org_imported", actor, now, {"records": len(records), "counts": result.counts})
            tx.after_commit(lambda: org.invalidate(ctx))
    return result


def _guarded(kind: str, row: int, apply) -> None:
    """A rule that only the write itself can check (what a deactivation needs): a problem of the row."""
    try:
        apply()
    except LianbanError as exc:
        raise invalid([OrgProblem(kind, row, exc.field or "", exc.code, exc.message)]) from None


class _Index:
    """The organisation by natural key, refreshed after each write of a kind."""

    def __init__(self, tx: Transaction):
        self.tx = tx
        self.refresh()

    def refresh(self) -> None:
        tx = self.tx
        self.dirty = None          # the kind written since the last refresh
        self.units = {r.code: r for r in tx.org_admin.units()}
        unit_codes = {r.id: r.code for r in self.units.values()}
        self.departments = {(unit_codes[r.org_unit_id], r.code): r for r in tx.org_admin.departments()}
        self.halls = {r.code: r for r in tx.org_admin.halls()}
        self.windows = {r.code: r for r in tx.org_admin.windows()}
        self.roles = {r.code: r for r in tx.org_admin.roles()}
        self.staff = {r.username: r for r in tx.org_admin.staff()}
        self.unit_codes = unit_codes
        self.hall_codes = {r.id: r.code for r in self.halls.values()}

    def known(self) -> Known:
        return Known({c: (r.tier, self.unit_codes.get(r.parent_id)) for c, r in self.units.items()},
                     set(self.departments), {c: self.unit_codes[r.org_unit_id] for c, r in self.halls.items()},
                     {c: self.hall_codes[r.hall_id] for c, r in self.windows.items()},
                     {c: r.active for c, r in self.roles.items()}, set(self.staff))


def _apply(tx: Transaction, index: _Index, kind: str, v: dict, hashes: dict, now, result: ImportResult) -> None:
    keep = {k: x for k, x in v.items() if not (k == "active" and x is False)}    # deactivations come last
    row, changed = _UPSERT[kind](tx, index, v, keep, hashes, now)
    result.count(kind, "created" if row is None else "updated" if changed else "unchanged")
    if row is None or changed:
        if kind == "unit":
            index.refresh()
        else:                # records of one kind never name each other (units: their parents)
            index.dirty = kind


def _role(tx, index: _Index, v: dict, keep: dict, hashes, now):
    row = index.roles.get(v["code"])
    if row is None:
        writing.create_role(tx, v["code"], v["name_zh"], v["name_en"], v.get("description"))
        return None, False
    return row, writing.update_role(tx, row.id, _own(keep, "name_zh", "name_en", "active",
                                                     description=v.get("description")))


def _unit(tx, index: _Index, v: dict, keep: dict, hashes, now):
    row = index.units.get(v["code"])
    parent_id = index.units[v["parent"]].id if v.get("parent") else None
    if row is None:
        writing.create_unit(tx, v["code"], v["name"], v["tier"], parent_id)
        return None, False
    return row, writing.update_unit(tx, row.id, _own(keep, "name", "tier", "active", parent_id=parent_id))


def _department(tx, index: _Index, v: dict, keep: dict, hashes, now):
    row = index.departments.get((v["unit"], v["code"]))
    if row is None:
        writing.create_department(tx, index.units[v["unit"]].id, v["code"], v["name"])
        return None, False
    return row, writing.update_department(tx, row.id, _own(keep, "name", "active"))


def _hall(tx, index: _Index, v: dict, keep: dict, hashes, now):
    row = index.halls.get(v["code"])
    if row is None:
        writing.create_hall(tx, index.units[v["unit"]].id, v["code"], v["name"], v["kind"], v.get("closes_at"),
                            v.get("hours"))
        return None, False
    return row, writing.update_hall(tx, row.id, _own(keep, "name", "kind", "active", "closes_at", "hours"))


def _staff(tx, index: _Index, v: dict, keep: dict, hashes, now):
    row = index.staff.get(v["username"])
    if row is None:
        writing.create_staff(tx, v["username"], v["name"], hashes.get(v.get("password")),
                             v.get("system_roles", ()), v.get("active", True), v.get("staff_no"))
        return None, False
    changes = _own(keep, "name", "active", "staff_no")
    if "system_roles" in v:          # absent: unchanged (a file must not strip an administrator by omission)
        changes["roles"] = v["system_roles"]
    return row, writing.update_staff(tx, row.id, changes, now)


def _own(values: dict, *names: str, **more) -> dict:
    return {**{n: values[n] for n in names if n in values}, **more}


def _window(tx: Transaction, index: _Index, v: dict, keep: dict, hashes=None, now=None):
    row = index.windows.get(v["code"])
    hall = index.halls[v["hall"]]
    unit_code = index.unit_codes[hall.org_unit_id]
    department_id = index.departments[(unit_code, v["department"])].id if v.get("department") else None
    if row is None:
        writing.create_window(tx, hall.id, v["code"], v["name"], v["kind"], department_id)
        return None, False
    return row, writing.update_window(tx, row.id, _own(keep, "name", "kind", "active", hall_id=hall.id,
                                                       department_id=department_id))


def _post(tx: Transaction, index: _Index, v: dict, keep=None, hashes=None, now=None):
    person, place = index.staff[v["username"]], index.windows[v["window"]]
    current = [p for p in tx.org_admin.posts(staff_id=person.id, window_id=place.id) if p.role == v["role"]]
    if current:
        return current[0], False
    writing.open_post(tx, person.id, place.id, v["role"], now)
    return None, False


_UPSERT = {"role": _role, "unit": _unit, "department": _department, "hall": _hall, "window": _window,
           "staff": _staff, "post": _post}


def _deactivate(tx: Transaction, index: _Index, kind: str, v: dict, now, result: ImportResult) -> None:
    if kind == "unit":
        changed = writing.update_unit(tx, index.units[v["code"]].id, {"active": False})
    elif kind == "department":
        changed = writing.update_department(tx, index.departments[(v["unit"], v["code"])].id, {"active": False})
    elif kind == "hall":
        changed = writing.update_hall(tx, index.halls[v["code"]].id, {"active": False})
    elif kind == "window":
        changed = writing.update_window(tx, index.windows[v["code"]].id, {"active": False})
    elif kind == "role":
        changed = writing.update_role(tx, index.roles[v["code"]].id, {"active": False})
    else:
        changed = writing.update_staff(tx, index.staff[v["username"]].id, {"active": False}, now)
    if changed:
        counts = result.counts[kind]
        if counts["unchanged"]:            # counted as unchanged before its deactivation
            counts["unchanged"] -= 1
            counts["updated"] += 1
        index.refresh()


def export_organisation(ctx, fmt: str, actor: Actor) -> bytes:
    """The organisation in the import's format: every unit, department, hall, window, role and
    staff account (active or not, no password) and the current posts."""
    access.require_role(actor, "admin")
    with ctx.uow.read() as tx:
        index = _Index(tx)
        posts = tx.org_admin.posts()
    units = sorted(index.units.values(), key=lambda r: r.path)
    sections = {
        "role": [{"code": r.code, "name_zh": r.name_zh, "name_en": r.name_en, "description": r.description,
                  "active": r.active} for r in index.roles.values()],
        "unit": [{"code": r.code, "name": r.name, "tier": r.tier, "parent": index.unit_codes.get(r.parent_id),
                  "active": r.active} for r in units],
        "department": [{"unit": u, "code": r.code, "name": r.name, "active": r.active}
                       for (u, _), r in index.departments.items()],
        "hall": [{"unit": index.unit_codes[r.org_unit_id], "code": r.code, "name": r.name, "kind": r.kind,
                  "active": r.active, **({"closes_at": r.closes_at} if r.closes_at else {}),
                  **({"hours": r.hours} if r.hours else {})}
                 for r in index.halls.values()],
        "window": [{"hall": index.hall_codes[r.hall_id], "code": r.code, "name": r.name, "kind": r.kind,
                    "department": _department_code(index, r.department_id), "active": r.active}
                   for r in index.windows.values()],
        "staff": [{"username": r.username, "name": r.name, "active": r.active, "system_roles": sorted(r.roles or ()),
                   "staff_no": r.staff_no} for r in index.staff.values()],
        "post": [{"username": p.username, "window": p.window_code, "role": p.role} for p in reversed(posts)],
    }
    for records in sections.values():       # no empty optional fields: the file stays readable
        for record in records:
            for k in [k for k, x in record.items() if x is None or x == []]:
                del record[k]
    return to_json(sections) if fmt == "json" else to_csv(sections)


def _department_code(index: _Index, department_id):
    return next((code for (_, code), r in index.departments.items() if r.id == department_id), None)
