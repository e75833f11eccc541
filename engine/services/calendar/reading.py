"""The working-day calendar in the database: seeded from the chinese-calendar package, extended
by administrators loading each year's State Council notice. Loading a notice recomputes every
open deadline that touches that year and records old and new dates in the audit trail."""
from __future__ import annotations

from sqlalchemy import func, select

from engine.domain.actor import Actor
from engine.domain.calendar import DayRule, WorkCalendar
from engine.domain.calendar_notices import Notice
from engine.store.models import CalendarDay, CalendarVersion, CalendarYear
from engine.store.uow import Transaction

# --- reading -------------------------------------------------------------------------------------

def current(ctx, tx: Transaction) -> WorkCalendar:
    """The calendar of the newest version of every year (a snapshot, engine/services/caches.py:
    dropped at once when this process loads a notice)."""
    return ctx.caches.calendar.get(lambda: _load(tx))


def invalidate(ctx) -> None:
    ctx.caches.calendar.invalidate()


def _load(tx: Transaction) -> WorkCalendar:
    newest = (select(CalendarYear.year, func.max(CalendarYear.version).label("version"))
              .group_by(CalendarYear.year).subquery())
    years = tx.execute(select(CalendarYear.year, CalendarYear.version, CalendarYear.status)
                         .join(newest, (newest.c.year == CalendarYear.year)
                               & (newest.c.version == CalendarYear.version))).all()
    official = {y.year for y in years if y.status == "official"}
    rules = []
    for y in years:
        rules.extend(DayRule(d.day, d.workday, d.name) for d in tx.execute(
            select(CalendarDay.day, CalendarDay.workday, CalendarDay.name)
            .where(CalendarDay.year == y.year, CalendarDay.version == y.version)))
    version = tx.execute(select(func.max(CalendarVersion.id))).scalar() or 0
    return WorkCalendar(rules, official, version)


# --- notices -------------------------------------------------------------------------------------



def _insert_version(tx: Transaction, actor: Actor, now, source: str, years: list[int]) -> int:
    return tx.execute(CalendarVersion.__table__.insert().values(
        created_at=now, created_by=actor.username, source=source[:500], years=years)
        .returning(CalendarVersion.id)).scalar_one()


def _insert_year(tx: Transaction, version: int, notice: Notice, status: str) -> None:
    tx.execute(CalendarYear.__table__.insert().values(year=notice.year, version=version, status=status,
                                                        source=notice.source[:500]))
    rows = ([{"version": version, "year": notice.year, "day": d, "workday": False, "name": n[:100]}
             for d, n in notice.holidays] +
            [{"version": version, "year": notice.year, "day": d, "workday": True, "name": n[:100]}
             for d, n in notice.workdays])
    if rows:
        tx.execute(CalendarDay.__table__.insert(), rows)


