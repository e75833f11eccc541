"""What a process keeps in memory between commands, and the one rule that makes it safe when N
API processes and N workers share one database:

- **Immutable entries** are keyed by something that never changes once written — a process
  definition version (its spec, user tasks and form snapshots), a published catalogue version (its
  accepting tiers), a compiled form validator. Every process may keep them as long as it likes;
  they are only bounded in number.
- **Snapshots** hold reference data that an administrator may change — the organisation, the
  working-day calendar, the actor behind a token. Another process's change is seen here at the
  latest after the snapshot's lifetime (`LIANBAN_CACHE_SECONDS`, 30 s); a change made by this
  process drops its own snapshot at once. A token's actor is kept at most
  `LIANBAN_TOKEN_CACHE_SECONDS` (10 s, 0 = never) and only while the security version it was read
  under is the database's (checked on every request): a revocation anywhere is seen at once
  (engine/services/accounts/auth.py, docs/security.md). Code that needs a newer value than the snapshot
  (an id the snapshot does not know yet) refreshes it.
- **Workflows** (deserialized case state) are checked out while a command runs on them and put
  back only after the commit, keyed by case id and version: a stale or rolled-back copy can never
  be used, whatever another process did.
- **Rows a command starts from without reading them** (PostgreSQL: the open tasks a completion or
  a claim would read first, the published item a start would read): the database checks their
  row versions in the command's own pipeline before it writes anything, so an entry another
  process made stale only costs a second attempt.

Everything is thread-safe: a Flask process serves requests on several threads."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Callable, Generic, Hashable, Optional, TypeVar

from engine.domain.errors import LianbanError, Unavailable

V = TypeVar("V")


class Immutable(Generic[V]):
    """Values that never change once their key exists. Bounded: when full, it starts afresh
    (cheaper on the hot path than keeping an LRU order; a refill costs one query per key)."""

    def __init__(self, max_entries: int = 10_000):
        self.max_entries = max_entries
        self._items: dict = {}

    def get(self, key: Hashable) -> Optional[V]:
        return self._items.get(key)

    def put(self, key: Hashable, value: V) -> V:
        items = self._items
        if len(items) >= self.max_entries:
            items.clear()
        items[key] = value
        return value

    def get_or_load(self, key: Hashable, load: Callable[[], V]) -> V:
        found = self._items.get(key)
        if found is None:
            found = self.put(key, load())
        return found

    def clear(self) -> None:
        self._items.clear()


class Snapshot(Generic[V]):
    """One value read from the database that another process may change: read again once it is
    older than `seconds`, or at once after `invalidate`."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._lock = threading.Lock()
        self._value: Optional[V] = None
        self._read_at = 0.0

    def get(self, load: Callable[[], V], unchanged: Optional[Callable[[V], bool]] = None) -> V:
        """The value, read with `load` when there is none or it is too old. `unchanged(value)`, when
        given, is a cheaper question put first to a value that is too old: True keeps it for
        another `seconds` (the calendar asks for its newest version number instead of reading
        every day of every year again)."""
        with self._lock:
            value = self._value
            if value is not None and time.monotonic() - self._read_at < self.seconds:
                return value
        if value is not None and unchanged is not None and self.seconds > 0 and unchanged(value):
            fresh = value
        else:
            fresh = load()                  # outside the lock: a query may take a while
        with self._lock:
            if self._value is value:        # not invalidated meanwhile (the invalidation wins)
                self._value, self._read_at = fresh, time.monotonic()
        return fresh

    def invalidate(self) -> None:
        with self._lock:
            self._value = None


class SnapshotMap(Generic[V]):
    """Values by key (an actor by token hash) that another process may change, each read again
    once older than `seconds`; `seconds <= 0` keeps nothing."""

    def __init__(self, seconds: float, max_entries: int = 10_000):
        self.seconds = seconds
        self.max_entries = max_entries
        self._items: dict = {}

    def get(self, key: Hashable) -> Optional[V]:
        hit = self._items.get(key)
        if hit is None or time.monotonic() - hit[0] >= self.seconds:
            return None
        return hit[1]

    def put(self, key: Hashable, value: V) -> None:
        if self.seconds <= 0:
            return
        if len(self._items) >= self.max_entries:
            self._items.clear()
        self._items[key] = (time.monotonic(), value)

    def discard(self, key: Hashable) -> None:
        self._items.pop(key, None)

    def clear(self) -> None:
        """Forget every entry (an account deactivated: whichever of the tokens were its)."""
        self._items = {}


