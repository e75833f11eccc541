"""Results of commands sent with an Idempotency-Key."""
from __future__ import annotations

from engine.store.repositories.base import Repository


class IdempotencyKeys(Repository):
    __slots__ = ()
