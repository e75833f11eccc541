"""Timer rows: every pending wake-up of a case (BPMN timers, cards, deemed acceptance)."""
from __future__ import annotations

from engine.store.repositories.base import Repository


class Timers(Repository):
    __slots__ = ()
