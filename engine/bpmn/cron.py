"""Quartz cron timer cycles (what Camunda 7 accepts in `timeCycle`: `0/5 0/1 * 1/1 * ?`) as
APScheduler cron triggers, which compute the next fire times (docs/camunda-bpmn.md#cron-timer-cycles).

A Quartz expression has six or seven fields: second, minute, hour, day of month, month, day of
week, and an optional year. It differs from APScheduler's cron syntax in ways that matter:

- `a/b` starts at `a` and steps by `b` (APScheduler writes `a-<max>/b`);
- `?` ("no specific value", in day of month or day of week) is APScheduler's `*`;
- day of week counts 1 = Sunday … 7 = Saturday (APScheduler: 0 = Monday … 6 = Sunday), so
  Quartz `2-6` is Monday to Friday: every weekday is written by name here, never by number;
- `L` in day of month is the month's last day (`last`), `6L` in day of week its last Friday
  (`last fri`), `6#3` its third Friday (`3rd fri`): APScheduler puts the last two in its day field.

Refused with the reason (CronUnsupported): `W` (nearest weekday), `L-n`, `LW`, both day fields
given (Quartz refuses that too), values out of range, more than MAX_LENGTH characters. Times are
Beijing time, as Camunda evaluates cron in its server's zone."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from engine.domain.clock import SHANGHAI

MAX_LENGTH = 200
PREFIX = "cron:"       # the evaluated timer text of a cron cycle (engine/bpmn/timers.py)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_QUARTZ_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")        # Quartz 1..7
_ORDINAL = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th"}
# field: (low, high, names or None)
_FIELDS = {"second": (0, 59, None), "minute": (0, 59, None), "hour": (0, 23, None),
           "day": (1, 31, None), "month": (1, 12, _MONTHS), "day_of_week": (1, 7, _QUARTZ_DAYS),
           "year": (1970, 2099, None)}
_EPSILON = timedelta(microseconds=1)
_ITEM = re.compile(r"^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:/(\d+))?$")


class CronUnsupported(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


_FIELD = re.compile(r"^(?:[0-9*?/,#LW-]|%s)+$" % "|".join(name.upper() for name in _MONTHS + _QUARTZ_DAYS),
                    re.IGNORECASE)


def looks_like_cron(text: str) -> bool:
    """Five to seven fields, each made of cron's digits, signs and month or day names (an ISO
    cycle, JUEL, FEEL or a Python expression such as `a if b else c` never is)."""
    fields = text.split()
    return len(fields) in (5, 6, 7) and all(_FIELD.match(f) for f in fields)


def _value(field: str, text: str) -> int:
    low, high, names = _FIELDS[field]
    if names is not None and text.lower() in names:
        return names.index(text.lower()) + low
    if not text.isdigit():
        raise CronUnsupported(f"{field.replace('_', ' ')}: {text!r} is not a value")
    number = int(text)
    if not low <= number <= high:
        raise CronUnsupported(f"{field.replace('_', ' ')}: {number} is outside {low}-{high}")
    return number


def _values(field: str, item: str) -> list[int]:
    """One comma-separated item (`*`, `5`, `MON`, `2-6`, `0/5`, `10-40/10`) as its values."""
    low, high, _ = _FIELDS[field]
    match = _ITEM.match(item)
    if not match:
        raise CronUnsupported(f"{field.replace('_', ' ')}: {item!r} is not supported")
    span, step = match.group(1), int(match.group(2)) if match.group(2) else None
    if step == 0:
        raise CronUnsupported(f"{field.replace('_', ' ')}: a step of 0")
    if span == "*":
        first, last = low, high
    elif "-" in span:
        first, last = (_value(field, part) for part in span.split("-"))
    else:
        first = _value(field, span)
        last = high if step else first          # Quartz `a/b`: from a to the end, every b
    if last < first:                            # Quartz wraps a range such as FRI-MON
        cycle = list(range(first, high + 1)) + list(range(low, last + 1))
    else:
        cycle = list(range(first, last + 1))
    return cycle[::step or 1]


def _plain(field: str, text: str) -> str:
    """A field without Quartz's special characters, as an explicit APScheduler list."""
    if text in ("*", "?"):
        return "*"
    values = sorted({v for item in text.split(",") for v in _values(field, item)})
    if field == "day_of_week":
        return ",".join(_QUARTZ_DAYS[v - 1] for v in values)
    return ",".join(str(v) for v in values)


def _day_of_month(text: str) -> str:
    if text == "L":
        return "last"
    if "W" in text.upper() or text.upper().startswith("L"):
        raise CronUnsupported(f"day of month {text!r}: W (nearest weekday) and L-n are not supported")
    return _plain("day", text)


def _day_of_week(text: str) -> tuple[str, str]:
    """(APScheduler day field, day_of_week field) for Quartz's day of week."""
    upper = text.upper()
    last = re.match(r"^([A-Z0-9]+)L$", upper)
    nth = re.match(r"^([A-Z0-9]+)#(\d)$", upper)
    if upper == "L":
        return "*", "sat"                        # Quartz: L alone in day of week is Saturday
    if last:
        return f"last {_QUARTZ_DAYS[_value('day_of_week', last.group(1)) - 1]}", "*"
    if nth:
        k = int(nth.group(2))
        if k not in _ORDINAL:
            raise CronUnsupported(f"day of week {text!r}: # takes 1 to 5")
        return f"{_ORDINAL[k]} {_QUARTZ_DAYS[_value('day_of_week', nth.group(1)) - 1]}", "*"
    if "L" in upper or "#" in upper:
        raise CronUnsupported(f"day of week {text!r}: L and # stand alone (6L, 6#3)")
    return "*", _plain("day_of_week", text)


def fields(expression: str) -> dict[str, str]:
    """The APScheduler CronTrigger arguments of a Quartz expression; CronUnsupported otherwise."""
    if len(expression) > MAX_LENGTH:
        raise CronUnsupported(f"longer than {MAX_LENGTH} characters")
    parts = expression.split()
    if len(parts) not in (6, 7):
        raise CronUnsupported(f"{len(parts)} fields; a Quartz cron expression has 6 or 7 (seconds first)")
    second, minute, hour, dom, month, dow = parts[:6]
    year = parts[6] if len(parts) == 7 else "*"
    if dom not in ("?", "*") and dow not in ("?", "*"):
        raise CronUnsupported("give day of month or day of week, and '?' for the other")
    if dom == "?" and dow == "?":
        raise CronUnsupported("'?' in both day of month and day of week")
    out = {"second": _plain("second", second), "minute": _plain("minute", minute),
           "hour": _plain("hour", hour), "month": _plain("month", month), "year": _plain("year", year)}
    week_day, out["day_of_week"] = _day_of_week(dow)
    out["day"] = week_day if week_day != "*" else _day_of_month(dom)
    return out


def trigger(expression: str) -> CronTrigger:
    try:
        return CronTrigger(timezone=SHANGHAI, **fields(expression))
    except CronUnsupported:
        raise
    except ValueError as exc:                   # what APScheduler itself refuses
        raise CronUnsupported(str(exc)) from None


def check(expression: str) -> None:
    """Deploy-time check: the expression converts and has a next fire time."""
    if next_after(expression, datetime(2000, 1, 1, tzinfo=SHANGHAI)) is None:
        raise CronUnsupported("it never fires")


def next_after(expression: str, now: datetime) -> datetime | None:
    """The first fire time strictly after `now` (aware), or None when there is none."""
    return trigger(expression).get_next_fire_time(None, now + _EPSILON)

