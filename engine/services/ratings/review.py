"""The 差评 loop (docs/ratings.md#the-差评-loop): a 差评 opens its ledger row and starts a review
case of the internal item RATING_REVIEW_ITEM (process workflows/rating_review.bpmn) at the window
that served the rater, so the process's `<tier>:<role>` targets land at that unit (谁办理谁负责);
the review's task completions move the ledger row (on_review_step, called from the task
completion service); 回访 is recorded on the row."""
from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Optional

from engine.domain import ratings as rules
from engine.domain.actor import Actor
from engine.domain.errors import Forbidden, NotFound, ValidationError
from engine.services import calendar, cases
from engine.services.accounts import access, org

log = logging.getLogger(__name__)

REVIEW_PROCESS = rules.REVIEW_PROCESS
# the internal catalogue entry of the review (catalogue/internal-items.json, category other_power)
RATING_REVIEW_ITEM = "11620100MB1234567E2001QT0990100"
# the forms of the review's steps: a task with one of them may move a ledger row (on_review_step
# checks the case is a review case, so a process reusing a form moves nothing)
REVIEW_FORMS = frozenset({"rating_verify", "rating_rectify", "rating_appeal", "rating_reply"})


def open_review(ctx, tx, rating_id: int, bound: dict, parsed: rules.RatingBody, now: datetime) -> int:
    rect_id = tx.ratings.open_rectification(rating_id, bound["org_unit_id"], now)
    tier = org.directory(ctx, tx).units[bound["org_unit_id"]].tier
    form = {"rating_id": rating_id, "level": parsed.level, "comment": parsed.comment or "",
            "handling_tier": tier, "review_workdays": ctx.settings.rating_review_workdays}
    if tx.catalogue.published_for_start(RATING_REVIEW_ITEM) is None:
        log.warning("the review item %s is not published: 差评 %s has no review case", RATING_REVIEW_ITEM, rating_id)
        return rect_id
    started = cases.start_case(ctx, cases.StartCase(RATING_REVIEW_ITEM, bound["window_id"],
                                                    {"name": "好差评评价人"}, form, "window",
                                                    internal=True),
                               Actor.system("ratings"), tx=tx)
    tx.ratings.set_review_case(rect_id, started.case_id)
    return rect_id


def _text(data: dict, key: str) -> Optional[str]:
    value = data.get(key)
    return value.strip()[:2000] if isinstance(value, str) and value.strip() else None


def on_review_step(ctx, tx, case_id: int, spec_id: str, data: dict, actor: Actor, now: datetime) -> None:
    """A step of a review case completed: its ledger row follows."""
    rect = tx.ratings.rectification_of_review(case_id)
    if rect is None:
        return
    step = spec_id.split("_", 1)[0]
    data = data or {}
    if step == "verify":
        path = data.get("path")
        if path not in rules.PATHS:
            raise ValidationError(f"path is one of {', '.join(rules.PATHS)}", code="rating_path_invalid", field="path")
        values = {"path": path, "status": rules.STATUS_OF_PATH[path]}
        if path == "deadline":
            values["due_on"] = _due_on(data.get("due_on")) or rules.default_due_on(
                calendar.current(ctx, tx), now, ctx.settings.rating_review_workdays)
        tx.ratings.update_rectification(rect.id, **values)
    elif step == "rectify":
        tx.ratings.update_rectification(rect.id, status=rules.FIXED)
    elif step == "appeal":
        if data.get("void") is True:
            reason = _text(data, "reason")
            if reason is None:
                raise ValidationError("voiding a rating needs a reason", code="void_reason_required", field="reason")
            tx.ratings.void(rect.rating_id, reason, now)
            tx.ratings.update_rectification(rect.id, status=rules.VOIDED)
        else:
            tx.ratings.update_rectification(rect.id, status=rules.CLOSED)
    elif step == "reply":
        tx.ratings.update_rectification(rect.id, reply=_text(data, "reply"), replied_at=now, closed_at=now)


def _due_on(value) -> Optional[date]:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError("due_on is a date (YYYY-MM-DD)", code="rating_due_on_invalid", field="due_on") from None


def ledger_units(ctx, tx, actor: Actor) -> Optional[list[int]]:
    """The units whose ledger the actor reads: all (None) for an administrator; a supervisor's
    subtree; the units where the actor holds a working post."""
    if actor.has_role("admin"):
        return None
    if actor.kind != "staff" or actor.staff_id is None:
        raise Forbidden("the ledger is for staff", code="agency_only")
    directory = org.directory(ctx, tx)
    units: set[int] = set()
    for unit, _dept, role in org.posts_of(ctx, tx, actor.staff_id):
        units.update(directory.subtree(unit) if role == "supervisor" else (unit,))
    return sorted(units)


def ledger(ctx, actor: Actor, status: Optional[str] = None, unit_id: Optional[int] = None, page: int = 1,
           page_size: int = 50) -> dict:
    with ctx.uow.read() as tx:
        units = ledger_units(ctx, tx, actor)
        if unit_id is not None:
            directory = org.directory(ctx, tx)
            if unit_id not in directory.units:
                raise NotFound(f"unit {unit_id} does not exist", code="unit_not_found", field="unit_id")
            subtree = set(directory.subtree(unit_id))
            units = sorted(subtree if units is None else subtree & set(units))
        rows, total = tx.ratings.ledger(units, status, (page - 1) * page_size, page_size)
        items = []
        for r in rows:
            item = dict(r._mapping)
            item["card"] = item.pop("warning") if item.get("warning") in ("yellow", "red") else None
            item.pop("warning", None)
            items.append(item)
        return {"items": items, "total": total}


def revisit(ctx, rect_id: int, note: str, actor: Actor) -> dict:
    if not isinstance(note, str) or not note.strip():
        raise ValidationError("a 回访 records what the rater said", code="revisit_note_required", field="note")
    with ctx.uow.begin() as tx:
        rect = tx.ratings.rectification(rect_id)
        units = ledger_units(ctx, tx, actor)
        if rect is None or (units is not None and rect.org_unit_id not in units):
            raise NotFound(f"rectification {rect_id} does not exist", code="rectification_not_found")
        now = ctx.clock.now()
        tx.ratings.update_rectification(rect_id, revisited_at=now, revisit_note=note.strip()[:1000])
        return {"id": rect_id, "revisited_at": now}


def require_supervisor_or_admin(ctx, tx, actor: Actor, unit_id: Optional[int]) -> None:
    if unit_id is None:
        access.require_role(actor, "admin")
    else:
        access.require_supervision(ctx, tx, actor, unit_id)
