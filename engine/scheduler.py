"""APScheduler wiring: the job only wakes the timer service; all logic lives in services."""
from __future__ import annotations

import logging
import os
import socket
import time

from apscheduler.schedulers.background import BackgroundScheduler

from engine.services import ratings
from engine.services.time_limits import timers

log = logging.getLogger(__name__)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# a sweep that fired something looks again at once (a burst of due timers is worked off without
# waiting an interval per batch), up to this long before the ratings get their turn
SWEEP_SECONDS = 30.0


def _sweep(ctx, worker: str) -> None:
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
        defaulted = ratings.fire_defaults(ctx)        # 一事一评 invitations past their window
        if defaulted:
            log.info("recorded %d default rating(s)", defaulted)
    except Exception:  # noqa: BLE001 - a sweep failure must not kill the scheduler thread
        log.exception("timer sweep failed")


def build(ctx):
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(_sweep, "interval", args=(ctx, worker_id()), id="fire_due_timers",
                      seconds=ctx.settings.scheduler_interval_seconds, max_instances=1, coalesce=True)
    return scheduler
