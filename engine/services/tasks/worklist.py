"""The clerk's worklist (the window console): one page of open tasks with their case, item and
applicant (masked), the working days left, and the counts its tabs show; and the colleagues a
task may be delegated to. Read from the task projection only (never workflow state)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

import engine.services.tasks.commands as commands
import engine.services.tasks.queues as queues
from engine.domain import deadlines
from engine.domain.actor import Actor
from engine.domain.clock import as_utc
from engine.domain.errors import Forbidden
from engine.domain.identity import mask_id_number, mask_name
from engine.services import calendar
from engine.services.accounts import access, org

SCOPES = ("all", "mine", "unclaimed", "window")
CARDS = ("none", "yellow", "red")
SORTS = ("due_at", "-due_at", "created_at", "-created_at")
MAX_PAGE_SIZE = 100
MAX_QUERY = 64


@dataclass(frozen=True)
class WorkItem:
    id: str
    name: str
    spec_id: str
    stage: Optional[str]
    state: str
    form_key: Optional[str]
    assignee_id: Optional[int]
    assignee_name: Optional[str]
    claimed_by_me: bool
    can_work: bool
    due_at: Optional[datetime]
    warning: str
    created_at: datetime
    case_id: int
    case_number: str
    case_version: int
    item_code: str
    item_name: str
    applicant_name_masked: Optional[str]
    applicant_id_masked: Optional[str]
    lifecycle: str
    working_days_left: Optional[int]


@dataclass(frozen=True)
class Worklist:
    items: list
    total: int
    page: int
    page_size: int
    counts: dict


def require_staff_member(actor: Actor) -> int:
    """Staff only: an applicant's account has no worklist (a 403, where the inbox is empty for her)."""
    if actor.kind == "applicant":
        raise Forbidden("only staff members have a worklist", code="actor_not_staff")
    return commands.require_staff(actor)


def _item(row, staff_id: int, cal, today: date) -> WorkItem:
    due_at = as_utc(row.due_at) if row.due_at else None
    return WorkItem(row.id, row.name, row.spec_id, row.stage, row.state, row.form_key, row.assignee_id,
                    row.assignee_name, row.assignee_id == staff_id, bool(row.can_work), due_at, row.warning,
                    as_utc(row.created_at), row.case_id, row.case_number, row.case_version, row.item_code,
                    row.item_name, mask_name(row.applicant_name),
                    mask_id_number((row.applicant or {}).get("id_number")), row.lifecycle,
                    deadlines.working_days_left(cal, today, due_at))


def worklist(ctx, actor: Actor, *, scope: str = "all", item_code: Optional[str] = None, card: Optional[str] = None,
             due_before: Optional[date] = None, q: Optional[str] = None, sort: str = "due_at", page: int = 1,
             page_size: int = 20) -> Worklist:
    """One page of the caller's open tasks of `scope` (all: hers and the unclaimed ones of her
    queues, the inbox's set; mine; unclaimed; window: routed to her posts' units whoever claimed
    them — read-only when a colleague did), filtered and sorted, with the counts of her "all"
    set (all, mine, unclaimed, yellow, red) that ignore every filter."""
    staff_id = require_staff_member(actor)
    if scope not in SCOPES or sort not in SORTS or page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError("scope, sort, page and page_size are checked by the API schema")
    filters = {"item_code": item_code, "card": card, "q": (q or "").strip()[:MAX_QUERY] or None,
               "due_before": deadlines.due_instant(due_before) if due_before is not None else None}
    with ctx.uow.read() as tx:
        mine = queues.queues_of(ctx, tx, staff_id)
        units = {unit for unit, _dept, _role in org.posts_of(ctx, tx, staff_id)}
        rows = tx.tasks.worklist(staff_id, mine, units, scope, filters, sort, page_size, (page - 1) * page_size)
        counted = tx.tasks.worklist_counts(staff_id, mine, units, scope, filters)
        cal = calendar.current(ctx, tx)
    today = deadlines.local_date(ctx.clock.now())
    counts = {k: int(getattr(counted, k)) for k in ("all", "mine", "unclaimed", "yellow", "red")}
    return Worklist([_item(r, staff_id, cal, today) for r in rows], int(counted.total), page, page_size, counts)


def work_item(ctx, task_id: str, actor: Actor) -> WorkItem:
    """One task as the worklist shows it, open or done (a task page opened from a bookmark or a
    link): for whoever may read its case."""
    staff_id = require_staff_member(actor)
    with ctx.uow.read() as tx:
        task = tx.tasks.get(task_id)
        if task is None:
            raise commands.task_not_found(task_id)
        access.require_case_access(ctx, tx, actor, task.case_id, reading=True)
        row = tx.tasks.work_item(task_id, staff_id, queues.queues_of(ctx, tx, staff_id))
        cal = calendar.current(ctx, tx)
    return _item(row, staff_id, cal, deadlines.local_date(ctx.clock.now()))


def colleagues(ctx, task_id: str, actor: Actor) -> list[dict]:
    """Who the caller may delegate the task to: the other active staff holding a post on its queue
    or offered it by name (the check `delegate` makes of its target), by username."""
    require_staff_member(actor)
    with ctx.uow.read() as tx:
        task = tx.tasks.get(task_id)
        if task is None:
            raise commands.task_not_found(task_id)
        commands.require_mine_or_eligible(ctx, tx, actor, task)
        commands.require_open(task)
        directory = org.directory(ctx, tx)
        eligible = {staff_id for staff_id, posts in directory.posts.items()
                    if staff_id != actor.staff_id and org.may_work_on(directory, posts, task.routed_org_unit_id,
                                                                      task.routed_department_id, task.routed_role)}
        eligible |= {staff_id for staff_id in tx.tasks.candidates(task_id) if staff_id != actor.staff_id}
        return [{"username": r.username, "display_name": r.name} for r in tx.tasks.active_staff(eligible)]
