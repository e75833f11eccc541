"""Instance migration's rules about flows (docs/migration.md#scopes): which flow of the target
corresponds to a flow of the source, and when a waiting user task may cross one embedded
sub-process boundary (docs/migration.md#crossing-a-sub-process-boundary). Pure."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

from engine.domain.migration_model import Active, Element, MigrationProblem


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


def scope_problem(src: Element, dst: Element, source: dict[str, Element], target: dict[str, Element],
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


def shared_instances(case_id: int, active: list[Active], moves: dict[str, Crossing], source: dict[str, Element],
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
