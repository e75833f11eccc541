"""送达: the delivery columns of a case."""
from __future__ import annotations

from engine.store.repositories.base import Repository


class Deliveries(Repository):
    __slots__ = ()
