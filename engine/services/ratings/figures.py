"""The figures of docs/ratings.md#figures by group, a subtree's total (the dashboard tile) and the
public disclosure (aggregates only: no person's name, phone, ID or account)."""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Optional

import engine.services.ratings.review as review
from engine.domain import ratings as rules
from engine.domain import report_csv
from engine.domain.actor import Actor
from engine.domain.clock import SHANGHAI
from engine.domain.errors import NotFound
from engine.services.accounts import org

GROUPS = ("tier", "unit", "department", "window", "staff", "item", "month")


def _at(day: Optional[date]) -> Optional[datetime]:
    return None if day is None else datetime.combine(day, time(0), SHANGHAI)


def _rows(tx, group_by, path, since, until) -> list[dict]:
    out = []
    for row in tx.ratings.figures(group_by, path, since, until):
        key, name, *numbers = row
        counts = rules.Counts(*(int(n or 0) for n in numbers))
        out.append({"key": str(key) if key is not None else None, "name": name, **rules.figures(counts)})
    return out


def _path(tx, unit_id: Optional[int]) -> Optional[str]:
    if unit_id is None:
        return None
    row = tx.ratings.unit_path(unit_id)
    if row is None:
        raise NotFound(f"unit {unit_id} does not exist", code="unit_not_found", field="unit_id")
    return row.path


def figures(ctx, actor: Actor, group_by: str, unit_id: Optional[int] = None, since: Optional[date] = None,
            until: Optional[date] = None) -> dict:
    """`until` is the last day included (Beijing)."""
    with ctx.uow.read() as tx:
        review.require_supervisor_or_admin(ctx, tx, actor, unit_id)
        end = _at(until.fromordinal(until.toordinal() + 1)) if until else None
        return {"rows": _rows(tx, group_by, _path(tx, unit_id), _at(since), end)}


def summary(ctx, actor: Actor, unit_id: Optional[int]) -> dict:
    with ctx.uow.read() as tx:
        review.require_supervisor_or_admin(ctx, tx, actor, unit_id)
        return subtree_total(tx, unit_id)


def subtree_total(tx, unit_id: Optional[int]) -> dict:
    """The figures of a subtree in total (no authorisation: the caller checked it)."""
    rows = _rows(tx, None, _path(tx, unit_id), None, None)
    return {k: v for k, v in rows[0].items() if k not in ("key", "name")} if rows else rules.figures(rules.Counts())


def public(ctx, unit_id: Optional[int], month: date) -> dict:
    """A month's disclosure. Units and items with their rates; each 差评's rectification state."""
    since = datetime.combine(month.replace(day=1), time(0), SHANGHAI)
    nxt = (month.replace(day=28).toordinal() + 4)
    until = datetime.combine(date.fromordinal(nxt).replace(day=1), time(0), SHANGHAI)
    with ctx.uow.read() as tx:
        path = _path(tx, unit_id)
        directory = org.directory(ctx, tx)
        units = []
        for r in _rows(tx, "unit", path, since, until):
            unit = tx.ratings.unit_path(int(r["key"]))
            units.append({"unit_id": int(r["key"]), "unit_name": r["name"], "tier": directory.units[int(r["key"])].tier
                          if int(r["key"]) in directory.units else unit.tier,
                          "total": r["total"], "good_rate": r["good_rate"], "bad_rate": r["bad_rate"],
                          "active_rate": r["active_rate"], "bad_count": r["bad"],
                          "fixed_count": round((r["bad_fixed_rate"] or 0) * r["bad"])})
        items = [{"item_code": r["key"], "item_name": r["name"], "total": r["total"], "good_rate": r["good_rate"],
                  "bad_rate": r["bad_rate"]} for r in _rows(tx, "item", path, since, until) if r["key"]]
        rects = [{"id": x.id, "unit_name": x.unit_name, "item_name": x.item_name,
                  "month": x.created_at.astimezone(SHANGHAI).strftime("%Y-%m"), "status": x.status, "path": x.path,
                  "due_on": x.due_on, "closed_on": x.closed_at.astimezone(SHANGHAI).date() if x.closed_at else None}
                 for x in tx.ratings.public_rectifications(path, since, until)]
        return {"units": units, "items": items, "rectifications": rects}


def to_csv(rows: list[dict]) -> str:
    """Figures or ledger rows as a report CSV: raters' comments cannot become formulas
    (engine/domain/report_csv.py)."""
    return report_csv.records(rows)
