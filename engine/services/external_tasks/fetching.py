"""fetchAndLock: hand a worker up to maxTasks available tasks of its topics, each locked for the
topic's lockDuration. One transaction; on PostgreSQL concurrent workers skip each other's rows
(engine/store/repositories/external_tasks.py), so a task is never handed to two workers."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

import engine.services.external_tasks.access as worker_access
from engine.domain import external_tasks as rules
from engine.domain.actor import Actor
from engine.domain.external_tasks import TopicRequest


@dataclass(frozen=True)
class LockedTask:
    id: int
    topic: str
    worker_id: str
    lock_expires_at: datetime
    case_id: int
    element_id: str
    process_key: str
    priority: int
    retries: Optional[int]
    error_message: Optional[str]
    created_at: datetime
    variables: dict          # plain values, already limited to what the topic asked for


def fetch_and_lock(ctx, actor: Actor, worker_id: str, max_tasks: int, topics: list[TopicRequest],
                   use_priority: bool = False) -> list[LockedTask]:
    worker_access.require_worker(actor)
    rules.check_worker(worker_id)
    rules.check_fetch(max_tasks, topics)
    out: list[LockedTask] = []
    with ctx.uow.begin() as tx:
        now = ctx.clock.now()
        for topic in topics:
            room = max_tasks - len(out)
            if room <= 0:
                break
            expires = now + timedelta(milliseconds=topic.lock_duration_ms)
            for row in tx.external_tasks.fetch_and_lock(topic.name, room, worker_id, expires, now, use_priority,
                                                        list(topic.process_keys) if topic.process_keys else None):
                names = set(topic.variables) if topic.variables is not None else None
                values = {k: v for k, v in (row.variables or {}).items() if names is None or k in names}
                out.append(LockedTask(row.id, row.topic, worker_id, expires, row.case_id, row.element_id,
                                      row.process_key, row.priority, row.retries, row.error_message, row.created_at,
                                      values))
    return out
