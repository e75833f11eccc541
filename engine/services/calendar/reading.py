"""The working-day calendar in force: every year's newest version, kept per process as a snapshot
(engine/services/caches.py) and dropped at once when this process loads a notice."""
from __future__ import annotations

from engine.domain.calendar import WorkCalendar
from engine.store.uow import Transaction


def current(ctx, tx: Transaction) -> WorkCalendar:
    return ctx.caches.calendar.get(tx.calendar.current)


def invalidate(ctx) -> None:
    ctx.caches.calendar.invalidate()
