"""A hall's opening hours (engine/domain/hall_hours.py): the checks of a schedule, each refused with
its field path; seasons that wrap over the new year; the verdict on a receipt around each boundary
and the day it is deemed received on (docs/time-limits.md#deemed-receipt)."""
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.domain import hall_hours as hh
from engine.domain.clock import SHANGHAI
from engine.domain.deadlines import deemed_day

WEEK = [1, 2, 3, 4, 5]
SUMMER = {"name": "夏季", "from": "05-01", "to": "09-30", "days": [
    {"weekdays": WEEK, "opens": "09:00", "closes": "18:00", "lunch": {"from": "12:00", "to": "14:00"}},
    {"weekdays": [6], "opens": "09:00", "closes": "12:00"}]}
WINTER = {"name": "冬季", "from": "10-01", "to": "04-30", "days": [
    {"weekdays": [1, 2, 3, 4], "opens": "08:30", "closes": "17:30", "lunch": {"from": "12:00", "to": "13:30"}},
    {"weekdays": [5], "opens": "08:30", "closes": "12:00"}]}
SCHEDULE, _ = hh.check([SUMMER, WINTER])


def bj(y, m, d, hh_=0, mm=0) -> datetime:
    return datetime(y, m, d, hh_, mm, tzinfo=SHANGHAI)


def problems(hours):
    schedule, found = hh.check(hours)
    assert schedule is None
    return [(p.path, p.code) for p in found]


def test_a_valid_schedule_is_kept_in_one_spelling():
    assert SCHEDULE is not None and not SCHEDULE.simple
    data = SCHEDULE.as_data()
    assert data[1]["days"][0] == {"weekdays": [1, 2, 3, 4], "opens": "08:30", "closes": "17:30",
                                  "lunch": {"from": "12:00", "to": "13:30"}}
    shuffled = [{**SUMMER, "days": [{**SUMMER["days"][0], "weekdays": [5, 4, 3, 2, 1]}, SUMMER["days"][1]]}, WINTER]
    assert hh.check(shuffled)[0].as_data() == data                    # weekdays sorted: an export reimports alike
    assert hh.check(data)[0] == SCHEDULE


def test_seasons_that_overlap_or_leave_a_gap_are_refused():
    assert problems([SUMMER, {**WINTER, "from": "09-30"}]) == [("hours[1].from", "hours_seasons_overlap")]
    assert problems([SUMMER, {**WINTER, "to": "04-29"}]) == [("hours", "hours_seasons_gap")]
    assert problems([SUMMER]) == [("hours", "hours_seasons_gap")]
    whole_year = {"from": "01-01", "to": "12-31", "days": WINTER["days"]}
    assert hh.check([whole_year])[1] == []
    assert problems([whole_year, SUMMER]) == [("hours[1].from", "hours_seasons_overlap")]
    # 02-29 is a day of the year: a season ending 02-28 leaves it uncovered
    assert problems([{**whole_year, "from": "03-01", "to": "02-28"}]) == [("hours", "hours_seasons_gap")]
    assert hh.check([{**whole_year, "from": "03-01", "to": "02-29"}])[1] == []


def test_times_closes_before_opens_and_lunch_outside_the_hours_are_refused_with_their_path():
    def with_rule(**rule):
        return [SUMMER, {**WINTER, "days": [{"weekdays": WEEK, "opens": "09:00", "closes": "17:00", **rule}]}]
    assert problems(with_rule(closes="09:00")) == [("hours[1].days[0].closes", "hours_closes_before_opens")]
    assert problems(with_rule(closes="08:00")) == [("hours[1].days[0].closes", "hours_closes_before_opens")]
    assert problems(with_rule(lunch={"from": "08:00", "to": "12:00"})) == [
        ("hours[1].days[0].lunch.from", "hours_lunch_outside")]
    assert problems(with_rule(lunch={"from": "12:00", "to": "17:00"})) == [
        ("hours[1].days[0].lunch.to", "hours_lunch_outside")]
    assert problems(with_rule(lunch={"from": "13:00", "to": "12:00"})) == [
        ("hours[1].days[0].lunch.to", "hours_lunch_outside")]
    assert problems(with_rule(lunch={"from": "12:00"})) == [("hours[1].days[0].lunch.to", "hours_invalid")]
    for bad in ("9:00", "24:00", "09:60", "09.00", "0900", "\uff10\uff19:00", "0\u0669:00", "09:00\n", 900, None):
        assert problems(with_rule(opens=bad)) == [("hours[1].days[0].opens", "hours_time_invalid"
                                                   if bad is not None else "hours_invalid")], bad
    assert problems(with_rule(lunch={"from": "12:00", "to": "1\u0663:30"})) == [
        ("hours[1].days[0].lunch.to", "hours_time_invalid")]


