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
    """Why `src` cannot be mapped to `dst` as far as their flows go (None: it can, on the
    corresponding flow or crossing one sub-process boundary, docs/migration.md#scopes)."""
    found = crossing(src, dst, source, target, mapping, case_id)
    return found if isinstance(found, MigrationProblem) else None


@dataclass(frozen=True)
class Crossing:
    """A token taken across one embedded sub-process boundary: `enter` creates an instance of the
    target's sub-process `owner` around the mapped task, `leave` removes the instance of the
    source's sub-process `owner` the task was in."""
    direction: str
    owner: str


def _opener(scope: str, elements: dict[str, Element]) -> Optional[Element]:
    """The element that opens the flow `scope`: the embedded sub-process named after it, else a
    call activity calling it."""
    owner = elements.get(scope)
    if owner is not None and owner.opens == scope:
        return owner
    return next((e for e in elements.values() if e.opens == scope), None)


def _chain(scope: str, stop, elements: dict[str, Element]) -> Optional[list[Element]]:
    """The sub-processes (call activities) between the flow `scope` and the first flow `stop`
    accepts, innermost first; None when no flow above `scope` is accepted."""
    chain, seen = [], set()
    while scope and scope not in seen:
        seen.add(scope)
        owner = _opener(scope, elements)
        if owner is None:
            return None
        chain.append(owner)
        scope = owner.scope
        if stop(scope):
            return chain
    return None


def crossing(src: Element, dst: Element, source: dict[str, Element], target: dict[str, Element],
             mapping: dict[str, str], case_id: Optional[int] = None):
    """None when `dst` is on the flow corresponding to `src`'s; a Crossing when the instruction
    enters or leaves one embedded sub-process; the MigrationProblem that refuses it otherwise."""
    expected = target_scope(src.scope, source, target, mapping)
    if dst.scope == expected:
        return None
    if expected is not None and dst.scope:
        chain = _chain(dst.scope, lambda s: s == expected, target)
        if chain is not None:
            return _crossing_problem("enter", src, dst, chain, case_id) or Crossing("enter", chain[0].id)
    if src.scope:
        chain = _chain(src.scope, lambda s: target_scope(s, source, target, mapping) == dst.scope, source)
        if chain is not None:
            return _crossing_problem("leave", src, dst, chain, case_id) or Crossing("leave", chain[0].id)
    hint = ""
    if _embedded(src.scope, source) and _embedded(dst.scope, target):
        hint = f" (to move it with its sub-process, map {src.scope} to {dst.scope})"
    return MigrationProblem(
        code="migration_scope_changed", element=src.id, case_id=case_id,
        message=f"{src.id} is {_where(src.scope)}, but {dst.id} in the target is {_where(dst.scope)}: a token can "
                "move into one new embedded sub-process or out of the one it is in, not from one sub-process into "
                f"another{hint}")


def _crossing_problem(direction: str, src: Element, dst: Element, chain: list[Element],
                      case_id: Optional[int]) -> Optional[MigrationProblem]:
    """What still refuses a crossing of the boundaries in `chain` (innermost first)."""
    into = "into" if direction == "enter" else "out of"
    names = " and ".join(o.id for o in chain)
    called = next((o for o in chain if o.kind == "callActivity"), None)
    if called is not None:
        return MigrationProblem(
            code="migration_scope_call_activity", element=src.id, case_id=case_id,
            message=f"{src.id} would move {into} call activity {called.id} ({dst.id} in the target): a called process "
                    "runs as a process of its own, it is not created or removed around a task")
    if len(chain) > 1:
        return MigrationProblem(
            code="migration_scope_too_deep", element=src.id, case_id=case_id,
            message=f"{src.id} would move {into} {len(chain)} nested sub-processes at once ({names}): one "
                    "sub-process boundary per migration")
    owner = chain[0]
    if owner.loop:
        return MigrationProblem(
            code="migration_scope_multi_instance", element=src.id, case_id=case_id,
            message=f"{src.id} would move {into} sub-process {owner.id}, a multi-instance ({owner.loop}): which of "
                    "its instances the task belongs to cannot be decided")
    if owner.kind != "subProcess":
        return MigrationProblem(
            code="migration_scope_unsupported", element=src.id, case_id=case_id,
            message=f"{src.id} would move {into} {owner.id}, a {owner.kind}: only an embedded sub-process is "
                    "created or removed around a task")
    if src.kind != "userTask" or src.boundary or dst.boundary:
        return MigrationProblem(
            code="migration_scope_unsupported", element=src.id, case_id=case_id,
            message=f"{src.id} would move {into} sub-process {owner.id}: only a user task without boundary events of "
                    f"its own crosses a sub-process boundary ({src.id} is a {src.kind}"
                    f"{' with boundary events' if src.boundary or dst.boundary else ''})")
    return None


def crossings(active: Iterable[Active], source: dict[str, Element], target: dict[str, Element],
              mapping: dict[str, str]) -> dict[str, Crossing]:
    """The active elements a migration takes across a sub-process boundary, by source element."""
    out = {}
    for here in active:
        src, dst = source.get(here.element), target.get(mapping.get(here.element, ""))
        if src is None or dst is None or src.ambiguous or dst.ambiguous or src.kind != dst.kind:
            continue
        found = crossing(src, dst, source, target, mapping)
        if isinstance(found, Crossing):
            out[here.element] = found
    return out


def _inside(scope: str, flow: str, elements: dict[str, Element]) -> bool:
    """Is the flow `scope` the flow `flow` or nested in it?"""
    return scope == flow or (bool(scope) and _chain(scope, lambda s: s == flow, elements) is not None)


def _shared(case_id: int, active: list[Active], moves: dict[str, Crossing], source: dict[str, Element],
            target: dict[str, Element], mapping: dict[str, str]) -> list[MigrationProblem]:
    """A sub-process instance is created or removed for one task alone: refused when another
    active element of the case is in the instance removed, or in (or enters) the one created."""
    problems = []
    for element, move in moves.items():
        if move.direction == "leave":
            flow = source[move.owner].opens
            others = [a.element for a in active if a.element not in (element, move.owner)
                      and a.element in source and _inside(source[a.element].scope, flow, source)]
        else:
            flow = target[move.owner].opens
            others = [a.element for a in active if a.element != element and (
                mapping.get(a.element) == move.owner
                or (a.element in moves and moves[a.element] == move)
                or (mapping.get(a.element) in target and a.element not in moves
                    and _inside(target[mapping[a.element]].scope, flow, target)))]
        if others:
            problems.append(MigrationProblem(
                code="migration_scope_shared", element=element, case_id=case_id,
                message=f"case {case_id} would {'leave' if move.direction == 'leave' else 'enter'} sub-process "
                        f"{move.owner} at {element} while {', '.join(sorted(others))} "
                        f"{'stays in it' if move.direction == 'leave' else 'is in it'}: an instance of a "
                        "sub-process is created or removed for one task alone"))
    return problems


def check_case(case_id: int, active: Iterable[Active], source: dict[str, Element], target: dict[str, Element],
               mapping: dict[str, str]) -> list[MigrationProblem]:
    """Why this case cannot move under the plan (empty: it can)."""
    active = list(active)
    moves = crossings(active, source, target, mapping)
    left = {move.owner for move in moves.values() if move.direction == "leave"}
    problems = _shared(case_id, active, moves, source, target, mapping)
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
