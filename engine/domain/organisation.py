"""The organisation's rules (pure): which tier sits under which, what codes look like, the kinds
of halls and windows, and the checks of an organisation file against what the database already
holds (docs/organisation.md). The file formats themselves are engine/domain/organisation_files.py."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Optional

from engine.domain.org import TIERS

# a park sits under the district; a township under a park or directly under the district (中心社区
# of the district itself); a village under a township. The district is the root.
PARENT_TIERS = {"district": (), "park": ("district",), "township": ("park", "district"), "village": ("township",)}
HALL_KINDS = ("service_center", "convenience_center", "convenience_station")
WINDOW_KINDS = ("comprehensive", "proxy", "pickup", "department")
SYSTEM_ROLES = ("admin", "designer", "integration")
# codes travel in routing targets (`…@market`) and file names: ASCII letters, digits, '-' and '_'
CODE = re.compile(r"^[A-Za-z0-9_\-]{1,32}$")
# a role is the middle of `tier:role@dept`, which engine/domain/org.py reads as [a-z_]+
ROLE_CODE = re.compile(r"^[a-z][a-z_]{0,31}$")
USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
MIN_PASSWORD = 8


@dataclass(frozen=True)
class OrgProblem:
    """One problem of an organisation file or command: the record kind, its row (CSV: the
    spreadsheet row; JSON: the position in its list, from 1; 0: the file), the field, a code."""
    kind: str
    row: int
    field: str
    code: str
    message: str

    def to_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.kind} row {self.row}, {self.field}: {self.message} [{self.code}]"


def _found(*, code: str, message: str) -> tuple[str, str]:
    return code, message


def parent_problem(tier: str, parent_tier: Optional[str]) -> Optional[tuple[str, str]]:
    """(code, message) when a unit of `tier` may not sit under a unit of `parent_tier` (None: no parent)."""
    if tier not in TIERS:
        return _found(code="org_unknown_tier", message=f"unknown tier {tier!r}; expected one of {', '.join(TIERS)}")
    allowed = PARENT_TIERS[tier]
    if parent_tier is None:
        if allowed:
            return _found(code="org_parent_required", message=f"a {tier} sits under a {' or a '.join(allowed)}")
        return None
    if not allowed:
        return _found(code="org_tier_order", message="the district is the root of the tree: it has no parent")
    if parent_tier not in allowed:
        return _found(code="org_tier_order",
                      message=f"a {tier} sits under a {' or a '.join(allowed)}, not under a {parent_tier}")
    return None


def code_problem(value: str, field_name: str, pattern=CODE) -> Optional[tuple[str, str]]:
    if not pattern.match(value or ""):
        what = "lower-case letters and '_'" if pattern is ROLE_CODE else "letters, digits, '-' and '_'"
        longest = 64 if pattern is USERNAME else 32
        return _found(code="org_code_invalid",
                      message=f"{field_name} {value!r} must be 1 to {longest} characters of {what}")
    return None


@dataclass
class Known:
    """The organisation an import builds on, by natural key: what the database holds, then
    overlaid with the file's records as they are checked."""
    units: dict[str, tuple[str, Optional[str]]] = field(default_factory=dict)   # code -> (tier, parent code)
    departments: set[tuple[str, str]] = field(default_factory=set)              # (unit code, code)
    halls: dict[str, str] = field(default_factory=dict)                         # code -> unit code
    windows: dict[str, str] = field(default_factory=dict)                       # code -> hall code
    roles: dict[str, bool] = field(default_factory=dict)                        # code -> active
    staff: set[str] = field(default_factory=set)                                # usernames


KEYS = {"role": ("code",), "unit": ("code",), "department": ("unit", "code"), "hall": ("code",),
        "window": ("code",), "staff": ("username",), "post": ("username", "window", "role")}


