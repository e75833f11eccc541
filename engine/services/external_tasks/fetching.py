"""fetchAndLock: hand a worker up to maxTasks available tasks of its topics, each locked for the
topic's lockDuration. One transaction; on PostgreSQL concurrent workers skip each other's rows
(engine/store/repositories/external_tasks.py), so a task is never handed to two workers.

Long polling (Camunda's asyncResponseTimeout, docs/integration.md#long-polling): when nothing is
available the request waits, holding no connection and no transaction, until the doorbell rings
for one of its topics (engine/store/doorbell.py) or the short poll finds a task no ring announces
(a lock that ran out), then fetches again; after the timeout it answers []. A process lets at most
`external_waiters` requests wait at once: each holds a server thread, and the rest are answered
at once, as without long polling."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Optional

import engine.services.external_tasks.access as worker_access
from engine.domain import external_tasks as rules
from engine.domain.actor import Actor
from engine.domain.external_tasks import TopicRequest
from engine.store import doorbell


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
                   use_priority: bool = False, wait_ms: Optional[int] = None,
                   gone: Optional[Callable[[], bool]] = None) -> list[LockedTask]:
    """Lock and return up to `max_tasks` tasks; with `wait_ms`, wait that long for the first ones
    when none is available. `gone()` says the client hung up: the wait ends there."""
    worker_access.require_worker(actor)
    rules.check_worker(worker_id)
    rules.check_fetch(max_tasks, topics)
    wait_ms = rules.check_wait(wait_ms)
    if not wait_ms or max_tasks == 0 or not topics:
        return _fetch(ctx, worker_id, max_tasks, topics, use_priority)
    bell = doorbell.bell_of(ctx.engine)
    names = sorted({t.name for t in topics})
    mark = bell.mark(names)
    found = _fetch(ctx, worker_id, max_tasks, topics, use_priority)
    if found or not bell.take_seat(ctx.settings.external_waiters):
        return found
    try:
        bell.listen(ctx.engine)
        deadline = time.monotonic() + wait_ms / 1000
        poll = max(ctx.settings.external_poll_seconds, 0.05)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return []
            rang = bell.wait(mark, min(poll, left))
            if gone is not None and gone():
                return []
            if not rang and not _any_available(ctx, names):
                continue
            mark = bell.mark(names)
            found = _fetch(ctx, worker_id, max_tasks, topics, use_priority)
            if found:
                return found
    finally:
        bell.leave_seat()


def _any_available(ctx, names: list[str]) -> bool:
    with ctx.uow.read() as tx:
        return tx.external_tasks.any_available(names, ctx.clock.now())


def _fetch(ctx, worker_id: str, max_tasks: int, topics: list[TopicRequest], use_priority: bool) -> list[LockedTask]:
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
