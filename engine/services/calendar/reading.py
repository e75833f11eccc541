"""The working-day calendar in the database: seeded from the chinese-calendar package, extended
by administrators loading each year's State Council notice. Loading a notice recomputes every
open deadline that touches that year and records old and new dates in the audit trail."""
from __future__ import annotations

import threading
import time

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from engine.domain.actor import Actor
from engine.domain.calendar import DayRule, WorkCalendar
from engine.domain.calendar_notices import Notice
from engine.store.models import CalendarDay, CalendarVersion, CalendarYear

CACHE_SECONDS = 30.0
_lock = threading.Lock()


# --- reading -------------------------------------------------------------------------------------

def current(ctx, conn: Connection) -> WorkCalendar:
    """The calendar of the newest version of every year (cached per process for CACHE_SECONDS,
    and dropped at once when this process loads a notice)."""
    with _lock:
        cached = ctx.caches.get("calendar")
        if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
    cal = _load(conn)
    with _lock:
        ctx.caches["calendar"] = (time.monotonic(), cal)
    return cal


def invalidate(ctx) -> None:
    ctx.caches.pop("calendar", None)


def _load(conn: Connection) -> WorkCalendar:
    newest = (select(CalendarYear.year, func.max(CalendarYear.version).label("version"))
              .group_by(CalendarYear.year).subquery())
    years = conn.execute(select(CalendarYear.year, CalendarYear.version, CalendarYear.status)
                         .join(newest, (newest.c.year == CalendarYear.year)
                               & (newest.c.version == CalendarYear.version))).all()
    official = {y.year for y in years if y.status == "official"}
    rules = []
    for y in years:
        rules.extend(DayRule(d.day, d.workday, d.name) for d in conn.execute(
            select(CalendarDay.day, CalendarDay.workday, CalendarDay.name)
            .where(CalendarDay.year == y.year, CalendarDay.version == y.version)))
    version = conn.execute(select(func.max(CalendarVersion.id))).scalar() or 0
    return WorkCalendar(rules, official, version)


# --- notices -------------------------------------------------------------------------------------



def _insert_version(conn: Connection, actor: Actor, now, source: str, years: list[int]) -> int:
    return conn.execute(CalendarVersion.__table__.insert().values(
        created_at=now, created_by=actor.username, source=source[:500], years=years)
        .returning(CalendarVersion.id)).scalar_one()


def _insert_year(conn: Connection, version: int, notice: Notice, status: str) -> None:
    conn.execute(CalendarYear.__table__.insert().values(year=notice.year, version=version, status=status,
                                                        source=notice.source[:500]))
    rows = ([{"version": version, "year": notice.year, "day": d, "workday": False, "name": n[:100]}
             for d, n in notice.holidays] +
            [{"version": version, "year": notice.year, "day": d, "workday": True, "name": n[:100]}
             for d, n in notice.workdays])
    if rows:
        conn.execute(CalendarDay.__table__.insert(), rows)


