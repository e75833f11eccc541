"""A case's diagram: its version's BPMN file, and per element whether a token sits on it now
(active, or overdue when its step is past due), whether it was completed and how often, and the
sequence flows the tokens took. Read like the case itself: the applicant her own, staff in scope.

Two sources, merged: the workflow's task tree (every element: gateways, events, call activities,
and where tokens are) and the task table (the user steps' history, which a 退回 removes from the
tree, their due instants and assignees)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from engine.bpmn import trace as bpmn_trace
from engine.domain.actor import Actor
from engine.domain.errors import NotFound
from engine.services import definitions
from engine.services.accounts import access


@dataclass(frozen=True)
class ElementState:
    element_id: str
    process: str
    name: Optional[str]
    state: str                      # active | overdue | completed | cancelled
    completed: int                  # times a token passed it
    active: int                     # tokens on it now
    overdue: bool                   # open past its due instant now, or completed after it
    due_at: Optional[datetime] = None
    assignee: Optional[str] = None  # who holds the open step (never told to an applicant)


@dataclass(frozen=True)
class CaseDiagram:
    case_id: int
    definition_id: int
    key: str
    version: int
    name: Optional[str]
    source: str
    elements: tuple
    flows_taken: tuple


@dataclass
class _Steps:
    """What the task table says of one user task element."""
    name: str = ""
    completed: int = 0
    open: int = 0
    cancelled: int = 0
    overdue_now: bool = False
    late: bool = False
    due_at: Optional[datetime] = None
    assignee: Optional[str] = None


def _steps_by_element(rows, shape, now: datetime) -> dict:
    """The task rows per (scope drawn in, element): the trace keys an element by the flow it ran
    in, a task row by the process that declares it; one step must meet itself, not be listed twice."""
    out: dict = {}
    for r in rows:
        key = (shape.drawn_in(r.process_key, r.spec_id), r.spec_id)
        s = out.setdefault(key, _Steps(name=r.name))
        if r.state == "open":
            s.open += 1
            s.due_at, s.assignee = r.due_at, r.assignee
            s.overdue_now |= r.due_at is not None and r.due_at < now
        elif r.state == "completed":
            s.completed += 1
            s.late |= r.due_at is not None and r.completed_at is not None and r.completed_at > r.due_at
        else:
            s.cancelled += 1
    return out


def _merge(shape, trace, steps: dict, applicant: bool) -> list[ElementState]:
    completed, active = Counter(trace.completed), Counter(trace.active)
    keys = {k for k in (*completed, *active, *steps) if k[0] in shape.scopes}
    out = []
    for key in sorted(keys):
        s = steps.get(key, _Steps())
        done = max(completed[key], s.completed)
        tokens = max(active[key], s.open)
        if tokens:
            state = "overdue" if s.overdue_now else "active"
        elif done:
            state = "completed"
        elif s.cancelled:
            state = "cancelled"
        else:
            continue
        out.append(ElementState(key[1], key[0], shape.names.get(key[1]) or s.name or None, state, done, tokens,
                                s.overdue_now or s.late, s.due_at if tokens else None,
                                None if applicant or not tokens else s.assignee))
    return out


def case_diagram(ctx, case_id: int, actor: Actor) -> CaseDiagram:
    now = ctx.clock.now()
    with ctx.uow.read() as tx:
        access.require_readable_case(ctx, tx, actor, case_id)
        row = tx.cases.view(case_id)
        definitions.load(ctx, tx, row.definition_id)
        workflow = ctx.runtime.loads(row.state)
        version = tx.diagrams.definition(row.definition_id)
        source = tx.definitions.source(row.definition_id)
        rows = tx.diagrams.case_steps(case_id)
    if source is None:
        raise NotFound(f"the BPMN file of process definition {row.definition_id} is missing",
                       code="definition_not_found")
    applicant = actor.kind == "applicant"
    shape = bpmn_trace.shape(source.content, source.name)
    steps = _steps_by_element(rows, shape, now)
    trace = bpmn_trace.trace(workflow)
    content = bpmn_trace.public_source(source.content, source.name) if applicant else source.content
    return CaseDiagram(case_id, version.id, version.key, version.version, version.name, content,
                       tuple(_merge(shape, trace, steps, applicant)), tuple(bpmn_trace.flows_taken(shape, trace.steps)))
