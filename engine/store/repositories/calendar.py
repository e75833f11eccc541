"""The versioned working-day calendar: each loaded notice (or the seed) is a version; the
calendar in force takes, for every year, that year's newest version."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from engine.domain.calendar import DayRule, WorkCalendar
from engine.store.models import CalendarDay, CalendarVersion, CalendarYear
from engine.store.repositories.base import Repository

_VERSION, _YEAR, _DAY = CalendarVersion.__table__, CalendarYear.__table__, CalendarDay.__table__


class Calendar(Repository):
    __slots__ = ()

    def current(self) -> WorkCalendar:
        """The newest version of every year, with the newest version number overall."""
        newest = (select(CalendarYear.year, func.max(CalendarYear.version).label("version"))
                  .group_by(CalendarYear.year).subquery())
        years = self.conn.execute(select(CalendarYear.year, CalendarYear.version, CalendarYear.status)
                                  .join(newest, (newest.c.year == CalendarYear.year)
                                        & (newest.c.version == CalendarYear.version))).all()
        official = {y.year for y in years if y.status == "official"}
        rules = []
        for y in years:
            rules.extend(DayRule(d.day, d.workday, d.name) for d in self.conn.execute(
                select(CalendarDay.day, CalendarDay.workday, CalendarDay.name)
                .where(CalendarDay.year == y.year, CalendarDay.version == y.version)))
        return WorkCalendar(rules, official, self.newest_version())

    def newest_version(self) -> int:
        """The number of the newest version (0: none). Versions are only ever added, so an
        unchanged number means an unchanged calendar."""
        return self.conn.execute(select(func.max(CalendarVersion.id))).scalar() or 0

    def has_years(self) -> bool:
        return bool(self.conn.execute(select(func.count()).select_from(CalendarYear)).scalar())

    def add_version(self, now: datetime, by: str, source: str, years: list[int]) -> int:
        return self.conn.execute(_VERSION.insert().values(created_at=now, created_by=by, source=source[:500],
                                                          years=years).returning(_VERSION.c.id)).scalar_one()

    def add_year(self, version: int, year: int, status: str, source: str, holidays: list[tuple[date, str]],
                 workdays: list[tuple[date, str]]) -> None:
        """One year of a version: its holidays and its make-up working days (调休)."""
        self.conn.execute(_YEAR.insert().values(year=year, version=version, status=status, source=source[:500]))
        rows = ([{"version": version, "year": year, "day": d, "workday": False, "name": n[:100]} for d, n in holidays]
                + [{"version": version, "year": year, "day": d, "workday": True, "name": n[:100]} for d, n in workdays])
        if rows:
            self.conn.execute(_DAY.insert(), rows)