def test_the_shape_of_a_schedule_is_checked_with_the_path():
    assert problems("08:30-17:30") == [("hours", "hours_invalid")]
    assert problems([]) == [("hours", "hours_invalid")]
    assert problems([SUMMER, {**WINTER, "from": "04-31"}]) == [("hours[1].from", "hours_day_invalid")]
    assert problems([SUMMER, {**WINTER, "to": "4-30"}]) == [("hours[1].to", "hours_day_invalid")]
    assert problems([SUMMER, {**WINTER, "weather": "cold"}]) == [("hours[1].weather", "hours_invalid")]
    assert problems([SUMMER, {**WINTER, "days": [{"weekdays": [0, 8], "opens": "09:00", "closes": "17:00"}]}]) == [
        ("hours[1].days[0].weekdays", "hours_invalid")]
    assert problems([SUMMER, {**WINTER, "days": [{"weekdays": [True], "opens": "09:00", "closes": "17:00"}]}]) == [
        ("hours[1].days[0].weekdays", "hours_invalid")]
    repeated = {**WINTER, "days": [WINTER["days"][0], {"weekdays": [4, 5], "opens": "09:00", "closes": "12:00"}]}
    assert problems([SUMMER, repeated]) == [("hours[1].days[1].weekdays", "hours_weekday_repeated")]
    assert hh.check([SUMMER, repeated])[1][0].message.startswith("Thursday (weekday 4) already has a rule")   # English
    assert problems([SUMMER, {**WINTER, "name": "冬" * 21}]) == [("hours[1].name", "hours_invalid")]
    assert problems([SUMMER, "winter"]) == [("hours[1]", "hours_invalid")]
    assert problems([{"from": "01-01", "to": "12-31", "days": []}]) == [("hours[0].days", "hours_invalid")]
    assert problems([WINTER] * 13) == [("hours", "hours_invalid")]


def test_a_season_wraps_over_the_new_year():
    winter, summer = SCHEDULE.seasons[1], SCHEDULE.seasons[0]
    for day in (date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 1), date(2028, 2, 29), date(2027, 4, 30)):
        assert SCHEDULE.season_of(day) is winter, day
    for day in (date(2027, 5, 1), date(2027, 9, 30)):
        assert SCHEDULE.season_of(day) is summer, day


@pytest.mark.parametrize("at, verdict", [
    (bj(2026, 11, 26, 8, 29), hh.BEFORE_OPENING),            # Thursday, 冬季: 08:30–12:00, 13:30–17:30
    (bj(2026, 11, 26, 8, 30), hh.OPEN),
    (bj(2026, 11, 26, 11, 59), hh.OPEN),
    (bj(2026, 11, 26, 12, 0), hh.LUNCH),
    (bj(2026, 11, 26, 13, 29), hh.LUNCH),
    (bj(2026, 11, 26, 13, 30), hh.OPEN),
    (bj(2026, 11, 26, 17, 29), hh.OPEN),
    (bj(2026, 11, 26, 17, 30), hh.AFTER_CLOSING),
    (bj(2026, 11, 26, 23, 59), hh.AFTER_CLOSING),
    (bj(2026, 11, 27, 12, 0), hh.AFTER_CLOSING),             # Friday closes at noon
    (bj(2026, 9, 17, 17, 45), hh.OPEN),                      # 夏季 closes at 18:00
    (bj(2026, 9, 17, 18, 0), hh.AFTER_CLOSING),
    (bj(2026, 9, 17, 13, 45), hh.LUNCH),                     # 夏季 lunch until 14:00
])
def test_the_verdict_around_each_boundary(at, verdict):
    receipt = hh.receipt(SCHEDULE, at, workday=True)
    assert receipt.verdict == verdict
    assert receipt.next_day is (verdict == hh.AFTER_CLOSING)


def test_a_served_saturday_and_a_day_without_hours():
    saturday = hh.receipt(SCHEDULE, bj(2026, 9, 19, 10, 0), workday=False)          # 夏季 Saturday morning
    assert (saturday.verdict, saturday.next_day, saturday.rule.closes.hour) == (hh.REST_DAY, False, 12)
    assert saturday.record()["rule"] == {"weekdays": [6], "opens": "09:00", "closes": "12:00"}
    assert hh.receipt(SCHEDULE, bj(2026, 11, 28, 10, 0), workday=False).rule is None   # 冬季: not served
    # a make-up working Saturday keeps the season's weekday hours, not its Saturday morning
    makeup = hh.receipt(SCHEDULE, bj(2026, 9, 19, 15, 0), workday=True)
    assert (makeup.verdict, makeup.rule.weekdays) == (hh.OPEN, (1, 2, 3, 4, 5))
    only_monday, _ = hh.check([{"from": "01-01", "to": "12-31",
                                "days": [{"weekdays": [1], "opens": "09:00", "closes": "17:00"}]}])
    closed = hh.receipt(only_monday, bj(2026, 11, 25, 10, 0), workday=True)
    assert (closed.verdict, closed.next_day, closed.rule) == (hh.CLOSED_DAY, True, None)


