"""Supervision (电子监察) queries: yellow and red cases and steps for a part of the org tree,
counts, on-time completion, CSV. They read only indexed columns of `case` and `task` — never
workflow state — so they stay fast on a large table (bench/bench_supervision.py)."""
from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import case as sql_case
from sqlalchemy import func, select

from engine.domain.actor import Actor
from engine.domain.clock import as_utc
from engine.domain.errors import NotFound, ValidationError
from engine.domain.org import TIERS
from engine.services.accounts import access, org
from engine.services.time_limits.delivery_cards import KINDS
from engine.store import tables as t
from engine.store.models import Department, OrgUnit, Window
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
        c, i = t.case.c, t.item_implementation.c
        q = (select(c.id, c.number, i.code, i.name, c.warning, c.clock_status, c.promise_due, c.legal_due,
                    OrgUnit.name.label("unit"), Window.name.label("window"), c.applicant_name, c.deemed_accepted)
             .join(t.item_implementation, i.id == c.item_id)
             .join(OrgUnit, OrgUnit.id == c.origin_org_unit_id)
             .join(Window, Window.id == c.origin_window_id)
             .where(c.status == "running", c.warning.in_(_levels(level)), c.origin_org_unit_id.in_(units)))
        if item_code:
            q = q.where(i.code == item_code)
        if window_id:
            q = q.where(c.origin_window_id == window_id)
        if after_id:
            q = q.where(c.id > after_id)
        rows = tx.execute(q.order_by(c.id).limit(_limit(limit))).all()
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
        k = t.task.c
        q = (select(k.id, k.case_id, t.case.c.number, k.name, k.warning, k.due_at, OrgUnit.name.label("unit"),
                    Department.name.label("dept"), k.routed_role, k.assignee_id)
             .join(t.case, t.case.c.id == k.case_id)
             .join(OrgUnit, OrgUnit.id == k.routed_org_unit_id)
             .outerjoin(Department, Department.id == k.routed_department_id)
             .where(k.state == "open", k.warning.in_(_levels(level)), k.routed_org_unit_id.in_(units)))
        if department_id:
            q = q.where(k.routed_department_id == department_id)
        if role:
            q = q.where(k.routed_role == role)
        if staff_id:
            q = q.where(k.assignee_id == staff_id)
        rows = tx.execute(q.order_by(k.due_at, k.id).limit(_limit(limit))).all()
    return [StepWarning(r.id, r.case_id, r.number, r.name, r.warning, as_utc(r.due_at) if r.due_at else None,
                        r.unit, r.dept, r.routed_role, r.assignee_id) for r in rows]


def counts(ctx, actor: Actor, unit_id: int) -> dict:
    """Yellow and red counts of open cases and steps in the subtree, in total and per tier."""
    with ctx.uow.read() as tx:
        units = subtree(ctx, tx, unit_id, actor=actor)
        directory = org.directory(ctx, tx)
        c, k = t.case.c, t.task.c
        case_rows = tx.execute(select(c.origin_org_unit_id, c.warning, func.count())
                                 .where(c.status == "running", c.warning.in_(LEVELS), c.origin_org_unit_id.in_(units))
                                 .group_by(c.origin_org_unit_id, c.warning)).all()
        step_rows = tx.execute(select(k.routed_org_unit_id, k.warning, func.count())
                                 .where(k.state == "open", k.warning.in_(LEVELS), k.routed_org_unit_id.in_(units))
                                 .group_by(k.routed_org_unit_id, k.warning)).all()
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
        c = t.case.c
        row = tx.execute(select(func.count(), func.sum(sql_case((c.completed_at <= c.promise_due, 1), else_=0)))
                           .where(c.status == "completed", c.promise_due.is_not(None),
                                  c.completed_at >= since, c.completed_at < until,
                                  c.origin_org_unit_id.in_(units))).one()
    total, on_time = row[0] or 0, row[1] or 0
    return {"completed": total, "on_time": on_time, "rate": (on_time / total) if total else None}


def to_csv(rows: list) -> str:
    """UTF-8 with a BOM so that Excel opens Chinese text correctly."""
    buf = io.StringIO()
    buf.write("\ufeff")
    if rows:
        fields = list(asdict(rows[0]))
        writer = csv.DictWriter(buf, fieldnames=fields)
        writer.writeheader()
        for r in rows:
            writer.writerow({k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in asdict(r).items()})
    return buf.getvalue()


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
        c, i, k = t.case.c, t.item_implementation.c, t.timer.c
        rows = tx.execute(
            select(c.id, c.number, i.code, i.name, c.decided_at, OrgUnit.name.label("unit"), c.applicant_name,
                   k.kind, k.due_at)
            .join(t.item_implementation, i.id == c.item_id).join(OrgUnit, OrgUnit.id == c.origin_org_unit_id)
            .join(t.timer, k.case_id == c.id)
            .where(k.kind.in_(KINDS), k.state == "fired", c.delivered_at.is_(None), c.decision == "granted",
                   c.status.in_(("running", "completed")), c.origin_org_unit_id.in_(units))).all()
        dues = dict(tx.execute(select(k.case_id, func.max(k.due_at))
                                 .where(k.kind == "delivery_red", k.case_id.in_({r.id for r in rows}))
                                 .group_by(k.case_id)).all()) if rows else {}
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
