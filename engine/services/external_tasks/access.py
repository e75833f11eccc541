"""Who may work external tasks: service accounts with the `integration` role, and administrators."""
from __future__ import annotations

from engine.domain.actor import Actor
from engine.services.accounts import access

WORKER_ROLES = ("integration", "admin")


def require_worker(actor: Actor) -> None:
    access.require_role(actor, *WORKER_ROLES)
