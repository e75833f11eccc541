"""The versioned working-day calendar."""
from __future__ import annotations

from engine.store.repositories.base import Repository


class Calendar(Repository):
    __slots__ = ()
