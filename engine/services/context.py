"""What every service needs, built once per process and passed explicitly (no globals)."""
from __future__ import annotations

import gc
from dataclasses import dataclass

from engine.bpmn.runtime import Runtime
from engine.config import Settings
from engine.domain.clock import Clock, SystemClock
from engine.services.caches import Caches
from engine.store import doorbell
from engine.store.db import make_engine, require_reachable
from engine.store.uow import UnitOfWork


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
    caches: Caches

    @classmethod
    def create(cls, settings: Settings | None = None, clock: Clock | None = None) -> "Context":
        settings = settings or Settings.from_env()
        tune_gc(settings.gc_threshold)
        engine = make_engine(settings.database_url)
        caches = Caches(snapshot_seconds=settings.cache_seconds, token_seconds=settings.token_cache_seconds,
                        workflow_cache_size=settings.workflow_cache_size,
                        workflow_cache_bytes=settings.workflow_cache_bytes)
        return cls(settings=settings, uow=UnitOfWork(engine), runtime=Runtime(max_lines=settings.script_max_lines,
                                                                     script_cpu_seconds=settings.script_cpu_seconds),
                   clock=clock or SystemClock(), caches=caches)

    @property
    def engine(self):
        return self.uow.engine

    def dispose(self) -> None:
        doorbell.close(self.uow.engine)      # the long polls' listener, if one started
        self.uow.close()
        self.uow.engine.dispose()


def connect(settings: Settings) -> Context:
    """A context whose database answers, for commands run by hand: a malformed URL, a SQLite
    directory that cannot be created or a server that does not answer is one LianbanError naming
    the database (password masked) instead of a driver's traceback."""
    require_reachable(settings.database_url)
    return Context.create(settings)