def check_records(records: list, known: Known) -> list[OrgProblem]:
    """Cross-record rules of a file (each record's own fields were checked when it was read):
    no key twice, every reference resolvable in the file or the database, tier parents, a hall or
    window never moved to another unit. `records`: (kind, row, values) in file order."""
    problems: list[OrgProblem] = []
    seen: dict[tuple, int] = {}
    for kind, row, values in records:
        key = (kind,) + tuple(values.get(k) for k in KEYS[kind])
        if key in seen:
            problems.append(OrgProblem(kind, row, KEYS[kind][-1], code="org_duplicate",
                                       message=f"the same {kind} as row {seen[key]}"))
        seen.setdefault(key, row)
    file_units = {v["code"]: (v["tier"], v.get("parent")) for k, _, v in records if k == "unit"}
    moved_halls = {v["code"]: v["unit"] for k, _, v in records if k == "hall"}
    merged = Known({**known.units, **file_units}, known.departments | {(v["unit"], v["code"]) for k, _, v in records
                                                                       if k == "department"},
                   {**known.halls, **moved_halls}, {**known.windows, **{v["code"]: v["hall"] for k, _, v in records
                                                                        if k == "window"}},
                   {**known.roles, **{v["code"]: v.get("active", True) for k, _, v in records if k == "role"}},
                   known.staff | {v["username"] for k, _, v in records if k == "staff"})
    for kind, row, values in records:
        for f, code, message in _reference_problems(kind, values, known, merged):
            problems.append(OrgProblem(kind, row, f, code, message))
    for code, (tier, _parent) in file_units.items():    # a unit's new tier must suit the units below it
        for child, (child_tier, parent) in merged.units.items():
            if parent == code and child not in file_units and parent_problem(child_tier, tier):
                row = next(r for k, r, v in records if k == "unit" and v["code"] == code)
                problems.append(OrgProblem("unit", row, "tier", code="org_tier_order",
                                           message=f"unit {child} ({child_tier}) below it cannot sit under a {tier}"))
    return problems


def _ref(field_name: str, *, code: str, message: str) -> tuple[str, str, str]:
    return field_name, code, message


def _reference_problems(kind: str, v: dict, known: Known, merged: Known):
    if kind == "unit":
        yield from _unit_problems(v, merged)
    elif kind in ("department", "hall") and v["unit"] not in merged.units:
        yield _ref("unit", code="org_unit_unknown", message=f"no unit has the code {v['unit']!r}")
    elif kind == "hall" and v["code"] in known.halls and known.halls[v["code"]] != v["unit"]:
        yield _ref("unit", code="org_hall_unit_fixed", message=f"hall {v['code']} belongs to {known.halls[v['code']]}: "
                   "a hall never moves to another unit (make a new one)")
    elif kind == "window":
        yield from _window_problems(v, known, merged)
    elif kind == "post":
        yield from _post_problems(v, merged)


def _unit_problems(v: dict, merged: Known):
    parent = v.get("parent")
    if parent and parent not in merged.units:
        yield _ref("parent", code="org_parent_unknown", message=f"no unit has the code {parent!r}")
        return
    found = parent_problem(v["tier"], merged.units[parent][0] if parent else None)
    if found:
        yield ("parent" if found[0] == "org_parent_required" else "tier"), *found


def _post_problems(v: dict, merged: Known):
    if v["username"] not in merged.staff:
        yield _ref("username", code="account_not_found", message=f"no staff account {v['username']!r}")
    if v["window"] not in merged.windows:
        yield _ref("window", code="window_not_found", message=f"no window has the code {v['window']!r}")
    if not merged.roles.get(v["role"]):
        yield _ref("role", code="org_unknown_role", message=f"no active role {v['role']!r}")


def _window_problems(v: dict, known: Known, merged: Known):
    hall = v["hall"]
    if hall not in merged.halls:
        yield _ref("hall", code="hall_not_found", message=f"no hall has the code {hall!r}")
        return
    unit = merged.halls[hall]
    old_hall = known.windows.get(v["code"])
    if old_hall is not None and known.halls.get(old_hall) not in (None, unit):
        yield _ref("hall", code="org_window_unit_fixed", message=f"window {v['code']} belongs to unit "
                   f"{known.halls[old_hall]}: a window never moves to another unit (make a new one)")
    if v.get("department") and (unit, v["department"]) not in merged.departments:
        yield _ref("department", code="department_unknown",
                   message=f"unit {unit} has no department {v['department']!r}")