class WorkflowCache:
    """Deserialized workflows by case id and version. A workflow is checked OUT while a command
    runs on it (so two threads never share one) and put back only after the commit, so a
    rolled-back command can never leave a mutated workflow behind.

    Bounded twice, least recently used first out: by number (`size`) and by bytes (`max_bytes`),
    each entry weighed by the length of its serialized state, which the command has at hand (it
    just wrote it): a workflow of a few big cases weighs what many small ones do. An entry heavier
    than the whole budget is not kept at all."""

    def __init__(self, size: int, max_bytes: int = 0):
        self.size = size
        self.max_bytes = max_bytes
        self._items: OrderedDict[int, tuple[int, object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def checkout(self, case_id: int, version: int) -> Optional[object]:
        with self._lock:
            item = self._items.pop(case_id, None)
            if item is not None:
                self._bytes -= item[2]
        if item is not None and item[0] == version:
            return item[1]
        return None

    def put(self, case_id: int, version: int, workflow, weight: int = 0) -> None:
        if self.size <= 0 or (self.max_bytes and weight > self.max_bytes):
            return
        items = self._items
        with self._lock:
            old = items.pop(case_id, None)
            if old is not None:
                self._bytes -= old[2]
            items[case_id] = (version, workflow, weight)
            self._bytes += weight
            while len(items) > self.size or (self.max_bytes and self._bytes > self.max_bytes):
                self._bytes -= items.popitem(last=False)[1][2]

    def __len__(self) -> int:
        return len(self._items)

    @property
    def weight(self) -> int:
        """The summed state lengths of the workflows kept now."""
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


class OpenTaskRows:
    """The rows a completion would read first (its task and its case, engine/store/repositories/
    tasks.py `locked_with_case`), as the last command on the case in this process left them, with
    the row versions of both (PostgreSQL only: read in that command's COMMIT round trip). A
    completion takes its task's entry and starts from it instead of reading (one round trip less);
    the database checks, in the same pipeline and before any write, that both rows are still those
    versions. Any other writer, in any process, makes a new version, and the completion is then
    decided again on the rows as they are: a stale entry costs time, never correctness.

    Entries are used once (`take`) and replaced per case by the next command that remembers it.
    Bounded: when full, it starts afresh."""

    def __init__(self, max_entries: int = 10_000):
        self.max_entries = max_entries
        self._rows: dict = {}          # task id -> row
        self._of_case: dict = {}       # case id -> its task ids here
        self._lock = threading.Lock()

    def replace(self, case_id: int, rows: list) -> None:
        """The open tasks of `case_id` are now `rows` (rows of other cases are left out)."""
        mine = [row for row in rows if row.lc_id == case_id]
        with self._lock:
            for task_id in self._of_case.pop(case_id, ()):
                self._rows.pop(task_id, None)
            if len(self._rows) + len(mine) > self.max_entries:
                self._rows.clear()
                self._of_case.clear()
            if mine:
                self._of_case[case_id] = [row.id for row in mine]
                for row in mine:
                    self._rows[row.id] = row

    def take(self, task_id: str):
        """The entry of `task_id` (removed), or None."""
        with self._lock:
            return self._rows.pop(task_id, None)

    def __len__(self) -> int:
        return len(self._rows)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()
            self._of_case.clear()


class CheckedRows(Immutable):
    """Rows a command may start from without reading them, because the database checks in the
    command's own pipeline, before its writes, that they are still those versions (PostgreSQL:
    the published item a start reads). Unlike an Immutable's values they may go stale: an entry
    is kept until a check fails (`discard`); bounded as an Immutable is."""

    def discard(self, key: Hashable) -> None:
        self._items.pop(key, None)


def from_remembered(remembered, run: Callable[[object], V], forget: Optional[Callable[[], None]] = None) -> V:
    """`run(remembered)` when rows are remembered; if that fails with any refusal (RowsChanged
    included: they changed meanwhile; `forget` then drops them), and when there are none,
    `run(None)`, which reads them under the lock: what a command answers is always decided on the
    rows as they are. A database that is away is not a refusal: it is raised at once."""
    if remembered is not None:
        try:
            return run(remembered)
        except Unavailable:
            raise
        except LianbanError:
            if forget is not None:
                forget()
    return run(None)


class Caches:
    """Every cache of a process, by name and kind (see the module docstring for the rule)."""

    def __init__(self, *, snapshot_seconds: float, token_seconds: float, workflow_cache_size: int,
                 workflow_cache_bytes: int = 0):
        # immutable: keyed by a definition id, a (definition id, form key), an item version id
        self.definitions: Immutable = Immutable()          # LoadedDefinition (spec loaded into the runtime)
        self.definition_forms: Immutable = Immutable()     # (forms snapshot, start form key)
        self.form_validators: Immutable = Immutable()      # compiled JSON Schema validators
        self.accepting_tiers: Immutable = Immutable()      # tiers whose windows accept an item version
        self.item_bodies: Immutable = Immutable()          # an item version's implementing body (unit id)
        # snapshots of reference data an administrator changes
        self.org: Snapshot = Snapshot(snapshot_seconds)        # the organisation directory
        self.calendar: Snapshot = Snapshot(snapshot_seconds)   # the working-day calendar
        self.tokens: SnapshotMap = SnapshotMap(token_seconds)  # token hash -> (actor, expires_at)
        # case state, checked out per command
        self.workflows = WorkflowCache(workflow_cache_size, workflow_cache_bytes)
        # rows a completion would read first, as this process's last command on the case left them
        self.open_tasks = OpenTaskRows()
        # the published item a start reads, by the code it was asked by (checked by each start)
        self.start_items = CheckedRows(max_entries=1_000)

    def clear(self) -> None:
        """Forget everything (tests that change the database behind the process's back)."""
        for cache in (self.definitions, self.definition_forms, self.form_validators, self.accepting_tiers,
                      self.item_bodies):
            cache.clear()
        self.org.invalidate()
        self.calendar.invalidate()
        self.tokens.clear()
        self.workflows.clear()
        self.open_tasks.clear()
        self.start_items.clear()
