"""External tasks as a worker or an administrator reads them (Camunda's GET /external-task)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

import engine.services.external_tasks.access as worker_access
from engine.domain.actor import Actor


@dataclass(frozen=True)
class ExternalTaskView:
    id: int
    case_id: int
    element_id: str
    process_key: str
    topic: str
    priority: int
    state: str
    retries: Optional[int]
    lock_owner: Optional[str]
    lock_expires_at: Optional[datetime]
    error_message: Optional[str]
    created_at: datetime


def list_external_tasks(ctx, actor: Actor, *, topic: Optional[str] = None, case_id: Optional[int] = None,
                        state: Optional[str] = None, locked: Optional[bool] = None, offset: int = 0,
                        limit: Optional[int] = 50) -> tuple[list[ExternalTaskView], int]:
    worker_access.require_worker(actor)
    with ctx.uow.read() as tx:
        rows, total = tx.external_tasks.listing(topic=topic, case_id=case_id, state=state, locked=locked,
                                                now=ctx.clock.now(), offset=offset, limit=limit)
    return [ExternalTaskView(r.id, r.case_id, r.element_id, r.process_key, r.topic, r.priority, r.state, r.retries,
                             r.lock_owner, r.lock_expires_at, r.error_message, r.created_at) for r in rows], total
