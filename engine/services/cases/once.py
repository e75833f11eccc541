"""Commands that create something — a case, a 一件事's cases, a Camunda process instance — sent
with an Idempotency-Key: a client that lost the answer and retries gets the first result, not a
second case.

The key is stored with what the command created, in the command's own transaction. Two requests
with the same key at the same time both run; the second's insert of the key waits for the first
to commit (the unique index on account and key), fails, rolls its own work back, and answers the
first's result. A key is bound to one request: the same key with another body, or a key first
used for another kind of command (a task's completion: engine/services/tasks/completion.py), is
refused with `idempotency_key_reused`."""
from __future__ import annotations

import hashlib
import json
from typing import Callable, Optional

from engine.domain.actor import Actor
from engine.domain.errors import Conflict, ValidationError
from engine.store.uow import Transaction

MAX_KEY_LENGTH = 128      # as for task completion (engine/services/tasks/completion.py)


def request_hash(kind: str, request) -> str:
    body = json.dumps({kind: request}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def run_once(ctx, actor: Actor, key: str, kind: str, request, command: Callable[[Transaction], dict]) -> dict:
    """`command(tx)` once per (account, key): its answer (a JSON-able dict) is stored and given
    again to a retry of the same request."""
    if len(key) > MAX_KEY_LENGTH:
        raise ValidationError(f"an Idempotency-Key has at most {MAX_KEY_LENGTH} characters",
                              code="idempotency_key_invalid", field="Idempotency-Key")
    wanted = request_hash(kind, request)
    try:
        with ctx.uow.begin() as tx:
            earlier = _earlier(tx, actor.staff_id, key, wanted, kind)
            if earlier is not None:
                return earlier
            answer = command(tx)
            tx.idempotency.remember(actor.staff_id, key, wanted, {"kind": kind, **answer}, ctx.clock.now())
            return answer
    except Conflict as exc:
        if exc.code != "idempotency_key_in_use":
            raise
        with ctx.uow.read() as tx:
            earlier = _earlier(tx, actor.staff_id, key, wanted, kind)
        if earlier is None:
            raise
        return earlier


def _stored_kind(response: dict) -> str:
    # keys stored before kinds were recorded: a case start's answer has its number
    return response.get("kind") or ("start" if "number" in response else "complete")


def _earlier(tx: Transaction, account_id: int, key: str, wanted: str, kind: str) -> Optional[dict]:
    row = tx.idempotency.find(account_id, key)
    if row is None:
        return None
    if row.request != wanted or _stored_kind(row.response) != kind:
        raise Conflict("this Idempotency-Key was used for a different request", code="idempotency_key_reused",
                       field="Idempotency-Key")
    return {k: v for k, v in row.response.items() if k != "kind"}
