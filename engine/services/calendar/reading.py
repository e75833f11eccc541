"""The working-day calendar in force: every year's newest version, kept per process as a snapshot
(engine/services/caches.py) and dropped at once when this process loads a notice."""
from __future__ import annotations

from engine.domain.calendar import WorkCalendar
from engine.store.uow import Transaction


def current(ctx, tx: Transaction) -> WorkCalendar:
    """Read again only when another process loaded a notice: a notice is a new version, so the
    newest version number tells (rebuilding the calendar costs ~50 ms, the question one row)."""
    return ctx.caches.calendar.get(tx.calendar.current, lambda held: held.version == tx.calendar.newest_version())


def invalidate(ctx) -> None:
    ctx.caches.calendar.invalidate()
