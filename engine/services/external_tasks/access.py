"""Who may work external tasks: service accounts with the `integration` role, and administrators.
Who may read them: those, and the readers of incidents (designers; supervisors in their subtree)."""
from __future__ import annotations

from typing import Optional

from engine.domain.actor import Actor
from engine.services.accounts import access
from engine.services.incidents import scope
from engine.store.uow import Transaction

WORKER_ROLES = ("integration", "admin")


def require_worker(actor: Actor) -> None:
    access.require_role(actor, *WORKER_ROLES)


def visible_units(ctx, tx: Transaction, actor: Actor) -> Optional[list[int]]:
    """None: every task; else the units whose cases' tasks the actor reads (403 for non-readers)."""
    if actor.has_role(*WORKER_ROLES):
        return None
    return scope.visible_units(ctx, tx, actor)
