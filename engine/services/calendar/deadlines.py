"""The deadline question — "if accepted on this day, when is it due?" — answered by one function
for `lianban calendar deadline` and GET /api/v1/calendar/deadline, so both answer alike and
refuse the same input with the same code."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from engine.domain import deadlines as dl
from engine.domain import hall_hours
from engine.domain.calendar import FIRST_YEAR
from engine.domain.clock import SHANGHAI
from engine.domain.errors import NotFound, ValidationError
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
    hall: str | None = None               # the hall whose hours were asked about, and what they said
    receipt_hours: dict | None = None
    reason: str | None = None             # why the start moved, in words (None: it did not)


def deadline_answer(ctx, start: date | str, workdays: int | None = None, days: int | None = None,
                    convention: str | None = None, receipt_rule: str | None = None, hall: str | None = None,
                    at: str | None = None) -> DeadlineAnswer:
    """The one computation behind `lianban calendar deadline` and GET /api/v1/calendar/deadline, so
    both answer alike and refuse the same input with the same code. `start` may be ISO text; with
    `hall` (its code) and `at` ("HH:MM", the time of receipt) the hall's opening hours apply too
    (docs/time-limits.md#deemed-receipt)."""
    start = _start_day(start)
    received = _received_at(start, hall, at)
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
        row = tx.org.hall_by_code(hall.strip()) if hall is not None else None
    if hall is not None and row is None:
        raise NotFound(f"there is no hall {hall.strip()!r}", code="hall_not_found", field="hall")
    schedule = hall_hours.of_hall(row.closes_at, row.hours) if row is not None else None
    receipt = (hall_hours.receipt(schedule, received, cal.is_workday(start))
               if schedule is not None and received is not None else None)
    counted = dl.deemed_day(cal, start, receipt_rule, after_hours=receipt is not None and receipt.next_day)
    day = dl.deadline(cal, counted, limit, convention=convention)
    years = tuple(y for y in range(start.year, day.year + 1) if y not in cal.official_years)
    moved = counted if counted != start else None
    record = receipt.record() if receipt is not None else None
    return DeadlineAnswer(day, dl.due_instant(day), bool(years), years, convention, cal.version, moved, receipt_rule,
                          row.code if row is not None else None, record,
                          _reason(start, moved, at, row, record) if moved else None)


def _received_at(start: date, hall: str | None, at: str | None) -> datetime | None:
    if at is None:
        if hall is not None:
            raise ValidationError("at is the time of receipt (HH:MM) the hall's hours are asked about",
                                  code="receipt_time_required", field="at")
        return None
    if hall is None:
        raise ValidationError("at is a time of receipt at a hall: give the hall's code too",
                              code="hall_required", field="hall")
    try:
        return datetime.combine(start, hall_hours.parse_time(at.strip()), SHANGHAI)
    except ValueError as exc:
        raise ValidationError(str(exc), code="receipt_time_invalid", field="at") from None


def _reason(start: date, moved: date, at: str | None, row, record: dict | None) -> str:
    """Why the start moved to `moved`, in words (the CLI's second line)."""
    head = f"deemed received (视为受理日) {moved.isoformat()}: "
    if record is None or record["verdict"] == hall_hours.REST_DAY:
        served = (f" ({row.code} serves that day, {hall_hours.hours_text(record['rule'])}, but that makes it no "
                  f"working day)" if record and record.get("rule") else "")
        return head + f"{start.isoformat()} is not a working day, counted from the next one{served}"
    return (head + f"{at.strip()} on {start.isoformat()} is {hall_hours.describe(record)} at {row.name} "
            f"({row.code}), counted from the next working day")


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
