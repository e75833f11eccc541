"""Organisation vocabulary and routing targets (pure).

A user task names who should do it as `<tier>:<role>` or `<tier>:<role>@<department code>`,
e.g. `township:reviewer` or `district:approver@market`. `resolve` finds the unit of that tier on
the implementing body's line first, then on the receiving window's line; a step meant for a tier
below the receiving window with no such unit on either line is done by the receiving unit's
receiving role (docs/engine-core.md#routing-from-any-window)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Optional

TIERS = ("district", "park", "township", "village")  # top to bottom
TIER_NAMES_ZH = {"district": "新区", "park": "园区", "township": "乡镇/中心社区", "village": "村/社区"}

# The roles every database starts with (migration 0011 seeds the `role` table with them; an
# administrator adds more). (Chinese name, English name.) Roles themselves are data: which ones
# exist is read from the database (engine/services/accounts/org.py OrgDirectory.roles).
BUILTIN_ROLES = {
    "receiver": ("综合受理", "Receiving"),
    "agent": ("帮办代办", "Assisting agent"),
    "reviewer": ("审查", "Review"),
    "approver": ("审批决定", "Approval"),
    "head": ("负责人", "Head"),
    "supervisor": ("督办监察", "Supervision"),
    "issuer": ("出件", "Issuing"),
}

# the roles that receive an application at a window (综合受理 and 帮办代办): the windows where someone
# holds one are the windows an item can be applied at
RECEIVING_ROLES = ("receiver", "agent")

_TARGET = re.compile(r"^(?P<tier>[a-z]+):(?P<role>[a-z_]+)(?:@(?P<dept>[A-Za-z0-9_\-]+))?$")


def lane_targets(lane: Optional[str]) -> list[str]:
    """A lane routes only when its name is written as a target (`township:reviewer`); otherwise it
    is a drawing's label ("Hiring manager") and the task has no target (docs/camunda-bpmn.md#routing)."""
    return [lane] if lane and _TARGET.match(lane.strip()) else []


class TargetError(ValueError):
    """A routing target is malformed or names an unknown tier/role."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Target:
    tier: str
    role: str
    department: Optional[str] = None

    def __str__(self) -> str:
        return f"{self.tier}:{self.role}" + (f"@{self.department}" if self.department else "")


@lru_cache(maxsize=4096)         # a few targets per model, parsed for every task a case opens
def parse_target(text: str) -> Target:
    """The syntax and the tier (fixed by the domain). Whether the role exists depends on the
    database (roles are data): `check_role` at deploy time; a deployed target is never re-checked."""
    m = _TARGET.match(text.strip())
    if not m:
        raise TargetError("routing_target_malformed",
                          f"routing target {text!r} is not '<tier>:<role>' or '<tier>:<role>@<department>'")
    tier, role, dept = m.group("tier"), m.group("role"), m.group("dept")
    if tier not in TIERS:
        raise TargetError("routing_unknown_tier",
                          f"unknown tier {tier!r} in {text!r}; expected one of {', '.join(TIERS)}")
    return Target(tier, role, dept)


def check_role(target: Target, roles) -> None:
    """The target's role must be one of `roles` (the active roles of the organisation)."""
    if target.role not in roles:
        raise TargetError("routing_unknown_role",
                          f"unknown role {target.role!r} in {target}; expected one of {', '.join(sorted(roles))}")


@dataclass(frozen=True)
class UnitRef:
    id: int
    tier: str
    parent_id: Optional[int]


# who does a step meant for a tier below the receiving window when no unit of that tier serves
# the case: the receiving unit's 综合受理 role (supervision stays with its supervisors)
RECEIVING_ROLE = "receiver"


@dataclass(frozen=True)
class Route:
    org_unit_id: int
    role: str
    department_id: Optional[int] = None
    error: Optional[str] = None     # set when the target could not be resolved (supervisor queue)
    stand_in: bool = False          # the receiving unit does a lower tier's step (no such unit serves the case)


def receiving_window_route(origin_unit_id: int) -> Route:
    """A step whose diagram names no group: the receiving unit's 综合受理, who took the case in
    and is the one post every window has (docs/camunda-bpmn.md#routing)."""
    return Route(origin_unit_id, RECEIVING_ROLE)


# the role of a step offered only to the people it names (camunda:candidateUsers without a group):
# no post has it, so no queue shows the step; a role code an administrator cannot create
CANDIDATES_ROLE = "candidates"


def candidates_route(origin_unit_id: int) -> Route:
    """A step whose diagram names candidate users and no group: offered to those people only
    (their inboxes read the offers), kept at the receiving unit, whose supervisors oversee it
    (docs/camunda-bpmn.md#assignees)."""
    return Route(origin_unit_id, CANDIDATES_ROLE)


def _at_tier(unit_id: Optional[int], tier: str, units: Callable[[int], UnitRef]) -> Optional[UnitRef]:
    """The unit of `tier` among `unit_id` and its ancestors."""
    unit = units(unit_id) if unit_id is not None else None
    while unit is not None and unit.tier != tier:
        unit = units(unit.parent_id) if unit.parent_id is not None else None
    return unit


def resolve(target: Target, origin_unit_id: int, units: Callable[[int], UnitRef],
            department_at: Callable[[int, str], Optional[int]], supervisor_unit_id: int,
            body_unit_id: Optional[int] = None) -> Route:
    """Where a step goes, for a case received at `origin_unit_id` of an item implemented by
    `body_unit_id` (None: unknown, the receiving line alone decides):
    1. the unit of the target's tier on the implementing body's line (the body or above it), so
       an item of one township received at another township's window still goes to its township;
    2. else the unit of that tier on the receiving window's line (tiers below the body: the
       township or village that received the case does the intake and the pre-review);
    3. else, when the target's tier is below the receiving window's, the receiving unit itself,
       by its receiving role (a district window does what a village agent would have done);
    4. else (a gap in the tree, a missing department) the supervisor queue with a reason."""
    unit = _at_tier(body_unit_id, target.tier, units) or _at_tier(origin_unit_id, target.tier, units)
    if unit is None:
        origin = units(origin_unit_id)
        if origin is not None and TIERS.index(target.tier) > TIERS.index(origin.tier):
            role = "supervisor" if target.role == "supervisor" else RECEIVING_ROLE
            return Route(origin.id, role, stand_in=True)
        return Route(supervisor_unit_id, "supervisor",
                     error=f"no {target.tier} unit above the receiving window for {target}")
    if target.department is None:
        return Route(unit.id, target.role)
    dept_id = department_at(unit.id, target.department)
    if dept_id is None:
        return Route(supervisor_unit_id, "supervisor",
                     error=f"department {target.department!r} does not exist at the {target.tier} unit for {target}")
    return Route(unit.id, target.role, dept_id)


def unroutable_steps(steps, route: Callable[[Target], Route]) -> list[str]:
    """The steps (element id, routing texts) that `route` — routing for one receiving window —
    cannot place, each as "element: reason". A step with no routing text is left to the runtime
    (it reports it at start). A text that does not parse was refused at deploy, so it is skipped."""
    problems = []
    for element, texts in steps:
        if not texts:
            continue
        try:
            target = parse_target(texts[0])
        except TargetError:
            continue
        found = route(target)
        if found.error:
            problems.append(f"{element}: {found.error}")
    return problems
