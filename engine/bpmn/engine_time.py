"""Time inside the engine. SpiffWorkflow reads datetime.now() inside its timer module with no
hook: that module gets a datetime whose now() asks the clock of the current context, so timers
are computed and fired on the injected clock (tests never sleep), and on the real clock
otherwise. The BPMN deadline functions workdays() and days() count on the working-day calendar
and start-day convention of the command being run."""
from __future__ import annotations

import contextlib
import contextvars
from datetime import datetime, timezone
from typing import Iterator

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module

from engine.domain import deadlines as dl
from engine.domain.calendar import WorkCalendar

_clock: contextvars.ContextVar = contextvars.ContextVar("lianban_clock", default=None)


class _ClockedDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        clock = _clock.get()
        now = clock.now() if clock is not None else datetime.now(timezone.utc)
        return now.astimezone(tz) if tz is not None else now.astimezone().replace(tzinfo=None)


_timer_module.datetime = _ClockedDatetime

# the working-day calendar and start-day convention of the command being run, for workdays()
_deadline_context: contextvars.ContextVar = contextvars.ContextVar("lianban_deadlines", default=None)
_DEFAULT_CALENDAR = None


@contextlib.contextmanager
def using_clock(clock, calendar=None, convention: str = dl.EXCLUDE_START) -> Iterator[None]:
    token = _clock.set(clock)
    token2 = _deadline_context.set((calendar, convention))
    try:
        yield
    finally:
        _clock.reset(token)
        _deadline_context.reset(token2)


def now() -> datetime:
    """Now on the clock of the command being run (the real clock outside one)."""
    clock = _clock.get()
    return clock.now() if clock is not None else datetime.now(timezone.utc)


def _calendar_and_convention():
    global _DEFAULT_CALENDAR
    cal, convention = _deadline_context.get() or (None, dl.EXCLUDE_START)
    if cal is None:
        if _DEFAULT_CALENDAR is None:      # weekends + fixed holidays: provisional everywhere
            _DEFAULT_CALENDAR = WorkCalendar()
        cal = _DEFAULT_CALENDAR
    return cal, convention


def workdays(n) -> str:
    """BPMN deadline function: the end of the n-th working day from today (start-day convention
    of the case), as a tz-aware ISO datetime, on the deployment's working-day calendar."""
    cal, convention = _calendar_and_convention()
    day = dl.deadline(cal, dl.local_date(now()), dl.Limit(int(n), dl.WORKDAY), convention=convention)
    return dl.due_instant(day).isoformat()


def days(n) -> str:
    """Calendar-day counterpart of workdays(): rolls to the next working day when it ends on a
    non-working day."""
    cal, convention = _calendar_and_convention()
    day = dl.deadline(cal, dl.local_date(now()), dl.Limit(int(n), dl.CALENDAR_DAY), convention=convention)
    return dl.due_instant(day).isoformat()


DEADLINE_FUNCTIONS = {"workdays": workdays, "days": days}


def current_clock():
    """The clock of the command being run (None outside one)."""
    return _clock.get()


def current_calendar():
    """The working-day calendar of the command being run (None outside one)."""
    return (_deadline_context.get() or (None,))[0]
