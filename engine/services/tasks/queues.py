"""The inbox: open tasks routed to the actor's posts, read from the task projection only (never
workflow state)."""
from __future__ import annotations

from engine.domain.actor import Actor
from engine.services.accounts import org
from engine.services.tasks.commands import TaskView, require_staff, task_view
from engine.store.uow import Transaction


def inbox(ctx, actor: Actor, *, limit: int = 50, include_claimed_by_others: bool = False) -> list[TaskView]:
    """Open tasks routed to the actor's posts (claimed by her or unclaimed) plus supervisor
    queues of her subtree, oldest first."""
    staff_id = require_staff(actor)
    with ctx.uow.read() as tx:
        rows = tx.tasks.inbox(queues_of(ctx, tx, staff_id), staff_id, include_claimed_by_others, limit)
        return [task_view(r) for r in rows]


def queues_of(ctx, tx: Transaction, staff_id: int) -> tuple:
    """The queues a staff member works: ("post", unit, department, role) for each post, and
    ("supervisor", the units of the subtree) for each supervisor post."""
    directory = org.directory(ctx, tx)
    return tuple(("supervisor", directory.subtree(unit)) if role == "supervisor" else ("post", unit, dept, role)
                 for unit, dept, role in org.posts_of(ctx, tx, staff_id))
