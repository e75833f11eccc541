"""APScheduler wiring: the job only wakes the timer, start schedule and outbox services; all logic lives in
services."""
from __future__ import annotations

import logging
import os
import socket
import time

from apscheduler.schedulers.background import BackgroundScheduler

from engine.domain.errors import Unavailable
from engine.services import messages, ratings, start_schedules
from engine.services.time_limits import timers

log = logging.getLogger(__name__)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Backoff:
    """While the database is away a sweep fails at once; the worker then skips sweeps for a
    doubling pause (one interval, two, four … up to MAX_PAUSE seconds), logs one line per failure
    instead of a traceback every interval, and says so when the database answers again."""

    MAX_PAUSE = 60.0

    def __init__(self, interval: float, clock=time.monotonic):
        self.interval = max(interval, 0.1)
        self.clock = clock
        self.failures = 0
        self.resume_at = 0.0

    def waiting(self) -> bool:
        return self.failures > 0 and self.clock() < self.resume_at

    def failed(self, exc) -> float:
        self.failures += 1
        pause = min(self.interval * 2 ** (self.failures - 1), self.MAX_PAUSE)
        self.resume_at = self.clock() + pause
        log.warning("database unavailable (%s); next timer sweep in %.0f s", exc.message, pause)
        return pause

    def succeeded(self) -> None:
        if self.failures:
            log.info("database reachable again after %d failed sweep(s); timers resume", self.failures)
        self.failures = 0


# a sweep that fired something looks again at once (a burst of due timers is worked off without
# waiting an interval per batch), up to this long before the ratings get their turn
SWEEP_SECONDS = 30.0


def _sweep(ctx, worker: str, backoff: Backoff | None = None) -> None:
    if backoff is not None and backoff.waiting():
        return
    try:
        threads = max(1, ctx.settings.timer_threads) if ctx.uow.engine.dialect.name == "postgresql" else 1
        fired, until = 0, time.monotonic() + SWEEP_SECONDS
        while time.monotonic() < until:
            batch = timers.fire_due(ctx, worker, threads=threads)
            fired += batch
            if not batch:
                break
        if fired:
            log.info("fired %d timer(s)", fired)
        _start_scheduled(ctx, worker)
        _deliver_outbox(ctx, worker)
        defaulted = ratings.fire_defaults(ctx)        # 一事一评 invitations past their window
        if defaulted:
            log.info("recorded %d default rating(s)", defaulted)
    except Unavailable as exc:
        if backoff is not None:
            backoff.failed(exc)
        else:
            log.warning("database unavailable: %s", exc.message)
        return
    except Exception:  # noqa: BLE001 - a sweep failure must not kill the scheduler thread
        log.exception("timer sweep failed")
    if backoff is not None:
        backoff.succeeded()


def _start_scheduled(ctx, worker: str) -> None:
    """Timer start events: a new case for each start schedule due (docs/camunda-bpmn.md#timer-start-events)."""
    started = start_schedules.fire_due(ctx, worker)
    if started:
        log.info("started %d case(s) by their start schedule", started)


def _deliver_outbox(ctx, worker: str) -> None:
    """Signals and messages thrown inside cases, to the other cases waiting for them (the outbox),
    until none is pending or SWEEP_SECONDS have passed; then the rows delivered long ago go."""
    until = time.monotonic() + SWEEP_SECONDS
    while time.monotonic() < until and messages.deliver_outbox(ctx, worker):
        pass
    pruned = messages.prune_outbox(ctx)
    if pruned:
        log.info("pruned %d delivered outbox row(s)", pruned)


def build(ctx):
    scheduler = BackgroundScheduler(timezone="UTC")
    backoff = Backoff(ctx.settings.scheduler_interval_seconds)
    scheduler.add_job(_sweep, "interval", args=(ctx, worker_id(), backoff), id="fire_due_timers",
                      seconds=ctx.settings.scheduler_interval_seconds, max_instances=1, coalesce=True)
    return scheduler
