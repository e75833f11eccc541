"""Firing due timers. The scheduler only reads the timer table to find work; a case is loaded
only when one of its timers is due. Each timer fires in its own transaction, together with the
workflow step it causes, so it fires exactly once: a second worker skips rows and cases that are
locked, and a worker killed mid-sweep leaves its transaction rolled back and the timer pending."""
from __future__ import annotations

import logging
import random
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Callable, Optional

import engine.services.time_limits.sla_clock as sla_clock
from engine import metrics
from engine.domain import sla
from engine.domain.actor import Actor
from engine.domain.clock import as_utc
from engine.domain.errors import LianbanError, Unavailable
from engine.services import calendar
from engine.services.cases import incidents, parents, progress

log = logging.getLogger(__name__)


def due_timer_ids(ctx, limit: int) -> list[int]:
    now = ctx.clock.now()
    with ctx.uow.read() as tx:
        return tx.timers.due_ids(now, limit)


def fire_due(ctx, worker: str = "worker", limit: Optional[int] = None,
             before_commit: Callable[[int], None] | None = None, threads: int = 1) -> int:
    """One sweep: fire every timer due now (up to `limit`); returns how many timers fired.

    The batch is claimed in one statement (PostgreSQL: without the timers another worker is
    firing), then each timer fires in its own transaction with its case locked; `threads` of
    them at once when given (a worker process: a thread waits on the database while another
    runs a workflow)."""
    batch = due_timer_ids(ctx, limit or ctx.settings.timer_batch_size)
    metrics.timers_due(len(batch))
    if threads > 1 and len(batch) > 1:
        # two workers that claimed overlapping batches would walk them in the same order and
        # skip each other's timers one by one: each walks its batch in its own order
        random.shuffle(batch)
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="timers") as pool:
            return sum(pool.map(lambda timer_id: _fire_or_record(ctx, timer_id, worker, before_commit), batch))
    return sum(_fire_or_record(ctx, timer_id, worker, before_commit) for timer_id in batch)


def _fire_or_record(ctx, timer_id: int, worker: str, before_commit) -> int:
    try:
        return fire_one(ctx, timer_id, worker, before_commit)
    except Unavailable:
        raise          # the database is away: not the timer's fault, no attempt is counted
    except LianbanError as exc:
        metrics.timer_failed()
        _record_failure(ctx, timer_id, exc)
        return 0


def fire_one(ctx, timer_id: int, worker: str, before_commit=None) -> int:
    actor = Actor.system(f"scheduler:{worker}")
    try:
        with ctx.uow.begin() as tx:
            return _fire_locked(ctx, tx, timer_id, worker, actor, before_commit)
    except _NotDue:
        return 0


class _NotDue(Exception):
    """The workflow did not consider the timer due: roll the sweep's work on this case back."""


def _fire_locked(ctx, tx, timer_id, worker, actor, before_commit) -> int:
    # the timer and its case, locked in one statement; a timer fired (or cancelled) meanwhile, or
    # held with its case by another worker or a clerk's command, is skipped until the next sweep
    found = tx.timers.lock_for_firing(timer_id)
    if found is None:
        return 0
    timer, case = found
    now = ctx.clock.now()
    lateness = (now - as_utc(timer.timer_due_at)).total_seconds()
    tx.after_commit(lambda: metrics.timer_fired(lateness))
    if timer.kind != sla.BPMN_TIMER:
        # yellow/red cards, step deadlines, deemed acceptance: no workflow to load
        sla_clock.fire(ctx, tx, case, timer, actor, now)
        if before_commit is not None:
            before_commit(timer_id)
        return 1
    progress.load_workflow(ctx, tx, case, state=timer.state_json)
    ctx.runtime.fire_timers(case.workflow, ctx.clock, calendar.current(ctx, tx), ctx.settings.start_day_convention)
    tx.timers.mark_attempt(timer_id, worker)
    waiting_before = case.timers_before.get(timer.ref)
    progress.save(ctx, tx, case, actor, now)
    # the save closes the timer's row when the workflow no longer waits on it with the same due
    # time; if it still does, the workflow did not consider it due (clock skew): commit nothing
    if waiting_before is None or progress.waiting_timers(case).get(timer.ref) == waiting_before:
        raise _NotDue()
    # a timer that ended a 一件事 child refreshes its parent's result (child, then parent: the lock order)
    parents.after_child_step(ctx, tx, case, actor, now)
    if before_commit is not None:
        before_commit(timer_id)
    return 1


def _record_failure(ctx, timer_id: int, exc: LianbanError) -> None:
    """The firing transaction was rolled back; count the attempt and back off, give up after
    the configured number of attempts: the timer is then failed and an incident is raised
    (kind `script` when the workflow's code failed, else `timer`; docs/integration.md#incidents)."""
    log.warning("timer %s failed: %s", timer_id, exc)
    with ctx.uow.begin() as tx:
        case_id = tx.timers.case_of_pending(timer_id)
        if case_id is None:
            return
        case = tx.cases.lock(case_id)           # the case first, as every command on it
        timer = tx.timers.get(timer_id)
        if timer is None or timer.state != "pending":
            return
        attempts = (timer.attempts or 0) + 1
        now = ctx.clock.now()
        retry_at = now + timedelta(seconds=ctx.settings.scheduler_interval_seconds * 2 ** attempts)
        failed = attempts >= ctx.settings.timer_max_attempts
        tx.timers.record_failure(timer_id, attempts, f"{exc.code}: {exc.message}", retry_at, failed=failed)
        if failed:
            incidents.raise_incident(tx, case, incidents.kind_of_failure(exc, "timer"),
                                     f"{exc.code}: {exc.message}", Actor.system("scheduler"), now,
                                     element=incidents.element_of(exc) or tx.timers.element(timer_id),
                                     timer_id=timer_id)


def retry_now(ctx, timer_id: int, worker: str = "incident-retry") -> int:
    """Fire a failed timer again at once (an incident's retry reset it to pending): 1 when it
    fired; a new failure is recorded as any other (and raises a new incident when it gives up)."""
    try:
        return fire_one(ctx, timer_id, worker)
    except LianbanError as exc:
        _record_failure(ctx, timer_id, exc)
        return 0
