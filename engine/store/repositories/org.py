"""The organisation: units, departments, halls, windows, staff posts."""
from __future__ import annotations

from engine.store.repositories.base import Repository


class Organisation(Repository):
    __slots__ = ()
