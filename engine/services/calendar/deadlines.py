"""The deadline question — "if accepted on this day, when is it due?" — answered by one function
for `lianban calendar deadline` and GET /api/v1/calendar/deadline, so both answer alike and
refuse the same input with the same code."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from engine.domain import deadlines as dl
from engine.domain.calendar import FIRST_YEAR
from engine.domain.errors import ValidationError
from engine.services.calendar.reading import current

# the calendar counts from FIRST_YEAR; notices can be loaded up to 2100, and a start day in 2099
# with the longest limit still ends before then
EARLIEST, LATEST = date(FIRST_YEAR, 1, 1), date(2099, 12, 31)
MAX_LIMIT = 3650


@dataclass(frozen=True)
class DeadlineAnswer:
    """If accepted on a day: the last day of the limit and the instant it ends."""
    date: date
    due_at: datetime
    provisional: bool                     # a year it touches has no official notice: the date may move
    provisional_years: tuple[int, ...]
    convention: str
    calendar_version: int
    counted_from: date | None = None      # the working day a non-working `start` was deemed to be
    receipt_rule: str = dl.NEXT_WORKDAY


def deadline_answer(ctx, start: date | str, workdays: int | None = None, days: int | None = None,
                    convention: str | None = None, receipt_rule: str | None = None) -> DeadlineAnswer:
    """The one computation behind `lianban calendar deadline` and GET /api/v1/calendar/deadline, so
    both answer alike and refuse the same input with the same code. `start` may be ISO text."""
    start = _start_day(start)
    limit = _limit(workdays, days)
    convention = convention or ctx.settings.start_day_convention
    if convention not in dl.CONVENTIONS:
        raise ValidationError(f"convention is one of {', '.join(dl.CONVENTIONS)}", code="convention_unknown",
                              field="convention")
    receipt_rule = receipt_rule or ctx.settings.receipt_rule
    if receipt_rule not in dl.RECEIPT_RULES:
        raise ValidationError(f"receipt_rule is one of {', '.join(dl.RECEIPT_RULES)}", code="receipt_rule_unknown",
                              field="receipt_rule")
    with ctx.uow.read() as tx:
        cal = current(ctx, tx)
    counted = dl.deemed_day(cal, start, receipt_rule)
    day = dl.deadline(cal, counted, limit, convention=convention)
    years = tuple(y for y in range(start.year, day.year + 1) if y not in cal.official_years)
    return DeadlineAnswer(day, dl.due_instant(day), bool(years), years, convention, cal.version,
                          counted if counted != start else None, receipt_rule)


def _start_day(start: date | str) -> date:
    if isinstance(start, str):
        try:
            start = date.fromisoformat(start.strip())
        except ValueError:
            raise ValidationError(f"{start!r} is not a date (YYYY-MM-DD)", code="date_invalid", field="from") from None
    if not EARLIEST <= start <= LATEST:
        raise ValidationError(f"{start.isoformat()} is outside the years the calendar computes "
                              f"({EARLIEST.year}–{LATEST.year})", code="date_out_of_range", field="from")
    return start


def _limit(workdays: int | None, days: int | None) -> dl.Limit:
    if (workdays is None) == (days is None):
        raise ValidationError("give exactly one of workdays or days", code="limit_required", field="workdays")
    name, amount, unit = (("workdays", workdays, dl.WORKDAY) if workdays is not None
                          else ("days", days, dl.CALENDAR_DAY))
    # a time limit is at least one day, as the catalogue requires of every item's limits
    if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= MAX_LIMIT:
        raise ValidationError(f"{name} is a whole number of days from 1 to {MAX_LIMIT}, not {amount}",
                              code="limit_invalid", field=name)
    return dl.Limit(amount, unit)
