"""The case row: lock it, read and write its columns, number it, save its state."""
from __future__ import annotations

from engine.store.repositories.base import Repository


class Cases(Repository):
    __slots__ = ()
