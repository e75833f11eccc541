"""The inbox: open tasks routed to the actor's posts, read from the task projection only (never
workflow state)."""

from sqlalchemy import and_, bindparam, or_, select, union_all

from engine.domain.actor import Actor
from engine.services.accounts import org
from engine.services.tasks.commands import TaskView, _require_staff, _view
from engine.store.repositories.tasks import VIEW_COLUMNS as _VIEW_COLUMNS
from engine.store import tables as t
from engine.store.fast import FastRead, inline_constants


def inbox(ctx, actor: Actor, *, limit: int = 50, include_claimed_by_others: bool = False) -> list[TaskView]:
    """Open tasks routed to the actor's posts (claimed by her or unclaimed) plus supervisor
    queues of her subtree, oldest first."""
    staff_id = _require_staff(actor)
    with ctx.uow.read() as tx:
        posts = org.posts_of(ctx, tx, staff_id)
        directory = org.directory(ctx, tx)
        stmt, fast = _inbox_statement(ctx, directory, tuple(posts), include_claimed_by_others)
        params = {"staff": staff_id, "limit": limit}
        rows = fast.all(tx, params) if fast is not None else tx.execute(stmt, params)
        return [_view(r) for r in rows]


def _inbox_statement(ctx, directory, posts: tuple, include_claimed_by_others: bool):
    """The inbox query of a set of posts, built once per (posts, org snapshot). It is a UNION
    ALL of one branch per queue, each an ordered index scan stopping at `limit` rows, so its cost
    does not grow with the size of a queue or of the table (bench/bench_http.py). Returns the
    statement and its FastRead (None when it needs SQLAlchemy's execution)."""
    cache = _STATEMENTS
    key = (posts, include_claimed_by_others, id(directory))
    found = cache.get(key)
    if found is not None:
        return found
    task = t.task.c
    order = (task.created_at, task.id)
    # constants ('open', the queue's unit and role) are written into the SQL (inline_constants):
    # `state` decides the partial ix_task_assignee, and a bound value there made SQLite re-prepare
    # the statement on every run (and PostgreSQL's generic plan skip the index)
    branches = [select(*_VIEW_COLUMNS).where(task.state == "open",
                                             task.assignee_id == bindparam("staff"))]
    for unit, dept, role in posts:
        if role == "supervisor":
            cond = and_(task.routed_role == "supervisor", task.routed_org_unit_id.in_(directory.subtree(unit)))
        else:
            cond = and_(task.routed_org_unit_id == unit, task.routed_role == role,
                        or_(task.routed_department_id.is_(None), task.routed_department_id == dept)
                        if dept is not None else task.routed_department_id.is_(None))
        if include_claimed_by_others:    # hers come from the first branch: no duplicates
            cond = and_(cond, or_(task.assignee_id.is_(None), task.assignee_id != bindparam("staff")))
        else:
            cond = and_(cond, task.assignee_id.is_(None))
        branches.append(select(*_VIEW_COLUMNS).where(task.state == "open", cond))
    parts = [select(*b.order_by(*order).limit(bindparam("limit")).subquery().c) for b in branches]
    union = union_all(*parts).subquery()
    stmt = select(union).order_by(union.c.created_at, union.c.id).limit(bindparam("limit"))
    if len(cache) > 10_000:
        cache.clear()
    # on the raw driver when it can be (a supervisor's subtree is an expanding IN: SQLAlchemy's)
    cache[key] = inline_constants(stmt, ctx.engine.dialect), FastRead.if_possible(stmt)
    return cache[key]


_STATEMENTS: dict = {}      # TRANSITIONAL: moves into the task repository
