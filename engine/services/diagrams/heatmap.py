"""A process version's heatmap: per user-task element, how many steps completed, the mean and
median working days they took, how many were overdue (completed after their due instant, or
open past it now) and how many are open; with the number of cases of the version and its sibling
versions. For designers, administrators and supervisors: figures only, no case or person.

The database groups the version's steps by element, state and (created day, completed day);
the working-day calendar turns each group's two days into working days here
(engine/store/repositories/diagrams.py says why)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Optional

from engine.bpmn import trace as bpmn_trace
from engine.domain import step_times
from engine.domain import report_csv
from engine.domain.actor import Actor
from engine.domain.errors import Forbidden, NotFound
from engine.services import calendar
from engine.services.accounts import access


@dataclass(frozen=True)
class StepHeat:
    element_id: str
    process: str
    name: Optional[str]
    in_diagram: bool                # drawn in this version's file (not a called process's step)
    completed: int
    mean_days: Optional[float]
    median_days: Optional[float]
    max_days: Optional[int]
    overdue: int
    open: int
    cancelled: int


@dataclass(frozen=True)
class Heatmap:
    definition_id: int
    key: str
    version: int
    name: Optional[str]
    cases: int
    source: str
    steps: tuple
    versions: tuple                 # ({id, version, name, created_at}, ...) of the same key, newest first


def _require_analyst(ctx, tx, actor: Actor) -> None:
    if actor.has_role("admin", "designer") or access.supervised_units(ctx, tx, actor):
        return
    raise Forbidden("this needs the role designer or admin, or a supervisor's post", code="role_required")


def _steps(groups, cal, shape) -> list[StepHeat]:
    by_element: dict = defaultdict(lambda: {"name": None, "spent": [], "overdue": 0, "open": 0, "cancelled": 0})
    for g in groups:
        e = by_element[(g.process_key, g.spec_id)]
        e["name"] = e["name"] or g.name
        e["overdue"] += int(g.overdue or 0)
        if g.state == "completed" and g.completed_day is not None:
            e["spent"].append((step_times.working_days_spent(cal, g.created_day, g.completed_day), g.n))
        elif g.state == "open":
            e["open"] += g.n
        else:
            e["cancelled"] += g.n
    out = []
    for (process, element), e in sorted(by_element.items()):
        f = step_times.figures(e["spent"])
        out.append(StepHeat(element, process, shape.names.get(element) or e["name"], process in shape.scopes,
                            f.completed, f.mean_days, f.median_days, f.max_days, e["overdue"], e["open"],
                            e["cancelled"]))
    return out


def heatmap(ctx, definition_id: int, actor: Actor) -> Heatmap:
    now = ctx.clock.now()
    with ctx.uow.read() as tx:
        _require_analyst(ctx, tx, actor)
        version = tx.diagrams.definition(definition_id)
        if version is None:
            raise NotFound(f"process definition {definition_id} does not exist", code="definition_not_found")
        groups = tx.diagrams.step_groups(definition_id, now)
        cases = tx.diagrams.cases_of(definition_id)
        siblings = tx.diagrams.versions_like(definition_id)
        source = tx.definitions.source(definition_id)
        cal = calendar.current(ctx, tx)
    if source is None:
        raise NotFound(f"the BPMN file of process definition {definition_id} is missing", code="definition_not_found")
    shape = bpmn_trace.shape(source.content, source.name)
    return Heatmap(version.id, version.key, version.version, version.name, cases, source.content,
                   tuple(_steps(groups, cal, shape)), tuple(r._asdict() for r in siblings))


CSV_COLUMNS = ("element_id", "process", "name", "completed", "mean_days", "median_days", "max_days", "overdue",
               "open", "cancelled")


def to_csv(result: Heatmap) -> str:
    """The heatmap's table as a report CSV (engine/domain/report_csv.py)."""
    return report_csv.table(CSV_COLUMNS, ([getattr(step, c) for c in CSV_COLUMNS] for step in result.steps))
