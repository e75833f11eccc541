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


def connect(settings: Settings) -> Context:
    """A context whose database answers, for commands run by hand: a malformed URL, a SQLite
    directory that cannot be created or a server that does not answer is one LianbanError naming
    the database (password masked) instead of a driver's traceback."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, DBAPIError

    from engine.domain.errors import LianbanError
    try:
        shown = make_url(settings.database_url).render_as_string(hide_password=True)
        context = Context.create(settings)
    except ArgumentError as exc:
        raise LianbanError(f"LIANBAN_DATABASE_URL is not a usable database URL ({exc})",
                           code="database_url_invalid", field="LIANBAN_DATABASE_URL") from None
    except OSError as exc:                     # SQLite: the file's directory cannot be created
        raise LianbanError(f"cannot reach the database {shown}: {exc}", code="database_unreachable") from None
    try:
        with context.engine.connect():
            pass
    except DBAPIError as exc:
        context.dispose()
        reason = (str(exc.orig).strip() or type(exc.orig).__name__).splitlines()[0]
        raise LianbanError(f"cannot reach the database {shown}: {reason}", code="database_unreachable") from None
    return context


@dataclass(frozen=True)
class Actor:
    """Who issues a command: an account (staff with posts at windows, an applicant, a service
    account) with its system roles, or the system itself (scheduler, CLI)."""
    username: str
    staff_id: Optional[int] = None
    window_id: Optional[int] = None
    roles: frozenset = frozenset()          # admin, designer (posts give clerk/supervisor duties)
    kind: str = "staff"                     # staff | applicant | service | system

    @classmethod
    def system(cls, name: str = "system") -> "Actor":
        return cls(username=f"system:{name}", kind="system", roles=frozenset({"admin"}))

    @property
    def is_system(self) -> bool:
        return self.kind == "system"

    def has_role(self, *roles: str) -> bool:
        return self.is_system or bool(self.roles & set(roles))
