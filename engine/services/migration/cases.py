"""Validating and executing a migration over a batch of cases: each case in its own transaction,
all or nothing per case, answered per case as migrated, refused (with the problems) or skipped."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import engine.services.cases.progress as progress
import engine.services.migration.plans as plans
from engine.domain import migration as rules
from engine.domain.actor import Actor
from engine.domain.case import LoadedCase
from engine.domain.errors import CaseError, Conflict, NotFound, ValidationError
from engine.domain.org import CANDIDATES_ROLE, candidates_route, parse_target, receiving_window_route
from engine.services import calendar, definitions
from engine.services.accounts import access, org
from engine.store.uow import Transaction

MAX_CASES = 10_000


@dataclass(frozen=True)
class MigrationRequest:
    source_definition_id: int
    target_definition_id: int
    mapping: dict = field(default_factory=dict)      # source element id -> target element id
    case_ids: Optional[tuple] = None                 # or every running case of the source version:
    all_running: bool = False


@dataclass(frozen=True)
class CaseOutcome:
    case_id: int
    status: str                  # migrated | valid (a validation) | refused | skipped
    reason: Optional[str] = None          # the code of a refusal or skip
    problems: tuple = ()                  # MigrationProblem of a refusal
    tasks: tuple = ()                     # what became of each open task (migrated)


@dataclass(frozen=True)
class MigrationReport:
    source_definition_id: int
    target_definition_id: int
    source_version: int
    target_version: int
    mapping: dict
    cases: tuple

    def count(self, status: str) -> int:
        return sum(1 for c in self.cases if c.status == status)


def validate(ctx, request: MigrationRequest, actor: Actor) -> MigrationReport:
    """What `execute` would do with each case, nothing written."""
    return _run(ctx, request, actor, dry_run=True)


def execute(ctx, request: MigrationRequest, actor: Actor) -> MigrationReport:
    return _run(ctx, request, actor, dry_run=False)


def _run(ctx, request: MigrationRequest, actor: Actor, dry_run: bool) -> MigrationReport:
    access.require_role(actor, "designer", "admin")
    if (request.case_ids is None) == (not request.all_running) or (request.case_ids is not None
                                                                      and not request.case_ids):
        raise ValidationError("name the cases to migrate (case_ids) or ask for all running cases of the source "
                              "version (all), not both", code="migration_cases_required", field="case_ids")
    if request.case_ids is not None and len(request.case_ids) > MAX_CASES:
        raise ValidationError(f"at most {MAX_CASES} cases per request", code="migration_too_many_cases",
                              field="case_ids")
    with ctx.uow.read() as tx:
        checked = plans.check(ctx, tx, request.source_definition_id, request.target_definition_id, request.mapping)
        case_ids = (list(dict.fromkeys(request.case_ids)) if request.case_ids is not None
                    else tx.cases.running_of_definition(request.source_definition_id))
    outcomes = tuple(_one(ctx, checked, case_id, actor, dry_run) for case_id in case_ids)
    return MigrationReport(request.source_definition_id, request.target_definition_id, checked.source_version,
                           checked.target_version, checked.plan.explicit, outcomes)


def _one(ctx, checked: plans.CheckedPlan, case_id: int, actor: Actor, dry_run: bool) -> CaseOutcome:
    try:
        if dry_run:
            # a write transaction that writes nothing: the case is read under its lock, as a
            # migration would read it
            with ctx.uow.begin() as tx:
                return _check_case(ctx, tx, checked, case_id)[1]
        with ctx.uow.begin() as tx:
            return _migrate(ctx, tx, checked, case_id, actor)
    except rules.MigrationRefused as exc:
        return CaseOutcome(case_id, "refused", exc.code, tuple(exc.problems))
    except _Skip as skip:
        return CaseOutcome(case_id, "skipped", skip.reason)
    except NotFound:
        return CaseOutcome(case_id, "skipped", "case_not_found")
    except (CaseError, Conflict) as exc:
        # the target's flows could not run from where the case stands: nothing of it was written
        problem = rules.MigrationProblem(code=exc.code, message=exc.message, element=exc.detail.get("element"),
                                         case_id=case_id)
        return CaseOutcome(case_id, "refused", exc.code, (problem,))


class _Skip(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _check_case(ctx, tx: Transaction, checked: plans.CheckedPlan, case_id: int, lock: bool = False):
    """(the case, its outcome if valid); MigrationRefused / _Skip otherwise. `lock`: the case
    is about to be migrated (its workflow checked out for the command)."""
    case = tx.cases.lock(case_id)
    if case.definition_id != checked.plan.source_id:
        raise _Skip("case_not_of_source_version")
    if case.status != "running":
        raise _Skip("case_not_running")
    if lock:
        progress.load_workflow(ctx, tx, case)
    else:                       # not from the workflow cache: a check must not take its copy away
        definitions.load(ctx, tx, case.definition_id)
        case.workflow = ctx.runtime.loads(tx.cases.state(case.id))
    problems = rules.check_case(case_id, ctx.runtime.active_elements(case.workflow), checked.source,
                                checked.target, checked.plan.mapping)
    if problems:
        raise rules.MigrationRefused(problems)
    return case, CaseOutcome(case_id, "valid")


def _migrate(ctx, tx: Transaction, checked: plans.CheckedPlan, case_id: int, actor: Actor) -> CaseOutcome:
    case, _ = _check_case(ctx, tx, checked, case_id, lock=True)
    plan, now = checked.plan, ctx.clock.now()
    target = definitions.load(ctx, tx, plan.target_id)
    cal = calendar.current(ctx, tx)
    moves = rules.crossings(ctx.runtime.active_elements(case.workflow), checked.source, checked.target, plan.mapping)
    case.workflow = ctx.runtime.migrate(
        case.workflow, plan.target_id, plan.mapping, ctx.clock, calendar=cal,
        convention=ctx.settings.start_day_convention,
        entering={e: m.owner for e, m in moves.items() if m.direction == "enter"},
        leaving=frozenset(e for e, m in moves.items() if m.direction == "leave"))
    case.definition_id = plan.target_id
    tx.cases.set_definition(case.id, plan.target_id)
    moved = _reproject_open_tasks(ctx, tx, case, target, plan.mapping, actor)
    for entry in moved:             # a sub-process created around the task, or removed from around it
        move = moves.get(entry["from"])
        if move is not None:
            entry["entered" if move.direction == "enter" else "left"] = move.owner
    _rename_timers(ctx, tx, case)
    case.audit.add("case_migrated", actor, now, {
        "from": {"definition": plan.source_id, "version": checked.source_version},
        "to": {"definition": plan.target_id, "version": checked.target_version},
        "process": checked.key, "mapping": plan.explicit, "tasks": list(moved)})
    progress.save(ctx, tx, case, actor, now)
    return CaseOutcome(case_id, "migrated", tasks=tuple(moved))


def _rename_timers(ctx, tx: Transaction, case: LoadedCase) -> None:
    """A waiting timer keeps its catching task (and due time) but may now be another element's:
    its row and what the save compares it with follow."""
    renamed = {}
    for task_id, element, due in ctx.runtime.waiting_timers(case.workflow):
        before = case.timers_before.get(task_id)
        if before is not None and before[0] != element:
            renamed[task_id] = element
            case.timers_before[task_id] = (element, before[1])
    tx.timers.rename_bpmn(case.id, renamed)


def _reproject_open_tasks(ctx, tx: Transaction, case: LoadedCase, target, mapping: dict,
                          actor: Actor) -> list[dict]:
    """Each open task that is still open in the moved workflow (same task id) takes its target
    element's name, form, stage and candidate group; a changed group is routed again, and a
    claim is kept unless its holder cannot work on the new route."""
    rows = tx.tasks.open_rows_of_case(case.id)
    directory = org.directory(ctx, tx)
    body = None
    moved = []
    for rt in ctx.runtime.ready_user_tasks(case.workflow):
        row = rows.get(rt.id)
        if row is None or rt.id not in case.open_before:
            continue                    # a task the move opened: progress.save opens it
        meta = target.user_tasks.get((rt.process, rt.spec_id))
        groups = (meta.candidate_groups if meta else []) or ([rt.lane] if rt.lane else [])
        joined = ",".join(groups)[:255]
        values = {"spec_id": rt.spec_id, "process_key": rt.process, "name": rt.name, "candidate_groups": joined,
                  "form_key": meta.form_key if meta else None, "stage": meta.stage if meta else None,
                  "routed_org_unit_id": row.routed_org_unit_id, "routed_department_id": row.routed_department_id,
                  "routed_role": row.routed_role, "routing_error": row.routing_error,
                  "assignee_id": row.assignee_id, "claimed_at": row.claimed_at}
        entry = {"task": rt.id, "from": row.spec_id, "to": rt.spec_id}
        if joined != row.candidate_groups and groups:
            if body is None:
                body = (tx.catalogue.body_unit(case.item_id) or 0) if case.item_id is not None else 0
            route = directory.route(parse_target(groups[0]), case.origin_org_unit_id, body or None)
            values.update(routed_org_unit_id=route.org_unit_id, routed_department_id=route.department_id,
                          routed_role=route.role, routing_error=route.error)
            entry["rerouted"] = groups[0]
            if route.error:
                entry["routing_error"] = route.error
            if row.assignee_id is not None and not org.may_work_on(
                    directory, org.posts_of(ctx, tx, row.assignee_id), route.org_unit_id, route.department_id,
                    route.role):
                values.update(assignee_id=None, claimed_at=None)
                entry["unclaimed"] = row.assignee_id
        _offers_follow(ctx, tx, case, row, meta, groups, values, entry, actor)
        tx.tasks.remap(rt.id, values)
        case.open_before[rt.id] = rt
        moved.append(entry)
    return moved


def _offers_follow(ctx, tx: Transaction, case: LoadedCase, row, meta, groups: list, values: dict, entry: dict,
                   actor: Actor) -> None:
    """A task's offers to named people follow its target element (withdrawn, then made as it
    names them); a step offered only to them is routed so, and one that no longer is goes to its
    window's queue (docs/camunda-bpmn.md#assignees)."""
    route = None
    if progress.to_people_only(meta) and not groups:
        route = candidates_route(case.origin_org_unit_id)
    elif row.routed_role == CANDIDATES_ROLE and not groups:
        route = receiving_window_route(case.origin_org_unit_id)
    if route is not None:
        values.update(routed_org_unit_id=route.org_unit_id, routed_department_id=None, routed_role=route.role,
                      routing_error=None)
    offers = progress.offers_of(ctx, tx, case, meta, row.id, actor, ctx.clock.now())
    if offers or row.routed_role == CANDIDATES_ROLE or tx.tasks.candidates(row.id):
        tx.tasks.withdraw_offers([row.id])
        tx.tasks.offer(offers)
        if offers:
            entry["offered"] = [o["staff_id"] for o in offers]


def generate(ctx, source_id: int, target_id: int, actor: Actor) -> dict:
    """Camunda's generated plan: every element whose id is in both versions with the same kind,
    mapped to itself (what a plan maps without instructions)."""
    access.require_role(actor, "designer", "admin")
    with ctx.uow.read() as tx:
        checked = plans.check(ctx, tx, source_id, target_id, {})
    return {eid: eid for eid, element in checked.source.items()
            if eid in checked.target and checked.target[eid].kind == element.kind}


def check_plan(ctx, source_id: int, target_id: int, mapping: dict, actor: Actor) -> list:
    """The plan's own problems (MigrationProblem), no case looked at; [] when it is valid."""
    access.require_role(actor, "designer", "admin")
    try:
        with ctx.uow.read() as tx:
            plans.check(ctx, tx, source_id, target_id, mapping)
    except rules.MigrationRefused as exc:
        return exc.problems
    return []
