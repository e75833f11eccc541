"""Content-addressed file storage."""
from __future__ import annotations

from engine.store.repositories.base import Repository


class Blobs(Repository):
    __slots__ = ()
