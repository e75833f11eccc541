"""What every service needs, built once per process and passed explicitly (no globals)."""
from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Optional

from engine.bpmn.runtime import Runtime
from engine.config import Settings
from engine.domain.clock import Clock, SystemClock
from engine.store.db import UnitOfWork, make_engine


class WorkflowCache:
    """Deserialized workflows by case id and version. A workflow is checked OUT while a command
    runs on it (so two threads never share one) and put back only after the commit, so a
    rolled-back command can never leave a mutated workflow behind."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[int, tuple[int, object]] = OrderedDict()
        self._lock = threading.Lock()

    def checkout(self, case_id: int, version: int) -> Optional[object]:
        with self._lock:
            item = self._items.pop(case_id, None)
        if item is not None and item[0] == version:
            return item[1]
        return None

    def put(self, case_id: int, version: int, workflow) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[case_id] = (version, workflow)
            self._items.move_to_end(case_id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def tune_gc(threshold: int) -> None:
    """Raise the collector's young-generation threshold (never lower it)."""
    current = gc.get_threshold()
    if threshold and threshold > current[0]:
        gc.set_threshold(threshold, max(current[1], 50), max(current[2], 100))


@dataclass
class Context:
    settings: Settings
    uow: UnitOfWork
    runtime: Runtime
    clock: Clock
    workflows: WorkflowCache
    caches: dict = field(default_factory=dict)   # per-process read caches (org directory, specs)

    @classmethod
    def create(cls, settings: Settings | None = None, clock: Clock | None = None) -> "Context":
        settings = settings or Settings.from_env()
        tune_gc(settings.gc_threshold)
        engine = make_engine(settings.database_url)
        return cls(settings=settings, uow=UnitOfWork(engine), runtime=Runtime(max_lines=settings.script_max_lines),
                   clock=clock or SystemClock(), workflows=WorkflowCache(settings.workflow_cache_size))

    @property
    def engine(self):
        return self.uow.engine

    def dispose(self) -> None:
        self.uow.close()
        self.uow.engine.dispose()


