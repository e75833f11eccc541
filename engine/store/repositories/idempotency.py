"""Results of commands sent with an Idempotency-Key: a retried request gets the first result
instead of acting twice. Stored in the command's own transaction, keyed by account and key."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine.domain.errors import Conflict
from engine.store.models import IdempotencyKey
from engine.store.repositories.base import Repository

_K = IdempotencyKey.__table__


class IdempotencyKeys(Repository):
    __slots__ = ()

    def find(self, account_id: int, key: str):
        """(request hash, response) stored for the key, or None."""
        return self.conn.execute(select(_K.c.request, _K.c.response)
                                 .where(_K.c.account_id == account_id, _K.c.key == key)).first()

    def remember(self, account_id: int, key: str, request_hash: str, response: dict, now: datetime) -> None:
        """Store the result; a concurrent request that stored the same key first (PostgreSQL: this
        insert waited for its commit) is a Conflict `idempotency_key_in_use`, and the transaction
        must roll back."""
        try:
            self.conn.execute(_K.insert(), {"account_id": account_id, "key": key, "request": request_hash,
                                            "response": response, "created_at": now})
        except IntegrityError:
            raise Conflict("another request with this Idempotency-Key was answered first",
                           code="idempotency_key_in_use", field="Idempotency-Key") from None