def test_the_simple_form_is_one_closing_time_every_day():
    simple = hh.simple("17:30")
    assert simple.simple and simple.season_of(date(2027, 7, 1)) is not None
    assert hh.receipt(simple, bj(2026, 11, 26, 6, 0), True).verdict == hh.OPEN          # no opening time
    late = hh.receipt(simple, bj(2026, 11, 26, 17, 30), True)
    assert late.record() == {"verdict": "after_closing", "weekday": 4, "next_day": True, "closes_at": "17:30"}
    with pytest.raises(ValueError):
        hh.simple("1\u0663:30")


def test_the_deemed_day_around_each_boundary():
    from tests.unit.test_deadlines import CAL as cal

    def deemed(at):
        day = at.date()
        receipt = hh.receipt(SCHEDULE, at, cal.is_workday(day))
        return deemed_day(cal, day, after_hours=receipt.next_day)
    assert deemed(bj(2026, 11, 26, 8, 0)) == date(2026, 11, 26)          # before opening: the same day
    assert deemed(bj(2026, 11, 26, 12, 30)) == date(2026, 11, 26)        # lunch: the same day
    assert deemed(bj(2026, 11, 26, 17, 30)) == date(2026, 11, 27)        # after closing: the next working day
    assert deemed(bj(2026, 11, 27, 11, 59)) == date(2026, 11, 27)
    assert deemed(bj(2026, 11, 27, 12, 0)) == date(2026, 11, 30)         # Friday noon: Monday
    assert deemed(bj(2026, 9, 12, 10, 0)) == date(2026, 9, 14)           # a served Saturday: Monday
    assert deemed(bj(2026, 9, 19, 10, 0)) == date(2026, 9, 20)           # ... or a make-up working Sunday
    assert deemed(bj(2026, 9, 20, 17, 45)) == date(2026, 9, 20)          # which keeps the weekday hours
    assert deemed(bj(2026, 9, 30, 18, 0)) == date(2026, 10, 8)           # the eve of National Day
    assert deemed(bj(2026, 9, 30, 17, 59)) == date(2026, 9, 30)


def test_a_receipt_described_in_words():
    record = hh.receipt(SCHEDULE, bj(2026, 11, 26, 17, 45), True).record()
    assert hh.describe(record) == "after closing (08:30–12:00, 13:30–17:30, 冬季 10-01–04-30, Thursday)"
    assert hh.describe(record, "zh") == "下班后 (08:30–12:00, 13:30–17:30, 冬季 10-01–04-30, 周四)"
    assert hh.describe(hh.receipt(hh.simple("17:30"), bj(2026, 11, 26, 18, 0), True).record()) == \
        "after closing (closes 17:30, Thursday)"
    assert hh.describe(hh.receipt(hh.simple("17:30"), bj(2026, 11, 26, 18, 0), True).record(), "zh") == \
        "下班后 (下班时间 17:30, 周四)"
    assert hh.describe(None) == ""


def test_english_words_name_the_weekday_in_english_and_chinese_ones_in_chinese():
    assert [hh.weekday_name(w) for w in range(1, 8)] == [
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    assert [hh.weekday_name(w, "zh") for w in range(1, 8)] == ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
    saturday = hh.receipt(SCHEDULE, bj(2026, 11, 28, 10, 0), False).record()       # a rest day names its weekday too
    assert hh.describe(saturday).endswith("Saturday)") and "周" not in hh.describe(saturday)
    assert hh.describe(saturday, "zh").startswith("非工作日") and hh.describe(saturday, "zh").endswith("周六)")
    with pytest.raises(ValueError):
        hh.describe(saturday, "fr")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.datetimes(datetime(2024, 1, 1), datetime(2027, 12, 31)), st.booleans())
def test_prop_a_receipt_has_one_verdict_and_only_the_end_of_the_day_moves_it(naive, workday):
    at = naive.replace(tzinfo=SHANGHAI)
    receipt = hh.receipt(SCHEDULE, at, workday)
    assert receipt.verdict in hh.VERDICTS
    assert receipt.season is SCHEDULE.season_of(at.date())
    if receipt.next_day:
        assert workday and (receipt.rule is None or at.time() >= receipt.rule.closes)
    if receipt.verdict == hh.OPEN:
        rule = receipt.rule
        assert rule.opens <= at.time() < rule.closes
        assert rule.lunch is None or not rule.lunch[0] <= at.time() < rule.lunch[1]
    assert hh.receipt(SCHEDULE, at + timedelta(0), workday) == receipt
