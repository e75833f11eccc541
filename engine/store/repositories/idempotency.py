"""Results of commands sent with an Idempotency-Key: a retried request gets the first result
instead of acting twice. Stored in the command's own transaction, keyed by account and key."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from engine.domain.errors import Conflict
from engine.store import pg_pipeline
from engine.store.fast import FastRead, FastWrite
from engine.store.models import IdempotencyKey
from engine.store.repositories.base import Repository

_K = IdempotencyKey.__table__
_FIND = FastRead(select(_K.c.request, _K.c.response)
                 .where(_K.c.account_id == bindparam("a"), _K.c.key == bindparam("k")))
_INSERT = FastWrite(_K.insert())


def _in_use() -> Conflict:
    return Conflict("another request with this Idempotency-Key was answered first",
                    code="idempotency_key_in_use", field="Idempotency-Key")


class IdempotencyKeys(Repository):
    __slots__ = ()

    def find(self, account_id: int, key: str):
        """(request hash, response) stored for the key, or None."""
        return _FIND.first(self.conn, {"a": account_id, "k": key})

    def remember(self, account_id: int, key: str, request_hash: str, response: dict, now: datetime) -> None:
        """Store the result; a concurrent request that stored the same key first (PostgreSQL: this
        insert waited for its commit) is a Conflict `idempotency_key_in_use`, and the transaction
        must roll back. On PostgreSQL the insert is queued and the conflict may only be raised at
        the commit (a unique violation refuses the guarded write)."""
        values = {"account_id": account_id, "key": key, "request": request_hash, "response": response,
                  "created_at": now}
        if self.postgres:
            _INSERT.write(self.conn, values, pg_pipeline.GUARDED, _in_use)
            return
        try:
            self.conn.execute(_K.insert(), values)
        except IntegrityError:
            raise _in_use() from None
