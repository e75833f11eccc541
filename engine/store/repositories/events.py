"""The audit trail: append-only, hash-chained events per stream."""
from __future__ import annotations

from engine.store.repositories.base import Repository


class Events(Repository):
    __slots__ = ()
