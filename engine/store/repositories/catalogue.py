"""The 实施清单 catalogue: basic items and versioned implementations."""
from __future__ import annotations

from engine.store.repositories.base import Repository


class Catalogue(Repository):
    __slots__ = ()
