"""Instance migration (docs/migration.md): the rules a migration plan and each case it moves must
pass before anything changes. Pure: the BPMN side (engine/bpmn/migration.py) describes both
versions' elements and a case's active elements as the plain values below.

A plan maps source element ids to target element ids; elements whose id exists in both
versions are mapped to themselves unless the plan says otherwise (Camunda's
`mapEqualActivities`). A case may move when every element it is active in is mapped to an
element of the same kind, in a scope this engine can rebuild, and with the same events."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional

from engine.domain.errors import ValidationError


@dataclass(frozen=True)
class Element:
    """A BPMN element of one version: its kind (`userTask`, `parallelGateway`, ...), whether it
    opens a scope a case can be inside of (a sub-process, a call activity, multi-instance), the
    definition it waits on (a catching event's timer text or message name, '' otherwise) and the
    boundary events attached to it as (id, definition) pairs."""
    id: str
    kind: str
    scoped: bool = False
    waits_on: str = ""
    boundary: tuple = ()


@dataclass(frozen=True)
class Active:
    """An element a case is in now (a READY user task, a WAITING timer, a join waiting for its
    other branches). `nested`: it runs inside a sub-process, a call activity or one instance of a
    multi-instance activity, whose inner state this engine does not rebuild."""
    element: str
    nested: bool = False


@dataclass(frozen=True)
class MigrationProblem:
    code: str
    message: str
    element: Optional[str] = None
    case_id: Optional[int] = None

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Plan:
    """Source and target definition ids and the full element mapping (explicit + equal ids)."""
    source_id: int
    target_id: int
    mapping: dict = field(default_factory=dict)
    explicit: dict = field(default_factory=dict)


class MigrationRefused(ValidationError):
    """A plan, or a case under it, cannot be migrated; `problems` names each reason with its
    element (and case). HTTP 422, nothing written."""

    def __init__(self, problems: list[MigrationProblem]):
        self.problems = list(problems)
        first = self.problems[0]
        more = f" (+{len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(first.message + more, code=first.code, field="mapping",
                         detail={"problems": [p.to_dict() for p in self.problems],
                                 **({"element": first.element} if first.element else {})})


def full_mapping(source: dict[str, Element], target: dict[str, Element], explicit: dict[str, str]) -> dict[str, str]:
    """The explicit instructions plus every id present in both versions, mapped to itself."""
    mapping = {eid: eid for eid in source if eid in target}
    mapping.update(explicit)
    return mapping


def check_plan(source: dict[str, Element], target: dict[str, Element], explicit: dict[str, str],
               same_process: bool) -> list[MigrationProblem]:
    """What is wrong with a plan itself, whatever cases it is applied to."""
    problems = []
    if not same_process:
        problems.append(MigrationProblem(code="migration_process_mismatch",
                                         message="a case can move only between versions of the same process"))
    for src, dst in sorted(explicit.items()):
        if src not in source:
            problems.append(MigrationProblem(code="migration_unknown_source_element", element=src,
                                             message=f"{src!r} is not an element of the source version"))
        elif dst not in target:
            problems.append(MigrationProblem(code="migration_unknown_target_element", element=dst,
                                             message=f"{dst!r} is not an element of the target version"))
        elif source[src].kind != target[dst].kind:
            problems.append(_kind_mismatch(source[src], target[dst]))
    return problems


def _kind_mismatch(src: Element, dst: Element, case_id: Optional[int] = None) -> MigrationProblem:
    return MigrationProblem(code="migration_kind_mismatch", element=src.id, case_id=case_id,
                            message=f"{src.id} is a {src.kind} but {dst.id} in the target is a {dst.kind}")


def check_case(case_id: int, active: Iterable[Active], source: dict[str, Element], target: dict[str, Element],
               mapping: dict[str, str]) -> list[MigrationProblem]:
    """Why this case cannot move under the plan (empty: it can)."""
    problems = []
    for here in active:
        element = here.element
        src = source.get(element)
        if here.nested or (src is not None and src.scoped):
            problems.append(MigrationProblem(
                code="migration_scope_unsupported", element=element, case_id=case_id,
                message=f"case {case_id} is inside {element}, a sub-process, call activity or multi-instance "
                        "activity: its inner state cannot be moved"))
            continue
        dst = target.get(mapping.get(element, ""))
        if src is None or dst is None:
            problems.append(MigrationProblem(
                code="migration_unmapped_activity", element=element, case_id=case_id,
                message=f"case {case_id} is at {element}, which the plan maps to no element of the target version"))
            continue
        if src.kind != dst.kind:
            problems.append(_kind_mismatch(src, dst, case_id))
        elif dst.scoped:
            problems.append(MigrationProblem(
                code="migration_scope_unsupported", element=element, case_id=case_id,
                message=f"{dst.id} in the target opens a scope (sub-process or multi-instance)"))
        elif src.waits_on != dst.waits_on or src.boundary != dst.boundary:
            problems.append(MigrationProblem(
                code="migration_event_changed", element=element, case_id=case_id,
                message=f"case {case_id} waits at {element}, whose event or boundary events differ in the target"))
    return problems
