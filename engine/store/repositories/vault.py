"""The applicants' vault documents."""
from __future__ import annotations

from engine.store.repositories.base import Repository


class Vault(Repository):
    __slots__ = ()
