"""A worker loop: subscribe handlers to topics, fetch and lock, run each handler while a heartbeat
extends the lock, and report what happened:
- the handler returns a dict (or None): complete with those variables;
- it raises BpmnError: bpmnError with its code (the diagram's error boundary event takes over);
- it raises anything else: failure, with retries counting down from `retries` and a back-off of
  `backoff_ms * 2 ** attempt` (capped at `max_backoff_ms`); at 0 retries Lianban raises an incident.
A worker that dies simply stops: its locks expire and its tasks come back to the others.

Fetches long-poll by default (`long_poll_ms`, Camunda's asyncResponseTimeout): the server answers
as soon as a task of a subscribed topic appears, and after `long_poll_ms` with nothing. An empty
answer that came early (a server letting no more requests wait) is followed by a pause of
`poll_interval_s`, as is every empty answer with `long_poll_ms=0`. `stop()` takes effect when the
fetch in flight returns."""
from __future__ import annotations

import logging
import threading
import time
import traceback
from typing import Callable, Optional

from lianban_worker.client import Client, ExternalTask, HttpError

log = logging.getLogger("lianban_worker")


class BpmnError(Exception):
    def __init__(self, code: str, message: Optional[str] = None, variables: Optional[dict] = None):
        super().__init__(message or code)
        self.code = code
        self.message = message
        self.variables = variables or {}


Handler = Callable[[ExternalTask], Optional[dict]]


class Worker:
    def __init__(self, client: Client, worker_id: str, *, lock_duration_ms: int = 30_000, max_tasks: int = 10,
                 poll_interval_s: float = 1.0, retries: int = 3, backoff_ms: int = 1_000,
                 max_backoff_ms: int = 600_000, use_priority: bool = True, long_poll_ms: int = 30_000):
        self.client = client
        self.worker_id = worker_id
        self.lock_duration_ms = lock_duration_ms
        self.max_tasks = max_tasks
        self.poll_interval_s = poll_interval_s
        self.retries = retries
        self.backoff_ms = backoff_ms
        self.max_backoff_ms = max_backoff_ms
        self.use_priority = use_priority
        self.long_poll_ms = long_poll_ms
        self._handlers: dict[str, tuple[Handler, Optional[list[str]]]] = {}
        self._stop = threading.Event()

    def subscribe(self, topic: str, handler: Handler, variables: Optional[list[str]] = None) -> "Worker":
        self._handlers[topic] = (handler, variables)
        return self

    def stop(self) -> None:
        self._stop.set()

    def run(self, max_idle_polls: Optional[int] = None) -> int:
        """Poll until stopped (or `max_idle_polls` empty fetches in a row); returns tasks handled."""
        handled, idle = 0, 0
        while not self._stop.is_set():
            started = time.monotonic()
            n = self.run_once()
            handled += n
            idle = 0 if n else idle + 1
            if max_idle_polls is not None and idle >= max_idle_polls:
                break
            if not n and time.monotonic() - started < self.long_poll_ms / 2000:
                self._stop.wait(self.poll_interval_s)       # answered early with nothing: no busy loop
        return handled

    def run_once(self) -> int:
        """One fetch and the tasks it brought; returns how many."""
        topics = [{"topicName": t, "lockDuration": self.lock_duration_ms,
                   **({"variables": v} if v is not None else {})} for t, (_h, v) in self._handlers.items()]
        try:
            tasks = self.client.fetch_and_lock(self.worker_id, topics, self.max_tasks, self.use_priority,
                                               self.long_poll_ms)
        except (HttpError, OSError) as exc:
            log.warning("fetchAndLock failed: %s", exc)
            return 0
        for task in tasks:
            self._handle(task)
        return len(tasks)

    def _handle(self, task: ExternalTask) -> None:
        handler, _ = self._handlers[task.topic]
        heartbeat = _Heartbeat(self.client, task.id, self.worker_id, self.lock_duration_ms)
        heartbeat.start()
        try:
            result = handler(task)
        except BpmnError as err:
            heartbeat.stop()
            self._report(self.client.bpmn_error, task.id, self.worker_id, err.code, err.message, err.variables)
            return
        except Exception as exc:  # noqa: BLE001 - any failure of the handler is reported, never lost
            heartbeat.stop()
            retries = (task.retries if task.retries is not None else self.retries + 1) - 1
            attempt = self.retries - retries
            timeout = min(self.backoff_ms * 2 ** max(attempt, 0), self.max_backoff_ms)
            self._report(self.client.failure, task.id, self.worker_id, str(exc) or type(exc).__name__,
                         traceback.format_exc(limit=5), max(retries, 0), timeout)
            return
        heartbeat.stop()
        self._report(self.client.complete, task.id, self.worker_id, result or {})

    @staticmethod
    def _report(call, *args) -> None:
        try:
            call(*args)
        except (HttpError, OSError) as exc:
            # the lock expired and another worker has it, or the server is away: the task is not
            # lost, it comes back when its lock expires
            log.warning("%s of task %s failed: %s", call.__name__, args[0], exc)


class _Heartbeat:
    """Extends the lock every half lock duration while the handler runs."""

    def __init__(self, client: Client, task_id: str, worker_id: str, lock_duration_ms: int):
        self.client, self.task_id, self.worker_id, self.lock_ms = client, task_id, worker_id, lock_duration_ms
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._done.wait(self.lock_ms / 2000):
            try:
                self.client.extend_lock(self.task_id, self.worker_id, self.lock_ms)
            except (HttpError, OSError) as exc:
                log.warning("extendLock of task %s failed: %s", self.task_id, exc)
                return
