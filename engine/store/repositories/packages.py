"""一件事 packages."""
from __future__ import annotations

from engine.store.repositories.base import Repository


class Packages(Repository):
    __slots__ = ()
