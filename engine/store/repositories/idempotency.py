"""Results of commands sent with an Idempotency-Key: a retried request gets the first result
instead of acting twice. Stored in the command's own transaction, keyed by account and key."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

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
        self.conn.execute(_K.insert(), {"account_id": account_id, "key": key, "request": request_hash,
                                        "response": response, "created_at": now})
