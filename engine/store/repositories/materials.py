"""How each material of a case is satisfied, and proxy mandates."""
from __future__ import annotations

from engine.store.repositories.base import Repository


class CaseMaterials(Repository):
    __slots__ = ()
