"""The task projection: open, claim, complete and cancel tasks; the inbox."""
from __future__ import annotations

from engine.store.repositories.base import Repository


class Tasks(Repository):
    __slots__ = ()
