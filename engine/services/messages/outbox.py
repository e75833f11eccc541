"""Delivering the signals thrown inside cases to the other cases waiting for them
(docs/integration.md#signals-thrown-inside-a-case); a message thrown to another case goes to its
one receiver (engine/services/messages/thrown.py), and delivered rows are pruned (`prune`).

The throwing case's save wrote an `event_outbox` row in its own transaction (so a throw is never
lost, and never sent for a step that rolled back). Here a worker — the scheduler of `lianban
worker` and of `lianban run` — leases pending rows and delivers each to every case that waited for
the signal when it was thrown, one case per transaction: lock the case, skip it if it already has
a receipt for this row, deliver, write the receipt. So each case receives a throw exactly once,
even when two workers deliver the same row (the case lock orders them, the second sees the first's
receipt) or a worker is killed half-way (its open transaction rolls back; the lease runs out and
another worker goes on from the cases without a receipt).

A delivery that fails (a script after the receiving catch raises) rolls back that case's
transaction only; a second one writes a `failed` receipt and an incident on the receiving case,
and the broadcast goes on. The incident's retry forgets the failed receipt and makes the row
pending again (engine/services/incidents/commands.py)."""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Callable, Optional

import engine.services.messages.delivery as delivery
import engine.services.messages.thrown as thrown
from engine.bpmn.events import MESSAGE
from engine.domain.actor import Actor
from engine.domain.errors import LianbanError, Unavailable
from engine.services.cases import incidents

log = logging.getLogger(__name__)

# how long a worker holds a row it delivers before another may take it over (a killed worker's
# rows come back after this); a long broadcast renews it after every page
LEASE_SECONDS = 120.0
PAGE = 100
BATCH = 10


def deliver_pending(ctx, worker: str = "worker", *, limit: int = BATCH, lease_seconds: float = LEASE_SECONDS,
                    before_commit: Optional[Callable[[int, int], None]] = None) -> int:
    """One pass: lease up to `limit` pending rows and deliver each; returns how many cases received
    a signal. `before_commit(outbox_id, case_id)` runs inside each case's transaction (tests)."""
    now = ctx.clock.now()
    with ctx.uow.begin() as tx:
        rows = tx.outbox.lease(worker, now + timedelta(seconds=lease_seconds), now, limit)
    return sum(thrown.deliver(ctx, row, worker, before_commit) if row.kind == MESSAGE
               else _deliver_row(ctx, row, worker, lease_seconds, before_commit) for row in rows)


def _deliver_row(ctx, row, worker: str, lease_seconds: float, before_commit) -> int:
    actor = Actor.system(f"outbox:{worker}")
    audit = {"source_case": row.source_case_id, "source_number": row.source_number}
    delivered, cursor = 0, 0
    while True:
        with ctx.uow.read() as tx:
            page = tx.outbox.waiting_cases(row, cursor, PAGE)
        for case_id in page:
            delivered += _deliver_one(ctx, actor, row, case_id, audit, before_commit)
        if len(page) < PAGE:
            break
        cursor = page[-1]
        with ctx.uow.begin() as tx:
            if not tx.outbox.extend(row.id, worker, ctx.clock.now() + timedelta(seconds=lease_seconds)):
                log.info("outbox %s was taken over by another worker", row.id)
    with ctx.uow.begin() as tx:
        tx.outbox.finish(row.id, worker, ctx.clock.now())
    if delivered:
        log.info("signal %s (outbox %s) delivered to %d case(s)", row.name, row.id, delivered)
    return delivered


def _deliver_one(ctx, actor: Actor, row, case_id: int, audit: dict, before_commit) -> int:
    try:
        with ctx.uow.begin() as tx:
            case = tx.cases.lock(case_id)
            if tx.outbox.received(row.id, case_id) or not tx.outbox.still_waiting(row, case_id):
                return 0
            now = ctx.clock.now()
            answer = delivery.deliver_to_case(ctx, tx, actor, case, row.kind, row.name, row.uid,
                                              dict(row.variables or {}), now, missing_ok=True, audit=audit)
            if answer is None:
                return 0
            tx.outbox.receipt(row.id, case_id, "delivered", now)
            if before_commit is not None:
                before_commit(row.id, case_id)
            return 1
    except Unavailable:
        raise                      # the database is away: the row stays leased, then pending
    except LianbanError as exc:
        _record_failure(ctx, actor, row, case_id, exc.code, exc.message, incidents.kind_of_failure(exc, "signal"),
                        incidents.element_of(exc))
    except Exception as exc:       # noqa: BLE001 - one case's failure must not block the others
        log.exception("signal %s (outbox %s) to case %s failed", row.name, row.id, case_id)
        _record_failure(ctx, actor, row, case_id, "internal_error", repr(exc)[:500], "signal", None)
    return 0


def _record_failure(ctx, actor: Actor, row, case_id: int, code: str, message: str, kind: str,
                    element: Optional[str]) -> None:
    log.warning("signal %s (outbox %s) to case %s failed: %s", row.name, row.id, case_id, message)
    with ctx.uow.begin() as tx:
        case = tx.cases.lock(case_id)
        if tx.outbox.received(row.id, case_id):
            return
        now = ctx.clock.now()
        tx.outbox.receipt(row.id, case_id, "failed", now)
        incidents.raise_incident(tx, case, kind, f"signal {row.name!r} from case {row.source_number}: "
                                 f"{code}: {message}", actor, now, element=element, outbox_id=row.id)


# delivered rows are deleted this many at a time, each batch in its own short transaction
PRUNE_BATCH = 500


def prune(ctx, *, batch: int = PRUNE_BATCH, max_batches: int = 1000) -> int:
    """Delete the rows delivered (state done) more than LIANBAN_OUTBOX_RETENTION_DAYS ago, with their
    receipts, in batches; a row an open incident refers to stays (its retry needs it), a resolved
    incident forgets the row. Returns how many rows went (docs/integration.md#pruning-the-outbox)."""
    cutoff = ctx.clock.now() - timedelta(days=ctx.settings.outbox_retention_days)
    total = 0
    for _ in range(max_batches):
        with ctx.uow.begin() as tx:
            ids = tx.outbox.prunable(cutoff, batch)
            tx.incidents.detach_outbox(ids)
            total += tx.outbox.delete(ids)
        if len(ids) < batch:
            break
    return total
