"""The working-day calendar in the database: seeded from the chinese-calendar package, extended
by administrators loading each year's State Council notice. Loading a notice recomputes every
open deadline that touches that year and records old and new dates in the audit trail."""
from __future__ import annotations

import csv
import io
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from engine.domain import deadlines as dl
from engine.domain import input_limits
from engine.domain.calendar import FIRST_YEAR, DayRule, WorkCalendar
from engine.domain.errors import ValidationError
from engine.services.context import Actor
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


# --- deadline questions --------------------------------------------------------------------------

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


def deadline_answer(ctx, start: date | str, workdays: int | None = None, days: int | None = None,
                    convention: str | None = None) -> DeadlineAnswer:
    """The one computation behind `lianban calendar deadline` and GET /api/v1/calendar/deadline, so
    both answer alike and refuse the same input with the same code. `start` may be ISO text."""
    start = _start_day(start)
    limit = _limit(workdays, days)
    convention = convention or ctx.settings.start_day_convention
    if convention not in dl.CONVENTIONS:
        raise ValidationError(f"convention is one of {', '.join(dl.CONVENTIONS)}", code="convention_unknown",
                              field="convention")
    with ctx.uow.read() as conn:
        cal = current(ctx, conn)
    day = dl.deadline(cal, start, limit, convention=convention)
    years = tuple(y for y in range(start.year, day.year + 1) if y not in cal.official_years)
    return DeadlineAnswer(day, dl.due_instant(day), bool(years), years, convention, cal.version)


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


# --- notices -------------------------------------------------------------------------------------

@dataclass
class Notice:
    """One year's working-day arrangement as the State Council publishes it."""
    year: int
    source: str
    holidays: list[tuple[date, str]] = field(default_factory=list)
    workdays: list[tuple[date, str]] = field(default_factory=list)

    def validate(self) -> None:
        if not (2000 <= self.year <= 2100):
            raise ValidationError(f"year {self.year} is out of range", code="calendar_year_invalid", field="year")
        if not self.source.strip():
            raise ValidationError("a notice needs its source (the document's title and number)",
                                  code="calendar_source_required", field="source")
        if "\x00" in self.source:
            raise ValidationError("the source contains a NUL character", code="nul_character", field="source")
        seen: dict[date, str] = {}
        for kind, entries in (("holidays", self.holidays), ("workdays", self.workdays)):
            for i, (day, name) in enumerate(entries):
                where = f"{kind}[{i}]"
                if "\x00" in name:        # a CSV may carry one (Python's csv reads it since 3.11)
                    raise ValidationError("the name contains a NUL character", code="nul_character",
                                          field=f"{where}.name")
                if day.year != self.year:
                    raise ValidationError(f"{day.isoformat()} is not in {self.year}", code="calendar_date_outside_year",
                                          field=where)
                if day in seen:
                    raise ValidationError(f"{day.isoformat()} is listed twice", code="calendar_date_duplicate",
                                          field=where)
                if kind == "workdays" and day.weekday() < 5:
                    raise ValidationError(f"{day.isoformat()} is a weekday; a make-up working day (调休) is a "
                                          f"Saturday or Sunday", code="calendar_makeup_not_weekend", field=where)
                seen[day] = kind
        if not self.holidays:
            raise ValidationError("a notice lists at least one holiday", code="calendar_no_holidays", field="holidays")


def _parse_day(text, where: str) -> date:
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise ValidationError(f"{text!r} is not a date (YYYY-MM-DD)", code="calendar_date_invalid", field=where) from None


