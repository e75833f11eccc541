"""Is this process able to serve (docs/operations.md#health): alive (it answers at all), ready
(its database answers a query and its schema is at the migrations' head), and what its pool
holds, for the metrics."""
from __future__ import annotations

import logging

from engine import metrics
from engine.domain.errors import LianbanError
from engine.store.db import pool_status
from engine.store.schema import applied_revisions, head_revisions

log = logging.getLogger(__name__)


def status(ctx) -> dict:
    return {"status": "ok", "database": ctx.uow.ping()}


def live() -> dict:
    """The process answers: nothing else is checked (a database outage must not make an
    orchestrator kill every API process at once)."""
    return {"status": "ok"}


def ready(ctx) -> tuple[bool, dict]:
    """(ready?, what was checked): the database answers a query, and the schema it records is
    the head of the migrations this code ships (a server started before `lianban init-db`, or
    older code against a newer schema, is not ready)."""
    checks: dict = {}
    try:
        checks["database"] = {"ok": True, "dialect": ctx.uow.ping()}
    except LianbanError as exc:
        checks["database"] = {"ok": False, "code": exc.code, "detail": exc.message}
        checks["migrations"] = {"ok": False, "code": "not_checked", "detail": "the database did not answer"}
        return False, {"status": "unavailable", "checks": checks}
    try:
        applied, head = applied_revisions(ctx.engine), head_revisions()
    except LianbanError as exc:
        checks["migrations"] = {"ok": False, "code": exc.code, "detail": exc.message}
    else:
        at_head = applied == head
        checks["migrations"] = {"ok": at_head, "applied": sorted(applied), "head": sorted(head)}
        if not at_head:
            checks["migrations"].update(code="schema_not_at_head",
                                        detail="run `lianban init-db` (or deploy the code the schema belongs to)")
    ok = all(check["ok"] for check in checks.values())
    return ok, {"status": "ok" if ok else "unavailable", "checks": checks}


def record_pool(ctx) -> None:
    """Note the pool's size and use in the metrics (called now and then by the HTTP layer)."""
    size, checked_out = pool_status(ctx.engine)
    metrics.pool(size, max(0, checked_out - ctx.uow.kept()))    # kept between commands: not in use
