"""Deployed process definitions and their deployments."""
from __future__ import annotations

from engine.store.repositories.base import Repository


class Definitions(Repository):
    __slots__ = ()
