"""Whose incidents an actor sees: every one (administrators, designers) or those of cases received
in the units under the subtrees she supervises (the dashboard's rule)."""
from __future__ import annotations

from typing import Optional

from engine.domain.actor import Actor
from engine.domain.errors import Forbidden
from engine.services.accounts import access, org
from engine.store.uow import Transaction

SEE_ALL = ("admin", "designer")


def visible_units(ctx, tx: Transaction, actor: Actor) -> Optional[list[int]]:
    """None: every unit; else the units whose cases' incidents the actor sees (403 when none)."""
    if actor.has_role(*SEE_ALL):
        return None
    roots = access.supervised_units(ctx, tx, actor)
    if not roots or actor.kind == "applicant":
        raise Forbidden("incidents are for administrators, designers and supervisors", code="role_required")
    directory = org.directory(ctx, tx)
    return sorted({u for root in roots for u in directory.subtree(root)})
