"""Delivering a message thrown inside a case to the ONE other case waiting for it, or to the one
message start event it starts (docs/integration.md#messages-thrown-between-cases).

The throwing case's save wrote an `event_outbox` row of kind `message` with the payload and what
names the receiver (correlation variables, a business key), evaluated at the throw. A worker
delivers it as POST /api/v1/messages would, in ONE transaction: lock the row (still pending?),
find the receiver through the subscriptions' indexed lookup, lock and deliver to it (or start the
case), write the receipt and finish the row. A second worker waits for the row's lock and then
finds it done; a killed worker's transaction rolls back and the lease runs out: so the message
reaches exactly one case, once.

Nobody waits yet: the row stays pending and is tried again after a growing pause
(engine/domain/messages.py retry_delay) until its time to live (`LIANBAN_MESSAGE_TTL_SECONDS`)
runs out; then an incident `message` on the SENDING case (`message_undelivered`), which an operator
retries (a fresh time to live) or resolves. Several receivers: at once an incident
`message_ambiguous` on the sending case. A receiving case whose continuation fails: a `failed`
receipt and an incident on that case, as for a signal."""
from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Optional

import engine.services.messages.delivery as delivery
from engine.bpmn.events import MESSAGE
from engine.domain import messages as rules
from engine.domain.actor import Actor
from engine.domain.clock import as_utc
from engine.domain.errors import Conflict, LianbanError, Unavailable
from engine.services.cases import incidents

log = logging.getLogger(__name__)


class _NoReceiver(Exception):
    """Nobody waits for the message now (the transaction rolls back, the row is tried later)."""


class _ReceiverFailed(Exception):
    """The receiving case's continuation failed (the transaction rolls back; the incident is its)."""

    def __init__(self, case_id: int, error: LianbanError):
        super().__init__(error.message)
        self.case_id, self.error = case_id, error


def deliver(ctx, row, worker: str, before_commit=None) -> int:
    """Deliver one leased message row; 1 when a case received it (or was started by it)."""
    actor = Actor.system(f"outbox:{worker}")
    correlation = _correlation(row)
    try:
        with ctx.uow.begin() as tx:
            locked = tx.outbox.lock_message(row.id)
            if locked is None:                 # delivered or given up by another worker meanwhile
                return 0
            case_id = _deliver_locked(ctx, tx, actor, locked, correlation)
            if before_commit is not None:
                before_commit(row.id, case_id)
            return 1
    except _NoReceiver:
        _not_yet(ctx, actor, row, worker)
    except _ReceiverFailed as failed:
        exc = failed.error
        _fail(ctx, actor, row, exc.code, exc.message, failed.case_id, incidents.kind_of_failure(exc, MESSAGE),
              incidents.element_of(exc), exc.detail)
    except Unavailable:
        raise                                  # the database is away: the row stays leased, then pending
    except LianbanError as exc:
        _fail(ctx, actor, row, exc.code, exc.message, None, MESSAGE, None, exc.detail)
    except Exception as exc:                   # noqa: BLE001 - one message's failure must not block the others
        log.exception("message %s (outbox %s) failed", row.name, row.id)
        _fail(ctx, actor, row, "internal_error", repr(exc)[:500], None, MESSAGE, None, None)
    return 0


def _correlation(row) -> delivery.Correlation:
    given = row.correlation or {}
    return delivery.Correlation(business_key=given.get("business_key"),
                                variables=tuple(sorted((given.get("variables") or {}).items())))


