"""Accounts and API tokens."""
from __future__ import annotations

from engine.store.repositories.base import Repository


class Accounts(Repository):
    __slots__ = ()
