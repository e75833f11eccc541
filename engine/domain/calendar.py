"""Working-day calendar (pure).

Dates are Asia/Shanghai calendar dates. A day is a working day when it is Monday–Friday and not
a holiday, or when it is a make-up working day (调休上班, e.g. Saturday 2026-02-14). Years that
an official State Council notice covers are official; any other year is computed provisionally
from weekends and the fixed-date statutory holidays, and every date in it says so — the engine
never refuses to compute a deadline because a year is unknown.

Counting is O(log n): cumulative working-day counts per day are precomputed, so "the n-th working
day after d" is one bisection, however large n is."""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, Mapping

# statutory holidays with a fixed Gregorian date (全国年节及纪念日放假办法, as revised 2025);
# the lunar ones (春节, 清明, 端午, 中秋) need the year's notice
FIXED_HOLIDAYS = ((1, 1, "元旦"), (5, 1, "劳动节"), (5, 2, "劳动节"),
                  (10, 1, "国庆节"), (10, 2, "国庆节"), (10, 3, "国庆节"))
FIRST_YEAR = 2000
HORIZON_YEARS = 12          # precompute this far past the last official year; extended on demand


@dataclass(frozen=True)
class DayRule:
    day: date
    workday: bool           # True: make-up working day; False: holiday
    name: str = ""


class WorkCalendar:
    def __init__(self, overrides: Mapping[date, DayRule] | Iterable[DayRule] = (),
                 official_years: Iterable[int] = (), version: int = 0):
        rules = overrides.values() if isinstance(overrides, Mapping) else overrides
        self._rules: dict[date, DayRule] = {r.day: r for r in rules}
        self.official_years = frozenset(official_years)
        self.version = version
        last = max(self.official_years | {date.today().year}) + HORIZON_YEARS
        # one day early, so that counting "after the day before" works from the first supported day
        self._start = date(FIRST_YEAR, 1, 1) - timedelta(days=1)
        self._cum: list[int] = []
        self._extend_to(date(last, 12, 31))

    # --- days --------------------------------------------------------------------------------
    def rule(self, d: date) -> DayRule | None:
        if d.year in self.official_years:
            return self._rules.get(d)
        for month, day, name in FIXED_HOLIDAYS:
            if (d.month, d.day) == (month, day):
                return DayRule(d, False, name)
        return None

    def is_workday(self, d: date) -> bool:
        rule = self.rule(d)
        return rule.workday if rule is not None else d.weekday() < 5

    def is_provisional(self, d: date) -> bool:
        return d.year not in self.official_years

    def provisional_between(self, a: date, b: date) -> bool:
        """Does any year touched by [a, b] lack an official notice?"""
        lo, hi = min(a, b), max(a, b)
        return any(y not in self.official_years for y in range(lo.year, hi.year + 1))

    # --- counting ----------------------------------------------------------------------------
    def _extend_to(self, last: date) -> None:
        d = self._start + timedelta(days=len(self._cum))
        total = self._cum[-1] if self._cum else 0
        while d <= last:
            total += self.is_workday(d)
            self._cum.append(total)
            d += timedelta(days=1)

    def _index(self, d: date) -> int:
        if d < self._start:
            raise ValueError(f"dates before {FIRST_YEAR}-01-01 are not supported")
        i = (d - self._start).days
        if i >= len(self._cum):
            self._extend_to(date(d.year + 1, 12, 31))
        return i

    def count(self, after: date, through: date) -> int:
        """Working days d with after < d <= through (0 when through <= after)."""
        if through <= after:
            return 0
        return self._cum[self._index(through)] - self._cum[self._index(after)]

    def add_workdays(self, after: date, n: int) -> date:
        """The n-th working day strictly after `after` (n >= 1); for n == 0 `after` itself."""
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            return after
        target = self._cum[self._index(after)] + n
        while target > self._cum[-1]:
            self._extend_to(self._start + timedelta(days=len(self._cum) + 366))
        return self._start + timedelta(days=bisect_left(self._cum, target))

    def next_workday(self, d: date) -> date:
        """d itself when it is a working day, else the next one."""
        return d if self.is_workday(d) else self.add_workdays(d, 1)
