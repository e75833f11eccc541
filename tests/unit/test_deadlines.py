"""Working-day calendar and legal time limits (engine/domain/calendar.py, engine/domain/deadlines.py).

The calendar is built from the chinese-calendar 1.11.0 data (2004..2026 official, from the State
Council notices; 2026 = notice of 2025-11-04). 2027 and later are provisional: weekends plus the
fixed-date statutory holidays (Jan 1, May 1-2, Oct 1-3). docs/time-limits.md#start-day-convention.

Every expected date in the table below was counted by hand on a printed calendar; the comment next
to each row shows the count. 2026 facts used throughout:
  holidays   01-01..01-03 (Thu-Sat)      make-up working day 01-04 Sun
             02-15..02-23 (Sun-Mon)      make-up 02-14 Sat, 02-28 Sat
             04-04..04-06 (Sat-Mon)
             05-01..05-05 (Fri-Tue)      make-up 05-09 Sat
             06-19..06-21 (Fri-Sun)
             09-25..09-27 (Fri-Sun)      make-up 09-20 Sun
             10-01..10-07 (Thu-Wed)      make-up 10-10 Sat
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from chinese_calendar import constants, find_workday
from chinese_calendar import is_workday as cc_is_workday
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.domain.calendar import DayRule, WorkCalendar
from engine.domain.clock import SHANGHAI
from engine.domain.deadlines import (
    CALENDAR_DAY,
    EXCLUDE_START,
    INCLUDE_START,
    WORKDAY,
    Limit,
    Span,
    deadline,
    due_instant,
    local_date,
    remaining_workdays,
    yellow_from,
)

RULES = ([DayRule(d, False, n) for d, n in constants.holidays.items()]
         + [DayRule(d, True, n) for d, n in constants.workdays.items()])
CAL = WorkCalendar(RULES, range(2004, 2027))   # 2004..2026 official; 2027+ provisional

EX, IN, WD, CD = EXCLUDE_START, INCLUDE_START, WORKDAY, CALENDAR_DAY
ONE = timedelta(days=1)


def D(s: str) -> date:
    return date.fromisoformat(s)


def row(start, n, expected, *, unit=WD, conv=EX, pauses=(), roll=True, extend=0, id):
    return pytest.param(D(start), n, unit, conv, tuple(pauses), roll, extend,
                        None if expected is None else D(expected), id=id)


def P(start, end=None):
    return Span(D(start), None if end is None else D(end))


# (start, n, unit, convention, pauses, roll_calendar_days, extension, expected last day)
TABLE = [
    # ---- Spring Festival 2026 (holidays 02-15..02-23, make-up Saturdays 02-14 and 02-28) ----------
    # docs/time-limits.md#the-chinese-calendar-package: find_workday(20, 2026-02-10) = 2026-03-16
    # (Art. 42 licensing limit)
    # 02-10 Tue → 02-11 W(1) 02-12 Th(2) 02-13 F(3) 02-14 Sat make-up(4) [02-15..02-23 holiday]
    # 02-24 Tu(5) 02-25(6) 02-26(7) 02-27 F(8) 02-28 Sat make-up(9) 03-02 M(10) 03-03(11) 03-04(12)
    # 03-05(13) 03-06 F(14) 03-09 M(15) 03-10(16) 03-11(17) 03-12(18) 03-13 F(19) 03-16 M(20)
    row("2026-02-10", 20, "2026-03-16", id="licensing-20wd-from-2026-02-10"),
    # ... extended by 10 (Art. 42 ¶1): 03-17(21) 03-18(22) 03-19(23) 03-20 F(24) 03-23 M(25)
    # 03-24(26) 03-25(27) 03-26(28) 03-27 F(29) 03-30 M(30)
    row("2026-02-10", 20, "2026-03-30", extend=10, id="licensing-20wd-plus-10-extension"),
    # before: 02-12 Th → 02-13 F(1) 02-14 Sat make-up(2) [holiday] 02-24 Tu(3) 02-25 W(4) 02-26 Th(5)
    row("2026-02-12", 5, "2026-02-26", id="spring-festival-start-before"),
    # inside: 02-18 Wed holiday → 02-24 Tu(1) 02-25(2) 02-26(3) 02-27 F(4) 02-28 Sat make-up(5)
    row("2026-02-18", 5, "2026-02-28", id="spring-festival-start-inside"),
    # inside, include_start: 02-18 is not a working day, so it does not count → same as above
    row("2026-02-18", 5, "2026-02-28", conv=IN, id="spring-festival-start-inside-include"),
    # after: 02-24 Tu → 02-25 W(1) 02-26 Th(2) 02-27 F(3) 02-28 Sat make-up(4) 03-02 M(5)
    row("2026-02-24", 5, "2026-03-02", id="spring-festival-start-after"),
    # 02-13 Fri → 02-14 Sat make-up(1)
    row("2026-02-13", 1, "2026-02-14", id="make-up-saturday-02-14-is-day-1"),
    # 02-27 Fri → 02-28 Sat make-up(1)
    row("2026-02-27", 1, "2026-02-28", id="make-up-saturday-02-28-is-day-1"),
    # start ON make-up 02-14 Sat, exclude: [02-15..02-23 holiday] 02-24 Tu(1)
    row("2026-02-14", 1, "2026-02-24", id="start-on-make-up-saturday-exclude"),
    # start ON make-up 02-14 Sat, include: 02-14 is a working day → day 1 itself
    row("2026-02-14", 1, "2026-02-14", conv=IN, id="start-on-make-up-saturday-include"),
    # start ON make-up 02-28 Sat, include: 02-28(1) 03-02 M(2) 03-03 Tu(3)
    row("2026-02-28", 3, "2026-03-03", conv=IN, id="start-on-make-up-02-28-include"),

    # ---- New Year 2026 (01-01..01-03 holiday, 01-04 Sunday make-up) -----------------------------
    # 2025-12-31 Wed → [01-01 Th, 01-02 F, 01-03 Sa holiday] 01-04 Sun make-up(1) 01-05 M(2)
    row("2025-12-31", 2, "2026-01-05", id="new-year-2026-sunday-make-up"),

    # ---- National Day 2026 (10-01..10-07, make-up 10-10 Sat) ------------------------------------
    # `lianban calendar deadline --from 2026-09-30 --workdays 5`; = find_workday(5, 2026-09-30)
    # 09-30 Wed → 10-08 Th(1) 10-09 F(2) 10-10 Sat make-up(3) 10-12 M(4) 10-13 Tu(5)
    row("2026-09-30", 5, "2026-10-13", id="cli-national-day-from-09-30-5wd"),
    # include: 09-30 W(1) 10-08 Th(2) 10-09 F(3) 10-10 Sat make-up(4) 10-12 M(5)
    row("2026-09-30", 5, "2026-10-12", conv=IN, id="national-day-from-09-30-5wd-include"),
    # 10-01 Thu holiday → [10-02..10-07 holiday] 10-08 Th(1)
    row("2026-10-01", 1, "2026-10-08", id="national-day-start-on-holiday"),
    # 10-03 Sat holiday, include (does not count) → 10-08 Th(1) 10-09 F(2) 10-10 Sat make-up(3)
    row("2026-10-03", 3, "2026-10-10", conv=IN, id="national-day-start-on-holiday-include"),
    # 09-21 Mon → 09-22 Tu(1) 09-23 W(2) 09-24 Th(3) [09-25..27 Mid-Autumn] 09-28 M(4) 09-29(5)
    # 09-30(6) [10-01..07] 10-08 Th(7) 10-09 F(8) 10-10 Sa mk(9) 10-12 M(10) 10-13(11) 10-14(12)
    # 10-15(13) 10-16 F(14) 10-19 M(15) 10-20(16) 10-21(17) 10-22(18) 10-23 F(19) 10-26 M(20)
    row("2026-09-21", 20, "2026-10-26", id="mid-autumn-and-national-day-20wd"),

    # ---- Mid-Autumn 2026 (09-25..09-27, make-up Sunday 09-20) -----------------------------------
    # 09-18 Fri → 09-19 Sat (no) 09-20 Sun make-up(1)
    row("2026-09-18", 1, "2026-09-20", id="mid-autumn-make-up-sunday-is-day-1"),
    # 09-19 Sat → 09-20 Sun make-up(1) 09-21 M(2)
    row("2026-09-19", 2, "2026-09-21", id="mid-autumn-from-saturday"),
    # start ON make-up Sunday 09-20, include → 09-20(1)
    row("2026-09-20", 1, "2026-09-20", conv=IN, id="start-on-make-up-sunday-include"),

    # ---- Labour Day 2026 (05-01..05-05, make-up 05-09 Sat), Qingming, Dragon Boat ----------------
    # 04-30 Thu → [05-01..05-05] 05-06 W(1) 05-07 Th(2) 05-08 F(3)
    row("2026-04-30", 3, "2026-05-08", id="labour-day-3wd"),
    # ... 05-09 Sat make-up(4)
    row("2026-04-30", 4, "2026-05-09", id="labour-day-make-up-saturday"),
    # 05-02 Sat holiday, include (not counted) → 05-06(1) 05-07(2) 05-08(3) 05-09 Sa mk(4) 05-11 M(5)
    row("2026-05-02", 5, "2026-05-11", conv=IN, id="labour-day-start-on-holiday-include"),
    # 04-03 Fri → [04-04..04-06 Qingming] 04-07 Tu(1)
    row("2026-04-03", 1, "2026-04-07", id="qingming-2026"),
    # 06-18 Thu → [06-19..06-21 Dragon Boat] 06-22 M(1) 06-23 Tu(2)
    row("2026-06-18", 2, "2026-06-23", id="dragon-boat-2026"),

    # ---- Year boundary 2026 → provisional 2027 (2027-01-01 Fri is a fixed holiday) ---------------
    # 12-25 Fri → 12-28 M(1) 12-29(2) 12-30(3) 12-31 Th(4) [2027-01-01 F holiday, 01-02/03 weekend]
    # 2027-01-04 M(5)
    row("2026-12-25", 5, "2027-01-04", id="year-boundary-into-provisional-2027"),
    # ... 01-05(6) 01-06(7) 01-07(8) 01-08 F(9) 01-11 M(10)
    row("2026-12-25", 10, "2027-01-11", id="year-boundary-10wd"),
    # 12-31 Thu include → 12-31(1): stays inside official 2026
    row("2026-12-31", 1, "2026-12-31", conv=IN, id="last-day-of-2026-include"),
    # calendar days: 12-02 Wed + 30 = 2027-01-01 Fri (fixed holiday) → 01-02 Sa, 01-03 Su → 01-04 M
    row("2026-12-02", 30, "2027-01-04", unit=CD, id="calendar-30d-into-2027-rolls"),
    # provisional 2027: 04-30 Fri → 05-01 Sa, 05-02 Su (fixed holidays anyway) → 05-03 M(1)
    row("2027-04-30", 1, "2027-05-03", id="provisional-2027-labour-day"),
    # provisional 2027: 09-30 Thu → [10-01 F, 10-02 Sa, 10-03 Su] 10-04 M(1)
    row("2027-09-30", 1, "2027-10-04", id="provisional-2027-national-day"),

    # ---- pauses (days start <= d < end do not count) ------------------------------------------
    # 09-21 Mon, 10 wd, pause 09-28..10-09 (09-28..10-08 paused): 09-22(1) 09-23(2) 09-24(3)
    # [09-25..27 holiday] [09-28..10-08 paused] 10-09 F(4) 10-10 Sa mk(5) 10-12 M(6) 10-13(7)
    # 10-14(8) 10-15(9) 10-16 F(10). Unpaused: ...09-28(4) 09-29(5) 09-30(6) 10-08(7) 10-09(8)
    # 10-10(9) 10-12(10) → paused working days 09-28, 09-29, 09-30, 10-08 = 4 → 10-12 + 4 wd = 10-16
    row("2026-09-21", 10, "2026-10-16", pauses=[P("2026-09-28", "2026-10-09")],
        id="pause-spanning-national-day"),
    row("2026-09-21", 10, "2026-10-12", id="same-without-pause"),
    # paused and resumed on 09-28: nothing skipped
    row("2026-09-21", 10, "2026-10-12", pauses=[P("2026-09-28", "2026-09-28")],
        id="pause-resumed-same-day-no-effect"),
    # open pause from 09-28 reached with 7 days left → no due date
    row("2026-09-21", 10, None, pauses=[P("2026-09-28")], id="open-pause-stops-clock"),
    # open pause from 09-28, 3 wd: 09-22(1) 09-23(2) 09-24(3) are used up before it
    row("2026-09-21", 3, "2026-09-24", pauses=[P("2026-09-28")], id="open-pause-after-limit-used"),
    # open pause from 09-28, 4 wd: 09-22(1) 09-23(2) 09-24(3), day 4 would be 09-28 → paused
    row("2026-09-21", 4, None, pauses=[P("2026-09-28")], id="open-pause-on-the-last-day"),
    # pause begun before the start (02-27..03-05, paused through 03-04): start 03-02 Mon →
    # 03-05 Th(1) 03-06 F(2) 03-09 M(3)
    row("2026-03-02", 3, "2026-03-09", pauses=[P("2026-02-27", "2026-03-05")],
        id="pause-begun-before-start"),
    # two pauses given out of order: 03-04 paused; 03-09, 03-10 paused. 03-02 Mon → 03-03 Tu(1)
    # [03-04] 03-05 Th(2) 03-06 F(3) [03-09, 03-10] 03-11 W(4) 03-12 Th(5)
    row("2026-03-02", 5, "2026-03-12", pauses=[P("2026-03-09", "2026-03-11"), P("2026-03-04", "2026-03-05")],
        id="two-pauses-unsorted"),
    # calendar days with a pause: 03-02 + 10 = 03-12, paused 03-05, 03-06, 03-07 (3 days) → 03-15 Sun
    # → rolls to 03-16 Mon
    row("2026-03-02", 10, "2026-03-16", unit=CD, pauses=[P("2026-03-05", "2026-03-08")],
        id="calendar-days-with-pause"),

    # ---- calendar-day limits -------------------------------------------------------------------
    # 09-28 + 5 = 10-03 Sat (holiday) → rolls: [10-04..10-07 holiday] 10-08 Th
    row("2026-09-28", 5, "2026-10-08", unit=CD, id="calendar-5d-rolls-past-national-day"),
    row("2026-09-28", 5, "2026-10-03", unit=CD, roll=False, id="calendar-5d-no-roll"),
    # include: 09-28 + 5 - 1 = 10-02 Fri (holiday) → rolls to 10-08 Th
    row("2026-09-28", 5, "2026-10-08", unit=CD, conv=IN, id="calendar-5d-include-rolls"),
    row("2026-09-28", 5, "2026-10-02", unit=CD, conv=IN, roll=False, id="calendar-5d-include-no-roll"),
    # 03-02 + 10 = 03-12 Thu, a working day → no roll
    row("2026-03-02", 10, "2026-03-12", unit=CD, id="calendar-10d-working-day"),
    # 02-04 + 10 = 02-14 Sat, a make-up working day → no roll
    row("2026-02-04", 10, "2026-02-14", unit=CD, id="calendar-10d-lands-on-make-up-saturday"),
    # 02-05 + 10 = 02-15 Sun (Spring Festival) → rolls over 02-15..02-23 to 02-24 Tu
    row("2026-02-05", 10, "2026-02-24", unit=CD, id="calendar-10d-rolls-past-spring-festival"),
    row("2026-02-05", 10, "2026-02-15", unit=CD, roll=False, id="calendar-10d-spring-festival-no-roll"),

    # ---- start-day convention on a working day and on a weekend ----------------------------------
    # 03-06 Fri exclude → 03-09 M(1) 03-10 Tu(2) 03-11 W(3)
    row("2026-03-06", 3, "2026-03-11", id="convention-exclude-working-start"),
    # 03-06 Fri include → 03-06 F(1) 03-09 M(2) 03-10 Tu(3)
    row("2026-03-06", 3, "2026-03-10", conv=IN, id="convention-include-working-start"),
    # 03-07 Sat exclude → 03-09 M(1) 03-10(2) 03-11(3)
    row("2026-03-07", 3, "2026-03-11", id="convention-exclude-weekend-start"),
    # 03-07 Sat include: Saturday does not count → same as exclude
    row("2026-03-07", 3, "2026-03-11", conv=IN, id="convention-include-weekend-start"),

    # ---- zero-day limits (on-the-spot): the start day itself -------------------------------------
    row("2026-03-06", 0, "2026-03-06", id="zero-days-exclude"),
    row("2026-03-06", 0, "2026-03-06", conv=IN, id="zero-days-include"),
    row("2026-02-14", 0, "2026-02-14", id="zero-days-on-make-up-saturday"),

    # ---- 2024 / 2025 ---------------------------------------------------------------------------
    # 2024 Spring Festival 02-10..02-17, make-up Sun 02-04 and Sun 02-18:
    # 02-08 Th → 02-09 F(1) [02-10..02-17] 02-18 Sun make-up(2) 02-19 M(3)
    row("2024-02-08", 3, "2024-02-19", id="2024-spring-festival-sunday-make-up"),
    # leap year: 02-28 W → 02-29 Th(1) 03-01 F(2)
    row("2024-02-28", 2, "2024-03-01", id="2024-leap-day"),
    # 2024 National Day 10-01..10-07, make-up Sun 09-29: 09-27 F → 09-28 Sa (no) 09-29 Su mk(1)
    # 09-30 M(2) [10-01..10-07] 10-08 Tu(3)
    row("2024-09-27", 3, "2024-10-08", id="2024-national-day"),
    # 2024 Labour Day 05-01..05-05: 04-30 Tu → 05-06 M(1) 05-07 Tu(2)
    row("2024-04-30", 2, "2024-05-07", id="2024-labour-day"),
    # 2025 Spring Festival 01-28..02-04, make-up Sun 01-26: 01-24 F → 01-25 Sa (no) 01-26 Su mk(1)
    # 01-27 M(2) [01-28..02-04] 02-05 W(3)
    row("2025-01-24", 3, "2025-02-05", id="2025-spring-festival"),
    # 2025 National Day + Mid-Autumn 10-01..10-08, make-up Sat 10-11: 09-30 Tu → 10-09 Th(1)
    # 10-10 F(2) 10-11 Sa mk(3)
    row("2025-09-30", 3, "2025-10-11", id="2025-national-day-make-up-saturday"),
    # 2025 Labour Day 05-01..05-05: 04-30 W → 05-06 Tu(1)
    row("2025-04-30", 1, "2025-05-06", id="2025-labour-day"),
]


@pytest.mark.parametrize("start, n, unit, conv, pauses, roll, extend, expected", TABLE)
def test_deadline_table(start, n, unit, conv, pauses, roll, extend, expected):
    limit = Limit(n, unit).plus(extend)
    got = deadline(CAL, start, limit, pauses, conv, roll_calendar_days=roll)
    assert got == expected
    if expected is not None:
        # provisional exactly when a year outside 2004..2026 is touched
        touches_unofficial = any(y not in range(2004, 2027) for y in range(start.year, expected.year + 1))
        assert CAL.provisional_between(start, expected) is touches_unofficial


def test_table_is_large_enough():
    assert len(TABLE) >= 40


@pytest.mark.parametrize("start, n, unit, conv, pauses, roll, extend, expected", [
    p for p in TABLE
    if p.values[2] == WD and p.values[3] == EX and not p.values[4] and p.values[7] is not None
    and 2004 <= p.values[0].year and p.values[7].year <= 2026 and cc_is_workday(p.values[0])])
def test_table_agrees_with_chinese_calendar_find_workday(start, n, unit, conv, pauses, roll, extend, expected):
    # find_workday(n, d) is "the n-th working day after d" only when d itself is a working day
    assert find_workday(n + extend, start) == expected


def test_provisional_flags():
    assert CAL.provisional_between(D("2026-12-25"), D("2027-01-04")) is True
    assert CAL.provisional_between(D("2026-02-10"), D("2026-03-16")) is False
    assert CAL.provisional_between(D("2026-09-30"), D("2026-10-13")) is False
    assert CAL.provisional_between(D("2004-01-01"), D("2026-12-31")) is False
    assert CAL.is_provisional(D("2027-01-01")) and not CAL.is_provisional(D("2026-12-31"))
    # in a provisional year the fixed-date holidays are non-working, the lunar ones unknown
    for d in ("2027-01-01", "2027-05-01", "2027-05-02", "2027-10-01", "2027-10-02", "2027-10-03"):
        assert not CAL.is_workday(D(d)), d
    assert CAL.is_workday(D("2027-02-08"))          # a Monday; Spring Festival 2027 not yet known
    # official-year facts straight from the notice
    for d in ("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"):
        assert CAL.is_workday(D(d)), d
    for d in ("2026-01-02", "2026-02-16", "2026-02-23", "2026-04-06", "2026-05-05", "2026-06-19",
              "2026-09-25", "2026-10-07"):
        assert not CAL.is_workday(D(d)), d


# ---- due instant -----------------------------------------------------------------------------

def test_due_instant_is_next_midnight_in_shanghai():
    at = due_instant(D("2026-10-13"))
    assert at == datetime(2026, 10, 14, 0, 0, tzinfo=SHANGHAI)
    assert at.tzinfo is not None and at.utcoffset() == timedelta(hours=8)
    assert str(at.tzinfo) == "Asia/Shanghai"
    # the exact instant: 16:00 UTC on the due day
    assert at.astimezone(timezone.utc) == datetime(2026, 10, 13, 16, 0, tzinfo=timezone.utc)
    # the last microsecond before it is still on the due day, the instant itself is the next day
    assert local_date(at - timedelta(microseconds=1)) == D("2026-10-13")
    assert local_date(at) == D("2026-10-14")


def test_due_instant_across_year_end():
    at = due_instant(D("2026-12-31"))
    assert at == datetime(2027, 1, 1, tzinfo=SHANGHAI)
    assert at.astimezone(timezone.utc) == datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc)


# ---- remaining working days --------------------------------------------------------------------

@pytest.mark.parametrize("today, due, expected", [
    # 09-30(1) 10-08(2) 10-09(3) 10-10 Sa mk(4) 10-12(5) 10-13(6)
    ("2026-09-30", "2026-10-13", 6),
    ("2026-10-13", "2026-10-13", 1),          # the due day itself counts
    ("2026-10-14", "2026-10-13", 0),          # passed
    ("2026-10-03", "2026-10-09", 2),          # from inside the holiday: 10-08(1) 10-09(2)
    ("2026-02-13", "2026-02-24", 3),          # 02-13 F(1) 02-14 Sa mk(2) [holiday] 02-24 Tu(3)
    ("2026-02-11", "2026-03-16", 20),         # days 1..20 of the 20-wd limit from 02-10, today incl.
    ("2026-02-24", "2026-03-16", 16),         # days 5..20: 02-11..02-14 (4 days) are used
    ("2026-12-30", "2027-01-04", 3),          # 12-30(1) 12-31(2) [01-01..01-03] 01-04(3)
])
def test_remaining_workdays(today, due, expected):
    assert remaining_workdays(CAL, D(today), D(due)) == expected


# ---- yellow card -----------------------------------------------------------------------------

def test_yellow_threshold_one_is_the_due_day():
    assert yellow_from(CAL, D("2026-10-13"), Limit(5)) == D("2026-10-13")
    assert yellow_from(CAL, D("2026-10-13"), Limit(5), yellow_workdays=0) == D("2026-10-13")  # clamped to 1


def test_yellow_threshold_three_across_a_weekend():
    # due 03-10 Tue: 2 working days before → 03-09 M, 03-06 F
    assert yellow_from(CAL, D("2026-03-10"), Limit(20), yellow_workdays=3) == D("2026-03-06")
    assert remaining_workdays(CAL, D("2026-03-06"), D("2026-03-10")) == 3


def test_yellow_threshold_three_across_national_day():
    # due 10-09 Fri: 10-08 Th, then back over 10-07..10-01 to 09-30 W
    assert yellow_from(CAL, D("2026-10-09"), Limit(20), yellow_workdays=3) == D("2026-09-30")
    assert remaining_workdays(CAL, D("2026-09-30"), D("2026-10-09")) == 3


def test_yellow_threshold_two_lands_on_make_up_saturday():
    # due 02-24 Tue: previous working day is make-up Saturday 02-14 (02-15..02-23 holiday)
    assert yellow_from(CAL, D("2026-02-24"), Limit(20), yellow_workdays=2) == D("2026-02-14")


def test_yellow_share_of_twenty_day_limit():
    # share 0.2 of 20 = 4 working days left: due 03-16 M → 03-13 F, 03-12 Th, 03-11 W
    assert yellow_from(CAL, D("2026-03-16"), Limit(20), yellow_share=0.2) == D("2026-03-11")
    assert remaining_workdays(CAL, D("2026-03-11"), D("2026-03-16")) == 4
    # the larger of share and workdays wins: max(5, ceil(20 * 0.1) = 2) = 5 → 03-10 Tu
    assert yellow_from(CAL, D("2026-03-16"), Limit(20), yellow_workdays=5, yellow_share=0.1) == D("2026-03-10")
    # share of an extended limit: 0.2 of 30 = 6 → 03-30 M back 5: 03-27 F 03-26 03-25 03-24 03-23 M
    assert yellow_from(CAL, D("2026-03-30"), Limit(20).plus(10), yellow_share=0.2) == D("2026-03-23")


# ---- unknown years ---------------------------------------------------------------------------

def test_unknown_years_never_crash_and_are_provisional():
    # 2035 (no notice): 09-28 Fri → [10-01 M, 10-02 Tu, 10-03 W fixed holidays] 10-04 Th(1)
    # 10-05 F(2) 10-08 M(3)
    got = deadline(CAL, D("2035-09-28"), Limit(3))
    assert got == D("2035-10-08")
    assert CAL.provisional_between(D("2035-09-28"), got)
    # 2003 (before the package data, after FIRST_YEAR 2000): 04-30 W → [05-01 Th, 05-02 F fixed]
    # 05-05 M(1) 05-06 Tu(2)
    got = deadline(CAL, D("2003-04-30"), Limit(2))
    assert got == D("2003-05-06")
    assert CAL.provisional_between(D("2003-04-30"), got)
    # 2003 → official 2004: 12-31 W → [2004-01-01 Th holiday] 01-02 F(1) 01-05 M(2)
    got = deadline(CAL, D("2003-12-31"), Limit(2))
    assert got == D("2004-01-05")
    assert CAL.provisional_between(D("2003-12-31"), got)
    # far past the precomputed horizon: 2060-01-01 Thu (fixed holiday) → 01-02 F(1)
    assert deadline(CAL, D("2060-01-01"), Limit(1)) == D("2060-01-02")
    assert deadline(CAL, D("2060-01-01"), Limit(10, CALENDAR_DAY)) == D("2060-01-12")  # 01-11 Sun → M
    assert remaining_workdays(CAL, D("2060-01-01"), D("2060-01-09")) == 6
    # a huge limit also extends the table instead of failing
    assert deadline(CAL, D("2026-01-05"), Limit(10_000)) > D("2060-01-01")


def test_dates_before_first_year_are_rejected_cleanly():
    with pytest.raises(ValueError):
        deadline(CAL, D("1999-12-30"), Limit(1))


# The first supported day, 2000-01-01, works as a start with include_start and as `today` in
# remaining_workdays, although both count from the day before it (the table starts a day early).
# Expected values: 2000-01-01 Sat (fixed holiday, not counted), 01-02 Sun → 01-03 Mon(1);
# remaining from 2000-01-01 through 01-05 Wed: 01-03 M(1) 01-04 Tu(2) 01-05 W(3).
def test_first_supported_day_with_include_start_and_remaining_workdays():
    assert deadline(CAL, D("2000-01-01"), Limit(1), (), INCLUDE_START) == D("2000-01-03")
    assert remaining_workdays(CAL, D("2000-01-01"), D("2000-01-05")) == 3



# Policy: a zero-day limit is an on-the-spot item (即办件): it is due the day it is accepted,
# even a non-working day (365-day halls), and is not rolled.
def test_zero_day_limit_is_due_the_same_day():
    assert deadline(CAL, D("2026-03-08"), Limit(1, CALENDAR_DAY), (), INCLUDE_START) == D("2026-03-09")
    assert deadline(CAL, D("2026-03-07"), Limit(0, CALENDAR_DAY)) == D("2026-03-07")
    assert deadline(CAL, D("2026-03-07"), Limit(0)) == D("2026-03-07")


def test_calendar_matches_chinese_calendar_every_day_2004_2026():
    d = date(2004, 1, 1)
    while d <= date(2026, 12, 31):
        assert CAL.is_workday(d) == cc_is_workday(d), d
        d += ONE


# ---- property tests --------------------------------------------------------------------------

DATES = st.dates(date(2004, 1, 1), date(2030, 12, 31))
NS = st.integers(0, 60)
UNITS = st.sampled_from([WD, CD])
CONVS = st.sampled_from([EX, IN])
PROPS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def pauses_near(draw, start, allow_open=True):
    spans = []
    for _ in range(draw(st.integers(0, 3))):
        s = start + timedelta(days=draw(st.integers(-10, 90)))
        if allow_open and draw(st.integers(0, 9)) == 0:
            spans.append(Span(s, None))
        else:
            spans.append(Span(s, s + timedelta(days=draw(st.integers(-2, 30)))))   # incl. empty/invalid
    return spans


@st.composite
def cases(draw, allow_open=True):
    start = draw(DATES)
    return start, draw(NS), draw(UNITS), draw(CONVS), draw(pauses_near(start, allow_open)), draw(st.booleans())


def naive_deadline(cal, start, n, unit, pauses, conv, roll):
    """Day-by-day reference model of the documented semantics."""
    if n == 0:
        return start
    live = [p for p in pauses if p.end is None or p.end > p.start]
    d = start if conv == EX else start - ONE
    counted = 0
    while counted < n:
        d += ONE
        hit = [p for p in live if p.start <= d and (p.end is None or d < p.end)]
        if hit:
            if any(p.end is None for p in hit):
                return None
            continue
        if unit == CD or cal.is_workday(d):
            counted += 1
    if unit == CD and roll:
        while not cal.is_workday(d):
            d += ONE
    return d


@PROPS
@given(cases())
def test_prop_matches_day_by_day_model(case):
    start, n, unit, conv, pauses, roll = case
    assert deadline(CAL, start, Limit(n, unit), pauses, conv, roll) == \
        naive_deadline(CAL, start, n, unit, pauses, conv, roll)


@PROPS
@given(cases())
def test_prop_a_pause_never_shortens(case):
    start, n, unit, conv, pauses, roll = case
    plain = deadline(CAL, start, Limit(n, unit), (), conv, roll)
    paused = deadline(CAL, start, Limit(n, unit), pauses, conv, roll)
    assert plain is not None
    assert paused is None or paused >= plain


@PROPS
@given(cases())
def test_prop_b_monotone_in_n(case):
    start, n, unit, conv, pauses, roll = case
    a = deadline(CAL, start, Limit(n, unit), pauses, conv, roll)
    b = deadline(CAL, start, Limit(n + 1, unit), pauses, conv, roll)
    # None = clock stopped = later than any date
    assert b is None or (a is not None and b >= a)
    if unit == WD and conv == EX and not pauses:
        assert b > a


@PROPS
@given(DATES, st.integers(1, 60), CONVS, st.data())
def test_prop_c_workday_result_is_a_working_day_at_count_n(start, n, conv, data):
    got = deadline(CAL, start, Limit(n), (), conv)
    assert CAL.is_workday(got)
    counted_from = start if conv == EX else start - ONE    # include: the start day counts if working
    assert CAL.count(counted_from, got) == n
    assert got > start or (conv == IN and got == start and n == 1)
    # with pauses the result (when there is one) is still a working day
    paused = deadline(CAL, start, Limit(n), data.draw(pauses_near(start)), conv)
    assert paused is None or CAL.is_workday(paused)


@PROPS
@given(DATES, st.integers(1, 60), st.data())
def test_prop_d_pause_inside_shifts_by_its_working_days(start, n, data):
    plain = deadline(CAL, start, Limit(n))
    span = (plain - start).days
    assume(span >= 2)
    ps = start + timedelta(days=data.draw(st.integers(1, span - 1)))
    pe = ps + timedelta(days=data.draw(st.integers(1, (plain - ps).days)))     # ps < pe <= plain
    paused_workdays = CAL.count(ps - ONE, pe - ONE)                            # ps <= d < pe
    got = deadline(CAL, start, Limit(n), [Span(ps, pe)])
    assert got == CAL.add_workdays(plain, paused_workdays)
    assert CAL.count(plain, got) == paused_workdays


# A second calendar in which a 2027 notice has been loaded that only ADDS holidays on top of the
# provisional ones (fixed-date holidays + an invented Spring Festival and Qingming).
FIXED_2027 = ["2027-01-01", "2027-05-01", "2027-05-02", "2027-10-01", "2027-10-02", "2027-10-03"]
EXTRA_2027 = ([D("2027-02-06") + timedelta(days=i) for i in range(8)]     # 02-06 Sa .. 02-13 Sa
              + [D("2027-04-05"), D("2027-10-04"), D("2027-10-05"), D("2027-10-06"), D("2027-10-07")])
HOLIDAYS_ONLY_2027 = [DayRule(D(d), False, "fixed") for d in FIXED_2027] + \
                     [DayRule(d, False, "notice 2027") for d in EXTRA_2027]
CAL_2027 = WorkCalendar(RULES + HOLIDAYS_ONLY_2027, range(2004, 2028), version=2)
# the same notice with a make-up working Sunday 2027-02-14
CAL_2027_MAKEUP = WorkCalendar(RULES + HOLIDAYS_ONLY_2027 + [DayRule(D("2027-02-14"), True, "make-up")],
                               range(2004, 2028), version=3)


@PROPS
@given(st.dates(date(2027, 1, 1), date(2027, 12, 31)), NS, UNITS, CONVS, st.booleans(), st.data())
def test_prop_e_loading_a_holidays_only_notice_never_moves_a_deadline_earlier(start, n, unit, conv, roll, data):
    pauses = data.draw(pauses_near(start))
    before = deadline(CAL, start, Limit(n, unit), pauses, conv, roll)
    after = deadline(CAL_2027, start, Limit(n, unit), pauses, conv, roll)
    if before is None:
        assert after is None
    else:
        assert after is None or after >= before
    assert not CAL_2027.provisional_between(start, start) and CAL.provisional_between(start, start)


def test_make_up_days_can_move_a_deadline_earlier():
    # Make-up working days CAN move dates earlier than the provisional estimate, which is why the
    # service records an audit event for every deadline change when a notice is loaded
    # (docs/time-limits.md#yearly-notices-and-provisional-years: never shorten a promise already given
    # without a record).
    # 2027-02-13 Sat, 1 wd: provisional → 02-14 Su (no) → 02-15 M; with the make-up Sunday → 02-14
    start = D("2027-02-13")
    assert deadline(CAL, start, Limit(1)) == D("2027-02-15")
    assert deadline(CAL_2027, start, Limit(1)) == D("2027-02-15")
    assert deadline(CAL_2027_MAKEUP, start, Limit(1)) == D("2027-02-14")
    # and the holidays-only notice moves dates later: 02-05 Fri, 1 wd → provisional 02-08 M,
    # official 02-15 M (02-06..02-13 holiday, 02-14 Sunday), with make-up 02-14 Su
    assert deadline(CAL, D("2027-02-05"), Limit(1)) == D("2027-02-08")
    assert deadline(CAL_2027, D("2027-02-05"), Limit(1)) == D("2027-02-15")
    assert deadline(CAL_2027_MAKEUP, D("2027-02-05"), Limit(1)) == D("2027-02-14")


@PROPS
@given(DATES, st.integers(1, 60), st.integers(1, 12))
def test_prop_yellow_from_leaves_exactly_threshold_working_days(start, n, k):
    due = deadline(CAL, start, Limit(n))
    y = yellow_from(CAL, due, Limit(n), yellow_workdays=k)
    assert CAL.is_workday(y) and y <= due
    assert remaining_workdays(CAL, y, due) == k
    # the working day before the yellow day still had k + 1 left
    prev = y - ONE
    while not CAL.is_workday(prev):
        prev -= ONE
    assert remaining_workdays(CAL, prev, due) == k + 1


def test_working_days_left_to_a_due_instant():
    from datetime import datetime, timezone

    from engine.domain.calendar import WorkCalendar
    from engine.domain.deadlines import working_days_left
    cal = WorkCalendar()
    friday = date(2026, 11, 27)
    monday_deadline = datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)      # Tuesday 00:00 in China
    assert working_days_left(cal, friday, monday_deadline) == 1
    assert working_days_left(cal, date(2026, 11, 30), monday_deadline) == 0
    assert working_days_left(cal, date(2026, 12, 2), monday_deadline) == -2
    assert working_days_left(cal, date(2026, 12, 1), monday_deadline) == -1
    assert working_days_left(cal, date(2026, 11, 28), datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)) == -1
    assert working_days_left(cal, friday, None) is None


# --- deemed receipt (issue 14): what arrives on a non-working day counts from the next working day

def test_a_saturday_receipt_is_deemed_received_on_monday_and_monday_is_not_counted():
    from engine.domain.deadlines import AS_RECEIVED, NEXT_WORKDAY, deemed_day
    saturday = D("2024-03-16")
    assert deemed_day(CAL, saturday) == D("2024-03-18")
    assert deadline(CAL, deemed_day(CAL, saturday), Limit(7)) == D("2024-03-27") == find_workday(7, saturday)
    assert deemed_day(CAL, saturday, AS_RECEIVED) == saturday              # the old reading, configurable
    assert deemed_day(CAL, D("2024-03-15"), NEXT_WORKDAY) == D("2024-03-15")   # a working day stays
    assert deemed_day(CAL, D("2026-10-01")) == D("2026-10-08")              # National Day week
    assert deemed_day(CAL, D("2026-10-10")) == D("2026-10-10")              # a make-up Saturday is a working day
    with pytest.raises(ValueError):
        deemed_day(CAL, saturday, "nope")


def test_after_the_hall_closed_a_receipt_counts_from_the_next_working_day():
    from engine.domain.clock import SHANGHAI
    from engine.domain.deadlines import AS_RECEIVED, after_closing, closing_time, deemed_day
    friday = D("2024-03-15")
    assert deemed_day(CAL, friday, after_hours=True) == D("2024-03-18")         # over the weekend
    assert deemed_day(CAL, D("2024-03-13"), after_hours=True) == D("2024-03-14")
    assert deemed_day(CAL, D("2024-03-16"), after_hours=True) == D("2024-03-18")  # Saturday night: Monday still
    assert deemed_day(CAL, D("2026-09-30"), after_hours=True) == D("2026-10-08")  # the eve of National Day
    assert deemed_day(CAL, friday, AS_RECEIVED, after_hours=True) == friday
    assert closing_time("17:30").hour == 17 and closing_time("00:00").minute == 0
    for bad in ("5:30", "24:00", "17:60", "17.30", "1730 ", "", "ab:cd", "1\u0663:30", "17:30\n"):
        with pytest.raises(ValueError):
            closing_time(bad)
    at = datetime(2024, 3, 15, 17, 30, tzinfo=SHANGHAI)
    assert after_closing(at, "17:30") and not after_closing(at, "18:00") and not after_closing(at, None)
    assert after_closing(at.astimezone(timezone.utc), "17:30")                  # read in Beijing time


@PROPS
@given(st.dates(date(2004, 1, 1), date(2026, 10, 31)), st.integers(1, 40))
def test_prop_deemed_receipt_agrees_with_chinese_calendar_find_workday(start, n):
    from engine.domain.deadlines import deemed_day
    assert deadline(CAL, deemed_day(CAL, start), Limit(n)) == find_workday(n, start)