def _deliver_locked(ctx, tx, actor: Actor, row, correlation: delivery.Correlation) -> int:
    """In the row's transaction: the receiving case (or the started one), delivered; its id."""
    now = ctx.clock.now()
    case_ids = tx.messages.waiting_cases(MESSAGE, row.name, business_key=correlation.business_key,
                                         values=dict(correlation.variables), exclude_case=row.source_case_id,
                                         limit=2)
    starts = delivery._startable(ctx, tx, row.name) if correlation.may_start() else []
    variables = dict(row.variables or {})
    audit = {"source_case": row.source_case_id, "source_number": row.source_number}
    if starts:
        sender = tx.cases.view(row.source_case_id)
        start = delivery.StartAt(window_id=sender.origin_window_id, applicant=dict(sender.applicant or {}),
                                 fields=("window_id", "applicant", "item_code"))
        answer = delivery._start_by_message(ctx, tx, actor, row.name, row.uid, starts, case_ids, start,
                                            correlation.business_key, variables, now)
        case_id = answer["case_id"]
    elif not case_ids:
        raise _NoReceiver()
    elif len(case_ids) > 1:
        raise Conflict(f"several running cases wait for message {row.name!r} with {_describe(row)}; name one "
                       "receiver (correlation.<variable> or businessKey on the throw)", code="message_ambiguous",
                       detail={"case_ids": case_ids})
    else:
        case_id = case_ids[0]
        case = tx.cases.lock(case_id)
        try:
            answer = delivery.deliver_to_case(ctx, tx, actor, case, MESSAGE, row.name, row.uid, variables, now,
                                              missing_ok=True, audit=audit)
        except Unavailable:
            raise
        except LianbanError as exc:
            raise _ReceiverFailed(case_id, exc) from exc
        if answer is None:                     # its subscription and its workflow disagree: not a receiver
            raise _NoReceiver()
    tx.outbox.receipt(row.id, case_id, "delivered", now)
    tx.outbox.finish(row.id, "", now)
    return case_id


def _not_yet(ctx, actor: Actor, row, worker: str) -> None:
    """Nobody waits: again later, or (its time to live over) an incident on the sender."""
    with ctx.uow.begin() as tx:
        locked = tx.outbox.lock_message(row.id)
        if locked is None:
            return
        now = ctx.clock.now()
        if locked.expires_at is not None and now >= as_utc(locked.expires_at):
            _incident(ctx, tx, actor, locked, None, "message_undelivered",
                      f"no case waited for message {locked.name!r} with {_describe(locked)} within its time to "
                      f"live (LIANBAN_MESSAGE_TTL_SECONDS); retry when the receiver waits", MESSAGE,
                      locked.element_id, None, now)
            return
        tx.outbox.retry_later(row.id, worker, now + timedelta(seconds=rules.retry_delay(locked.attempts + 1)))


def _fail(ctx, actor: Actor, row, code: str, message: str, receiver: Optional[int], kind: str,
          element: Optional[str], detail) -> None:
    log.warning("message %s (outbox %s) failed: %s: %s", row.name, row.id, code, message)
    with ctx.uow.begin() as tx:
        locked = tx.outbox.lock_message(row.id)
        if locked is None:
            return
        now = ctx.clock.now()
        if receiver is not None:
            tx.outbox.receipt(row.id, receiver, "failed", now)
        _incident(ctx, tx, actor, locked, receiver, code, message, kind,
                  element if receiver is not None else locked.element_id, detail, now)


def _incident(ctx, tx, actor: Actor, row, receiver: Optional[int], code: str, message: str, kind: str,
              element: Optional[str], detail, now) -> None:
    """On the receiving case when its continuation failed, else on the sending case; the row waits
    for the incident's retry (state failed)."""
    case = tx.cases.lock(receiver if receiver is not None else row.source_case_id)
    text = (f"{code}: message {row.name!r} from case {row.source_number}: {message}" if receiver is not None
            else f"{code}: {message}")
    details = json.dumps({"code": code, "message": row.name, "outbox": row.uid,
                          "correlation": row.correlation, **({"detail": detail} if detail else {})},
                         ensure_ascii=False, default=str)
    incidents.raise_incident(tx, case, kind, text, actor, now, element=element, details=details, outbox_id=row.id)
    tx.outbox.give_up(row.id, now)


def _describe(row) -> str:
    given = row.correlation or {}
    parts = [f"{k} = {v}" for k, v in sorted((given.get("variables") or {}).items())]
    if given.get("business_key"):
        parts.append(f"business key {given['business_key']!r}")
    return ", ".join(parts) or "no correlation"
