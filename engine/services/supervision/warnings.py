"""Supervision (电子监察) queries: yellow and red cases and steps for a part of the org tree,
counts, on-time completion, CSV. They read only indexed columns of `case` and `task` — never
workflow state — so they stay fast on a large table (bench/bench_supervision.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from engine.domain import report_csv
from engine.domain.actor import Actor
from engine.domain.clock import as_utc
from engine.domain.errors import NotFound, ValidationError
from engine.domain.org import TIERS
from engine.domain.sla import DELIVERY_CARDS
from engine.services.accounts import access, org
from engine.store.uow import Transaction

LEVELS = ("yellow", "red")
MAX_LIMIT = 1000


def subtree(ctx, tx: Transaction, unit_id: int, tier: Optional[str] = None, actor: Optional[Actor] = None) -> list[int]:
    """Units at and below `unit_id`; with an actor, only if she supervises that part of the tree."""
    directory = org.directory(ctx, tx)
    root = directory.unit_paths.get(unit_id)
    if root is None:
        raise NotFound(f"org unit {unit_id} does not exist", code="org_unit_not_found", field="unit_id")
    if actor is not None:
        access.require_supervision(ctx, tx, actor, unit_id)
    if tier is not None and tier not in TIERS:
        raise ValidationError(f"unknown tier {tier!r}", code="org_unknown_tier", field="tier")
    return [u for u in directory.subtree(unit_id) if tier is None or directory.units[u].tier == tier]


def _levels(level: Optional[str]) -> tuple[str, ...]:
    if level is None:
        return LEVELS
    if level not in LEVELS:
        raise ValidationError(f"level is one of {', '.join(LEVELS)}", code="warning_level_unknown", field="level")
    return (level,)


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"limit must be between 1 and {MAX_LIMIT}", code="limit_out_of_range", field="limit")
    return limit


@dataclass(frozen=True)
class CaseWarning:
    id: int
    number: str
    item_code: str
    item_name: str
    warning: str
    clock_status: str
    promise_due: Optional[datetime]
    legal_due: Optional[datetime]
    origin_unit: str
    origin_window: str
    applicant: str
    deemed_accepted: bool


def cases(ctx, actor: Actor, unit_id: int, *, level: Optional[str] = None, tier: Optional[str] = None,
          item_code: Optional[str] = None, window_id: Optional[int] = None, limit: int = 100,
          after_id: Optional[int] = None) -> list[CaseWarning]:
    """Open cases with a yellow or red card received in the subtree of `unit_id`, in case order
    (cursor: `after_id`, the last id of the previous page)."""
    with ctx.uow.read() as tx:
        units = subtree(ctx, tx, unit_id, tier, actor)
        rows = tx.supervision.warned_cases(units, _levels(level), item_code=item_code, window_id=window_id,
                                           after_id=after_id, limit=_limit(limit))
    return [CaseWarning(r.id, r.number, r.code, r.name, r.warning, r.clock_status,
                        as_utc(r.promise_due) if r.promise_due else None,
                        as_utc(r.legal_due) if r.legal_due else None, r.unit, r.window, r.applicant_name,
                        r.deemed_accepted) for r in rows]


@dataclass(frozen=True)
class StepWarning:
    task_id: str
    case_id: int
    case_number: str
    name: str
    warning: str
    due_at: Optional[datetime]
    unit: str
    department: Optional[str]
    role: str
    assignee_id: Optional[int]


def steps(ctx, actor: Actor, unit_id: int, *, level: Optional[str] = None, tier: Optional[str] = None,
          department_id: Optional[int] = None, role: Optional[str] = None, staff_id: Optional[int] = None,
          limit: int = 100) -> list[StepWarning]:
    """Open steps past (red) or near (yellow) their own deadline (环节超时), routed into the subtree."""
    with ctx.uow.read() as tx:
        units = subtree(ctx, tx, unit_id, tier, actor)
        rows = tx.supervision.warned_steps(units, _levels(level), department_id=department_id, role=role,
                                           staff_id=staff_id, limit=_limit(limit))
    return [StepWarning(r.id, r.case_id, r.number, r.name, r.warning, as_utc(r.due_at) if r.due_at else None,
                        r.unit, r.dept, r.routed_role, r.assignee_id) for r in rows]


def counts(ctx, actor: Actor, unit_id: int) -> dict:
    """Yellow and red counts of open cases and steps in the subtree, in total and per tier."""
    with ctx.uow.read() as tx:
        units = subtree(ctx, tx, unit_id, actor=actor)
        directory = org.directory(ctx, tx)
        case_rows = tx.supervision.case_warnings(units, LEVELS)
        step_rows = tx.supervision.step_warnings(units, LEVELS)
    out = {"cases": {"yellow": 0, "red": 0}, "steps": {"yellow": 0, "red": 0},
           "by_tier": {tier: {"cases": {"yellow": 0, "red": 0}, "steps": {"yellow": 0, "red": 0}} for tier in TIERS}}
    for key, rows in (("cases", case_rows), ("steps", step_rows)):
        for unit, level, n in rows:
            out[key][level] += n
            out["by_tier"][directory.units[unit].tier][key][level] += n
    return out


def on_time_rate(ctx, actor: Actor, unit_id: int, since: datetime, until: datetime) -> dict:
    """Completed cases in [since, until) with a promised deadline: how many finished by it."""
    with ctx.uow.read() as tx:
        units = subtree(ctx, tx, unit_id, actor=actor)
        total, on_time = tx.supervision.on_time(units, since, until)
    return {"completed": total, "on_time": on_time, "rate": (on_time / total) if total else None}


def to_csv(rows: list) -> str:
    """The rows (dataclasses or flat dicts) as a report CSV (engine/domain/report_csv.py)."""
    return report_csv.records(rows)


@dataclass(frozen=True)
class DeliveryWarning:
    id: int
    number: str
    item_code: str
    item_name: str
    warning: str                   # yellow | red: the Art. 44 delivery card that fired
    decided_at: Optional[datetime]
    delivery_due: Optional[datetime]
    origin_unit: str
    applicant: str


def deliveries(ctx, actor: Actor, unit_id: int, *, level: Optional[str] = None,
               limit: int = 100) -> list[DeliveryWarning]:
    """Granted cases not yet delivered whose Art. 44 delivery card fired (engine/services/
    delivery_timers.py), received in the subtree; red before yellow, then by case."""
    wanted, limit = _levels(level), _limit(limit)
    with ctx.uow.read() as tx:
        units = subtree(ctx, tx, unit_id, actor=actor)
        rows = tx.supervision.fired_delivery_cards(units, DELIVERY_CARDS)
        dues = tx.supervision.delivery_dues({r.id for r in rows}) if rows else {}
    found: dict[int, DeliveryWarning] = {}
    for r in rows:
        level_now = "red" if r.kind == "delivery_red" else "yellow"
        if r.id in found and found[r.id].warning == "red":
            continue
        due = dues.get(r.id)
        found[r.id] = DeliveryWarning(r.id, r.number, r.code, r.name, level_now,
                                      as_utc(r.decided_at) if r.decided_at else None, as_utc(due) if due else None,
                                      r.unit, r.applicant_name)
    out = sorted((w for w in found.values() if w.warning in wanted), key=lambda w: (w.warning != "red", w.id))
    return out[:limit]
