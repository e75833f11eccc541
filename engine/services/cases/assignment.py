"""Who a user task is given to when it opens: its assignee and the people it is offered to
(docs/camunda-bpmn.md#assignees). Names written in the diagram were checked at deploy; names an
expression gives (`${initiator}`, `=reviewers`) are computed here from the task's data, in the
transaction that opens the task, and meet the same rule: each is an active staff account. A value
that is not names, or names someone who is not, gives the task to nobody by that expression and
raises an incident (kind `assignment`) naming the element and the value; retrying the incident
computes again (`retry`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

import engine.services.cases.incidents as incidents
from engine.domain import assignment as rules
from engine.domain.actor import Actor
from engine.domain.case import LoadedCase
from engine.domain.errors import Conflict
from engine.services import calendar, definitions
from engine.store.uow import Transaction

KIND = "assignment"


@dataclass
class People:
    assignee_id: Optional[int] = None
    candidate_ids: list[int] = field(default_factory=list)
    problem: Optional[str] = None        # why an expression's value was refused


def names_anyone(meta) -> bool:
    return meta is not None and bool(meta.assignee or meta.candidate_users or meta.assignee_expression
                                     or meta.candidate_user_expressions)


def people(ctx, tx: Transaction, case: LoadedCase, meta, task_id: str) -> People:
    """The task's assignee and candidates (staff ids); an account deactivated since the deployment
    is skipped, as before. A single candidate is assigned the task, as a single written one is."""
    if not names_anyone(meta):
        return People()
    problems: list[str] = []
    assignee, computed = meta.assignee, []
    if meta.assignee_expression or meta.candidate_user_expressions:
        data = ctx.runtime.waiting_data(case.workflow, task_id)
        if meta.assignee_expression:
            assignee = _compute(ctx, tx, "assignee", meta.assignee_expression, data, rules.assignee_name, problems)
        computed = _computed_candidates(ctx, tx, meta, data, problems)
    known = tx.accounts.staff_ids({*([assignee] if assignee else []), *meta.candidate_users, *computed})
    if meta.assignee_expression and assignee and assignee not in known:
        problems.append(f"assignee {meta.assignee_expression!r} gave {assignee!r}, which is not an active "
                        "staff account")
        assignee = None
    unknown = rules.unknown_names(computed, known)
    if unknown:
        problems.append(f"candidate users {', '.join(meta.candidate_user_expressions)!r} gave "
                        f"{rules.shown(unknown)}, not active staff accounts")
        computed = []                    # a list with a wrong name in it offers the task to none of its names
    candidates = [known[u] for u in dict.fromkeys([*meta.candidate_users, *computed]) if u in known]
    assignee_id = known.get(assignee) if assignee else (candidates[0] if len(candidates) == 1 else None)
    return People(assignee_id, candidates, "; ".join(problems) or None)


def _computed_candidates(ctx, tx: Transaction, meta, data: dict, problems: list) -> list[str]:
    """The names the candidate-user expressions give; none when one of them fails."""
    names, failed = [], False
    for expression in meta.candidate_user_expressions:
        found = _compute(ctx, tx, "candidate users", expression, data, rules.candidate_names, problems)
        failed = failed or found is None
        names.extend(found or [])
    return [] if failed else list(dict.fromkeys(names))


def _compute(ctx, tx: Transaction, what: str, expression: str, data: dict, read, problems: list):
    try:
        value = ctx.runtime.evaluate(expression, data, clock=ctx.clock, calendar=calendar.current(ctx, tx),
                                     convention=ctx.settings.start_day_convention)
    except Exception as exc:  # noqa: BLE001 - the sandbox's every failure is the diagram's or the data's
        problems.append(f"{what} {expression!r} could not be evaluated: {type(exc).__name__}: {str(exc)[:300]}")
        return None
    try:
        return read(value)
    except rules.AssignmentInvalid as exc:
        problems.append(f"{what} {expression!r} {exc.reason}")
        return None


def report(tx: Transaction, case: LoadedCase, meta, task_id: str, found: People, actor: Actor,
           now: datetime) -> None:
    """An incident for a refused value, in the caller's transaction (its save writes the events)."""
    if found.problem:
        incidents.raise_incident(tx, case, KIND, f"{meta.id}: {found.problem}", actor, now, element=meta.id,
                                 details=f"task {task_id}", record=False)


def retry(ctx, tx: Transaction, case: LoadedCase, element: Optional[str], actor: Actor, now: datetime) -> None:
    """Compute again who the element's open tasks are given to (the data or the accounts were
    mended): an unclaimed task is assigned, the people not yet offered it are. A value still
    refused is 409 `assignment_invalid` and nothing is written."""
    loaded = definitions.load(ctx, tx, case.definition_id)
    case.workflow = ctx.runtime.loads(tx.cases.state(case.id))
    ready = {rt.id: rt for rt in ctx.runtime.ready_user_tasks(case.workflow) if rt.spec_id == element}
    rows = [row for row in tx.tasks.open_rows_of_case(case.id).values() if row.id in ready]
    if not rows:
        raise Conflict(f"no open task of {element} is left to give to anyone; resolve the incident",
                       code="incident_not_retryable", field="id")
    for row in rows:
        rt = ready[row.id]
        meta = loaded.user_tasks.get((rt.process, rt.spec_id))
        found = people(ctx, tx, case, meta, row.id)
        if found.problem:
            raise Conflict(f"{element}: {found.problem}", code="assignment_invalid", field="id",
                           detail={"element": element})
        offered = set(tx.tasks.candidates(row.id))
        created_at = tx.tasks.get(row.id).created_at
        new = [staff for staff in found.candidate_ids if staff not in offered]
        tx.tasks.offer([{"task_id": row.id, "staff_id": staff, "created_at": created_at} for staff in new])
        assigned = found.assignee_id if row.assignee_id is None and found.assignee_id is not None else None
        if assigned is not None:
            tx.tasks.assign(row.id, assigned, now)
        case.audit.add("task_assigned", actor, now, {"task": row.id, "element": element,
                                                     **({"assignee": assigned} if assigned else {}),
                                                     **({"candidates": new} if new else {})})
