"""A case's legal clock: its pauses and its one extension."""
from __future__ import annotations

from engine.store.repositories.base import Repository


class Clocks(Repository):
    __slots__ = ()
