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


@dataclass(frozen=True)
class Element:
    """A BPMN element of one version: its kind (`userTask`, `parallelGateway`, ...; a
    multi-instance activity has the kind of the activity it repeats), the definition it waits on
    (a catching event's timer text or message name, '' otherwise), the boundary events attached to
    it as (id, definition) pairs, and where it stands among the version's scopes:

    - `scope`: the flow it is on: '' for the process itself, else the process a sub-process or a
      call activity runs (an embedded sub-process's own id, a called process's id);
    - `opens`: for a sub-process or call activity, the flow it runs (what its inner elements have
      as `scope`), '' otherwise;
    - `loop`: for a multi-instance (or loop) activity, how it repeats ('parallel cardinality=3',
      'sequential collection=reviewers'), '' otherwise;
    - `ambiguous`: the id is used in more than one process of the version (a called process from
      another file), so a mapping by id cannot tell them apart."""
    id: str
    kind: str
    waits_on: str = ""
    boundary: tuple = ()
    scope: str = ""
    opens: str = ""
    loop: str = ""
    ambiguous: bool = False
    name: str = ""             # its label in the diagram, for people


@dataclass(frozen=True)
class Active:
    """An element a case is in now: a READY user task (also one inside a sub-process, a called
    process or one instance of a multi-instance activity), a WAITING timer, a join waiting for its
    other branches, and every sub-process, call activity and multi-instance activity around them."""
    element: str


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
            problem = _scope_problem(source[src], target[dst], source, target, mapping)
            if problem is not None:
                problems.append(problem)
    return problems


def _kind_mismatch(src: Element, dst: Element, case_id: Optional[int] = None) -> MigrationProblem:
    return MigrationProblem(code="migration_kind_mismatch", element=src.id, case_id=case_id,
                            message=f"{src.id} is a {src.kind} but {dst.id} in the target is a {dst.kind}")


def target_scope(scope: str, source: dict[str, Element], target: dict[str, Element],
                 mapping: dict[str, str]) -> Optional[str]:
    """The target's flow that corresponds to the source's flow `scope`: the process itself to
    the process itself; an embedded sub-process's flow to the flow of the sub-process it is mapped
    to; a called process to the same called process. None: nothing corresponds (the sub-process
    around it is not mapped to a sub-process)."""
    if scope == "":
        return ""
    if _embedded(scope, source):
        mapped = target.get(mapping.get(scope, ""))
        return mapped.opens if mapped is not None and mapped.opens else None
    return scope if any(e.scope == scope for e in target.values()) else None


def _embedded(scope: str, elements: dict[str, Element]) -> bool:
    """Is `scope` the flow of an embedded sub-process (named after it)?"""
    owner = elements.get(scope)
    return owner is not None and owner.kind != "callActivity" and owner.opens == scope


def _where(scope: str) -> str:
    return f"inside {scope}" if scope else "on the process's own flow"


def _scope_problem(src: Element, dst: Element, source: dict[str, Element], target: dict[str, Element],
                   mapping: dict[str, str], case_id: Optional[int] = None) -> Optional[MigrationProblem]:
    expected = target_scope(src.scope, source, target, mapping)
    if dst.scope == expected:
        return None
    hint = ""
    if _embedded(src.scope, source) and _embedded(dst.scope, target):
        hint = f" (to move it with its sub-process, map {src.scope} to {dst.scope})"
    return MigrationProblem(
        code="migration_scope_changed", element=src.id, case_id=case_id,
        message=f"{src.id} is {_where(src.scope)}, but {dst.id} in the target is {_where(dst.scope)}: "
                "a token cannot cross a sub-process boundary (the sub-process's data and inner state stay "
                f"with its scope){hint}")


def check_case(case_id: int, active: Iterable[Active], source: dict[str, Element], target: dict[str, Element],
               mapping: dict[str, str]) -> list[MigrationProblem]:
    """Why this case cannot move under the plan (empty: it can)."""
    problems = []
    for here in active:
        element = here.element
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
        scope = _scope_problem(src, dst, source, target, mapping, case_id)
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
