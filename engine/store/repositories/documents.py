"""Documents (文书) issued to the applicant, as stored."""
from __future__ import annotations

from engine.store.repositories.base import Repository


class Documents(Repository):
    __slots__ = ()
