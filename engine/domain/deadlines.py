"""Legal time limits (pure): when is a limit of N working or calendar days due, counted from a
day, skipping paused stretches, on a given calendar and start-day convention.

Conventions (docs/time-limits.md#start-day-convention, recorded on each case):
- `exclude_start` (default): "自受理之日起N日" does not count the day of acceptance;
- `include_start`: the day of acceptance counts as day 1 when it is a working day.
A calendar-day limit that ends on a non-working day rolls to the next working day
(`roll_calendar_days`, default on). A deadline ends at the close of its day in Asia/Shanghai:
the due instant is the next midnight there.

Deemed receipt (`receipt_rule`, recorded on each case): under `next_workday` (default) an
application received or accepted on a non-working day is deemed received on the next working day,
and counting starts from that day (`deemed_day`); `as_received` counts from the day itself.

Pauses cover whole days: from the day the pause starts up to, not including, the day it ends;
an open pause stops the clock, so there is no due date until it ends."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from math import ceil
from typing import Iterable, Optional

from engine.domain.calendar import WorkCalendar
from engine.domain.clock import SHANGHAI

WORKDAY = "workday"
CALENDAR_DAY = "calendar_day"
UNITS = (WORKDAY, CALENDAR_DAY)
EXCLUDE_START = "exclude_start"
INCLUDE_START = "include_start"
CONVENTIONS = (EXCLUDE_START, INCLUDE_START)
NEXT_WORKDAY = "next_workday"
AS_RECEIVED = "as_received"
RECEIPT_RULES = (NEXT_WORKDAY, AS_RECEIVED)


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: str = WORKDAY

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"unknown time-limit unit {self.unit!r}")
        if self.amount < 0:
            raise ValueError("a time limit cannot be negative")

    def plus(self, amount: int) -> "Limit":
        return Limit(self.amount + amount, self.unit)


@dataclass(frozen=True)
class Span:
    """A paused stretch: days start <= d < end are not counted; end None = still paused."""
    start: date
    end: Optional[date] = None


def due_instant(day: date) -> datetime:
    """A deadline day ends at the next midnight in Asia/Shanghai."""
    return datetime.combine(day + timedelta(days=1), time(0), SHANGHAI)


def local_date(at: datetime) -> date:
    return at.astimezone(SHANGHAI).date()


def deemed_day(cal: WorkCalendar, day: date, rule: str = NEXT_WORKDAY, after_hours: bool = False) -> date:
    """The day a receipt or an acceptance on `day` counts from: the next working day when `day`
    is not one (a weekend, a holiday; a make-up working day is a working day) or when it arrived
    `after_hours` (the hall had closed), under `next_workday`, else `day` itself. `deadline` then
    counts from it with the convention, so 2024-03-16 (Saturday) + 7 working days is 2024-03-27:
    deemed 03-18, which is not counted."""
    if rule not in RECEIPT_RULES:
        raise ValueError(f"unknown receipt rule {rule!r}")
    if rule == AS_RECEIVED:
        return day
    return cal.next_workday(day + timedelta(days=1) if after_hours else day)


CLOSING_TIME_FORMAT = "HH:MM"
_CLOSING_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")     # ASCII digits only


def closing_time(text: str) -> time:
    """A hall's closing time, "HH:MM" on the 24-hour clock ("17:30"); ValueError otherwise."""
    found = _CLOSING_TIME.fullmatch(text)
    if found is None:
        raise ValueError(f"a closing time is {CLOSING_TIME_FORMAT} (24-hour clock), not {text!r}")
    return time(int(found[1]), int(found[2]))


def after_closing(at: datetime, closes_at: Optional[str]) -> bool:
    """Did `at` (Beijing time) come at or after the hall's closing time on its day?"""
    return closes_at is not None and at.astimezone(SHANGHAI).time() >= closing_time(closes_at)


def deadline(cal: WorkCalendar, start: date, limit: Limit, pauses: Iterable[Span] = (),
             convention: str = EXCLUDE_START, roll_calendar_days: bool = True) -> Optional[date]:
    """Last day of the limit, or None while a pause is open."""
    if convention not in CONVENTIONS:
        raise ValueError(f"unknown start-day convention {convention!r}")
    cursor = start if convention == EXCLUDE_START else start - timedelta(days=1)
    remaining = limit.amount
    if remaining == 0:
        return start
    for pause in sorted(pauses, key=lambda p: p.start):
        if pause.end is not None and pause.end <= pause.start:
            continue                       # paused and resumed the same day: nothing skipped
        last_counted = pause.start - timedelta(days=1)
        available = _available(cal, cursor, last_counted, limit.unit)
        if remaining <= available:
            break
        remaining -= available
        if pause.end is None:
            return None
        cursor = max(cursor, pause.end - timedelta(days=1))
    if limit.unit == WORKDAY:
        return cal.add_workdays(cursor, remaining)
    end = cursor + timedelta(days=remaining)
    return cal.next_workday(end) if roll_calendar_days else end


def _available(cal: WorkCalendar, after: date, through: date, unit: str) -> int:
    if through <= after:
        return 0
    return cal.count(after, through) if unit == WORKDAY else (through - after).days


def due_day_of(due_at: datetime) -> date:
    """The deadline day of a due instant (a day ends at the next midnight, due_instant)."""
    return local_date(due_at - timedelta(microseconds=1))


def working_days_left(cal: WorkCalendar, today: date, due_at: Optional[datetime]) -> Optional[int]:
    """Working days from `today` to the deadline day of `due_at`: 0 on that day, negative once it
    has passed (minus the working days since, at least 1), None without a due instant."""
    if due_at is None:
        return None
    due_day = due_day_of(due_at)
    if due_day >= today:
        return cal.count(today, due_day)
    return -max(cal.count(due_day, today), 1)


def remaining_workdays(cal: WorkCalendar, today: date, due_day: date) -> int:
    """Working days left including today (0 once the deadline day has passed)."""
    if today > due_day:
        return 0
    return cal.count(today - timedelta(days=1), due_day)


def yellow_from(cal: WorkCalendar, due_day: date, limit: Limit, yellow_workdays: int = 1,
                yellow_share: Optional[float] = None) -> date:
    """First day of the yellow card: the day from which at most `threshold` working days remain,
    threshold = yellow_workdays, or a share of the limit when that is larger."""
    threshold = yellow_workdays
    if yellow_share:
        threshold = max(threshold, ceil(limit.amount * yellow_share))
    threshold = max(1, threshold)
    # the working day `threshold - 1` working days before the due day (itself if threshold is 1)
    day = due_day
    for _ in range(threshold - 1):
        day = _previous_workday(cal, day)
    return day


def _previous_workday(cal: WorkCalendar, d: date) -> date:
    d -= timedelta(days=1)
    while not cal.is_workday(d):
        d -= timedelta(days=1)
    return d
