"""The process's Prometheus metrics (docs/operations.md#metrics), in one module every layer may
import: it imports nothing of ours, and no Flask or SQLAlchemy, so a service, the timer worker or
the HTTP layer records what it sees with one call (`metrics.case_started()`).

Under gunicorn each worker is a process with its own counters. With PROMETHEUS_MULTIPROC_DIR set
(an empty directory, wiped before the server starts) prometheus_client keeps every value in a
memory-mapped file there, and `exposition()` adds up the files of all workers, so a scrape that
lands on any one worker sees the whole server. Without it a scrape sees the process it reached.

Recording costs a dictionary lookup and an addition (about a microsecond); nothing here touches
the database or takes a lock that a command waits on."""
from __future__ import annotations

import os
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

CONTENT_TYPE = CONTENT_TYPE_LATEST

# request latencies: from a cached read (a few ms) to a large upload or export (seconds)
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# how late a timer fires after it was due: a sweep interval (5 s) is normal, minutes are not
_LATENESS_BUCKETS = (1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)

HTTP_REQUESTS = Counter("lianban_http_requests", "HTTP requests answered, by route template, method and status",
                        ("route", "method", "status"))
HTTP_LATENCY = Histogram("lianban_http_request_duration_seconds",
                         "Time to answer an HTTP request, by route template and method", ("route", "method"),
                         buckets=_LATENCY_BUCKETS)
CASES_STARTED = Counter("lianban_cases_started", "Cases started (committed)")
CASES_COMPLETED = Counter("lianban_cases_completed", "Cases whose workflow reached its end (committed)")
TIMERS_DUE = Gauge("lianban_timers_due", "Timers due at the last sweep of a worker", multiprocess_mode="max")
TIMERS_FIRED = Counter("lianban_timers_fired", "Timers fired (committed)")
TIMERS_FAILED = Counter("lianban_timers_failed", "Timer firings that failed and were rolled back")
TIMER_LATENESS = Histogram("lianban_timer_lateness_seconds", "How long after its due time a timer fired",
                           buckets=_LATENESS_BUCKETS)
INCIDENTS = Counter("lianban_incidents", "Incidents raised, by kind", ("kind",))
DB_UNAVAILABLE = Counter("lianban_database_unavailable", "Commands refused because the database was unreachable")
DB_POOL_SIZE = Gauge("lianban_db_pool_size", "Connections the database pool keeps open", multiprocess_mode="livesum")
DB_POOL_CHECKED_OUT = Gauge("lianban_db_pool_checked_out", "Pool connections in use by a command or kept by it",
                            multiprocess_mode="livesum")

# the pool's gauges are read at most this often from the request path (two attribute reads and
# two writes to a memory-mapped file per refresh)
POOL_REFRESH_SECONDS = 1.0
_pool_read_at = [0.0]


# (route, method, status) -> its counter and histogram: `labels()` validates and converts its
# arguments on every call (a few dozen function calls); a route's children never change
_answered: dict = {}


def request_answered(route: str, method: str, status: int, seconds: float) -> None:
    key = (route, method, status)
    children = _answered.get(key)
    if children is None:
        children = _answered[key] = (HTTP_REQUESTS.labels(route, method, status), HTTP_LATENCY.labels(route, method))
    children[0].inc()
    children[1].observe(seconds)


def case_started() -> None:
    CASES_STARTED.inc()


def case_completed() -> None:
    CASES_COMPLETED.inc()


def timers_due(count: int) -> None:
    TIMERS_DUE.set(count)


def timer_fired(lateness_seconds: float) -> None:
    TIMERS_FIRED.inc()
    TIMER_LATENESS.observe(max(lateness_seconds, 0.0))


def timer_failed() -> None:
    TIMERS_FAILED.inc()


def incident(kind: str) -> None:
    """An incident was raised (a failed script, an unroutable task…): `kind` is its stable code.
    Keep kinds few and fixed: each one is a time series."""
    INCIDENTS.labels(kind).inc()


def database_unavailable() -> None:
    DB_UNAVAILABLE.inc()


def pool_due() -> bool:
    """Is it time to read the pool's gauges again? (Cheap: one clock read.)"""
    now = time.monotonic()
    if now - _pool_read_at[0] < POOL_REFRESH_SECONDS:
        return False
    _pool_read_at[0] = now
    return True


def pool(size: int, checked_out: int) -> None:
    DB_POOL_SIZE.set(size)
    DB_POOL_CHECKED_OUT.set(checked_out)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def exposition() -> bytes:
    """Every metric in Prometheus's text format: this process's, or with PROMETHEUS_MULTIPROC_DIR
    the sum over every process that wrote there."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def process_exited(pid: int) -> None:
    """gunicorn's child_exit hook: drop a dead worker's live gauges from the shared files."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(pid)
