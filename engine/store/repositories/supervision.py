"""Read-side queries of the supervision dashboards (indexed columns only)."""
from __future__ import annotations

from engine.store.repositories.base import Repository


class Supervision(Repository):
    __slots__ = ()