def parse_json(content: bytes) -> Notice:
    """{"year": 2027, "source": "...", "holidays": [{"date": "2027-01-01", "name": "元旦"}, ...],
    "workdays": [{"date": "2027-02-07", "name": "春节调休"}]}"""
    try:
        data = input_limits.loads(content.decode("utf-8-sig"))
    except ValueError as exc:             # not UTF-8, not JSON, or nested too deep
        raise ValidationError(f"not a JSON document: {exc}", code="calendar_file_invalid") from None
    if not isinstance(data, dict) or not isinstance(data.get("year"), int):
        raise ValidationError("the notice needs an integer 'year'", code="calendar_year_invalid", field="year")
    notice = Notice(data["year"], str(data.get("source") or ""))
    for kind in ("holidays", "workdays"):
        entries = data.get(kind) or []
        if not isinstance(entries, list):
            raise ValidationError(f"'{kind}' must be a list", code="calendar_file_invalid", field=kind)
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or "date" not in entry:
                raise ValidationError("each entry needs a 'date'", code="calendar_file_invalid", field=f"{kind}[{i}]")
            getattr(notice, kind).append((_parse_day(entry["date"], f"{kind}[{i}].date"), str(entry.get("name", ""))))
    notice.validate()
    return notice


def parse_csv(content: bytes, source: str) -> Notice:
    """Columns date,kind,name with kind `holiday` or `workday` (UTF-8, a BOM is fine)."""
    try:
        reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
        rows = list(reader)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValidationError(f"not a CSV file: {exc}", code="calendar_file_invalid") from None
    if not rows or not {"date", "kind"} <= set(reader.fieldnames or []):
        raise ValidationError("the CSV needs the columns date,kind,name", code="calendar_file_invalid")
    days = [(_parse_day(r["date"], f"row {i + 2}.date"), (r.get("kind") or "").strip(), (r.get("name") or "").strip())
            for i, r in enumerate(rows)]
    years = {d.year for d, _, _ in days}
    if len(years) != 1:
        raise ValidationError("a notice covers exactly one year", code="calendar_year_invalid", field="date")
    notice = Notice(years.pop(), source)
    for i, (day, kind, name) in enumerate(days):
        if kind not in ("holiday", "workday"):
            raise ValidationError(f"kind {kind!r} is not 'holiday' or 'workday'", code="calendar_kind_invalid",
                                  field=f"row {i + 2}.kind")
        (notice.holidays if kind == "holiday" else notice.workdays).append((day, name))
    notice.validate()
    return notice


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


def seed_from_package(ctx, actor: Actor | None = None) -> int:
    """First calendar version from the chinese-calendar package (2004 through the last year it
    knows). Make-up working days come from its `workdays` table directly: its get_workdays(...,
    include_weekends=False) would drop them. Returns the number of years seeded (0 if present)."""
    from chinese_calendar import constants
    actor = actor or Actor.system("calendar-seed")
    with ctx.uow.begin() as conn:
        if conn.execute(select(func.count()).select_from(CalendarYear)).scalar():
            return 0
        years = sorted({d.year for d in constants.holidays})
        version = _insert_version(conn, actor, ctx.clock.now(), "chinese-calendar package (国务院办公厅节假日安排通知)",
                                  years)
        for year in years:
            notice = Notice(year, "chinese-calendar package",
                            [(d, n) for d, n in constants.holidays.items() if d.year == year],
                            [(d, n) for d, n in constants.workdays.items() if d.year == year])
            _insert_year(conn, version, notice, "official")
    invalidate(ctx)
    return len(years)


@dataclass(frozen=True)
class LoadResult:
    version: int
    year: int
    recomputed: int      # open cases whose deadlines were recomputed
    changed: int         # ... of which a date actually moved


def load_notice(ctx, notice: Notice, actor: Actor) -> LoadResult:
    """Make a year official (or amend it) and recompute every open deadline touching it, in one
    transaction: the calendar and the promises made with it never disagree."""
    from engine.services import access, clock as case_clock
    access.require_role(actor, "admin")
    notice.validate()
    with ctx.uow.begin() as conn:
        now = ctx.clock.now()
        version = _insert_version(conn, actor, now, notice.source, [notice.year])
        _insert_year(conn, version, notice, "official")
        cal = _load(conn)
        recomputed, changed = case_clock.recompute_for_year(ctx, conn, cal, notice.year, actor, now)
        from engine.services.audit import append_system_event
        append_system_event(conn, "calendar_loaded", actor, now, {
            "version": version, "year": notice.year, "source": notice.source, "holidays": len(notice.holidays),
            "workdays": len(notice.workdays), "recomputed": recomputed, "changed": changed})
    invalidate(ctx)
    return LoadResult(version, notice.year, recomputed, changed)
