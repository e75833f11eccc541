"""Injected time. Storage is UTC, everything is tz-aware; tests freeze time instead of sleeping."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FrozenClock:
    """A clock that only moves when told to (thread-safe, for tests and benchmarks)."""

    def __init__(self, at: datetime):
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs a tz-aware datetime")
        self._at = at.astimezone(timezone.utc)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._at

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._at += delta
            return self._at

    def set(self, at: datetime) -> None:
        with self._lock:
            self._at = at.astimezone(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """Normalise a datetime read back from a database (SQLite drops tzinfo) to aware UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)
