"""Instance migration (docs/migration.md): the rules a migration plan and each case it moves must
pass before anything changes. Pure: the BPMN side (engine/bpmn/migration.py) describes both
versions' elements and a case's active elements as the plain values below.

A plan maps source element ids to target element ids; elements whose id exists in both
versions are mapped to themselves unless the plan says otherwise (Camunda's
`mapEqualActivities`). A case may move when every element it is active in is mapped to an
element of the same kind, on the corresponding flow (the same sub-process, call activity or
multi-instance activity around it, as the plan maps them), and with the same events."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional

from engine.domain.errors import ValidationError
from engine.domain.migration_model import Active, Element, MigrationProblem
from engine.domain.migration_scopes import Crossing, crossing, crossings, scope_problem, shared_instances, target_scope

__all__ = ["Active", "Crossing", "Element", "MigrationProblem", "MigrationRefused", "Plan", "check_case", "check_plan",
           "crossing", "crossings", "full_mapping", "target_scope"]


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
    mapping = full_mapping(source, target, explicit)
    for src, dst in sorted(explicit.items()):
        if src not in source:
            problems.append(MigrationProblem(code="migration_unknown_source_element", element=src,
                                             message=f"{src!r} is not an element of the source version"))
        elif dst not in target:
            problems.append(MigrationProblem(code="migration_unknown_target_element", element=dst,
                                             message=f"{dst!r} is not an element of the target version"))
        elif source[src].kind != target[dst].kind:
            problems.append(_kind_mismatch(source[src], target[dst]))
        elif not source[src].ambiguous and not target[dst].ambiguous:
            problem = scope_problem(source[src], target[dst], source, target, mapping)
            if problem is not None:
                problems.append(problem)
    return problems


def _kind_mismatch(src: Element, dst: Element, case_id: Optional[int] = None) -> MigrationProblem:
    return MigrationProblem(code="migration_kind_mismatch", element=src.id, case_id=case_id,
                            message=f"{src.id} is a {src.kind} but {dst.id} in the target is a {dst.kind}")


def check_case(case_id: int, active: Iterable[Active], source: dict[str, Element], target: dict[str, Element],
               mapping: dict[str, str]) -> list[MigrationProblem]:
    """Why this case cannot move under the plan (empty: it can)."""
    active = list(active)
    moves = crossings(active, source, target, mapping)
    left = {move.owner for move in moves.values() if move.direction == "leave"}
    problems = shared_instances(case_id, active, moves, source, target, mapping)
    for here in active:
        element = here.element
        if element in left:
            continue      # the sub-process the case leaves: its instance is removed, nothing to map
        src = source.get(element)
        dst = target.get(mapping.get(element, ""))
        if src is not None and (src.ambiguous or (dst is not None and dst.ambiguous)):
            problems.append(MigrationProblem(
                code="migration_ambiguous_element", element=element, case_id=case_id,
                message=f"case {case_id} is at {element}, an id used by more than one process of the version: "
                        "a mapping by id cannot tell which is meant"))
            continue
        if src is None or dst is None:
            problems.append(MigrationProblem(
                code="migration_unmapped_activity", element=element, case_id=case_id,
                message=f"case {case_id} is at {element}, which the plan maps to no element of the target version"))
            continue
        if src.kind != dst.kind:
            problems.append(_kind_mismatch(src, dst, case_id))
            continue
        scope = scope_problem(src, dst, source, target, mapping, case_id)
        if scope is not None:
            problems.append(scope)
        elif src.kind == "callActivity" and src.opens != dst.opens:
            problems.append(MigrationProblem(
                code="migration_called_process_changed", element=element, case_id=case_id,
                message=f"case {case_id} is inside call activity {element}, which calls {src.opens} but {dst.id} "
                        f"in the target calls {dst.opens or 'nothing'}: the running child cannot become another "
                        "process"))
        elif src.loop != dst.loop:
            problems.append(MigrationProblem(
                code="migration_multi_instance_changed", element=element, case_id=case_id,
                message=f"case {case_id} is in {element} ({src.loop or 'a single instance'}), but {dst.id} in the "
                        f"target is {dst.loop or 'a single instance'}: its running instances cannot be matched "
                        "one to one"))
        elif src.waits_on != dst.waits_on or src.boundary != dst.boundary:
            problems.append(MigrationProblem(
                code="migration_event_changed", element=element, case_id=case_id,
                message=f"case {case_id} waits at {element}, whose event or boundary events differ in the target"))
    return problems
