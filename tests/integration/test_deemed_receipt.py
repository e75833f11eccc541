"""Deemed receipt (issue 14): a case received and accepted on a Saturday counts from Monday, the
deemed days are recorded on the case, and the rule is configurable (as_received keeps the day)."""
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.domain.clock import as_utc
from engine.domain.errors import ValidationError
from engine.services import org_admin, time_limits
from engine.store.models import Window
from tests.conftest import staff
from tests.integration.test_case_flow import start_food
from tests.integration.test_clock import bj, case_row, events, walk_to_acceptance


def test_a_saturday_receipt_and_acceptance_count_from_monday(demo, clock):
    ctx = demo
    clock.advance(timedelta(days=1))                    # Saturday 2026-11-28, 09:00 Beijing
    case_id = start_food(ctx).case_id
    row = case_row(ctx, case_id)
    assert (row.receipt_rule, str(row.deemed_received_on)) == ("next_workday", "2026-11-30")
    assert as_utc(row.acceptance_due) == bj(2026, 12, 8)            # 5 working days after Mon 11-30
    walk_to_acceptance(ctx)                                         # accepted that Saturday too
    row = case_row(ctx, case_id)
    assert str(row.deemed_accepted_on) == "2026-11-30"
    # promise 10 / legal 20 working days, Monday itself not counted: Mon 12-14 and Mon 12-28
    assert as_utc(row.promise_due) == bj(2026, 12, 15) and as_utc(row.legal_due) == bj(2026, 12, 29)
    [accepted] = events(ctx, case_id, "case_accepted")
    assert accepted.payload["deemed_accepted_on"] == "2026-11-30"
    assert events(ctx, case_id, "case_started")[0].payload["deemed_received_on"] == "2026-11-30"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)     # the rule does not depend on the database
def test_as_received_counts_from_the_day_itself(demo, clock, monkeypatch):
    ctx = demo
    monkeypatch.setattr(ctx, "settings", replace(ctx.settings, receipt_rule="as_received"))
    clock.advance(timedelta(days=1))
    case_id = start_food(ctx).case_id
    walk_to_acceptance(ctx)
    row = case_row(ctx, case_id)
    assert (row.receipt_rule, row.deemed_received_on, row.deemed_accepted_on) == ("as_received", None, None)
    assert as_utc(row.promise_due) == bj(2026, 12, 12)              # Fri 12-11: the old reading


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)     # the rule does not depend on the database
def test_a_working_day_receipt_is_not_moved(demo):
    row = case_row(demo, start_food(demo).case_id)                  # Friday 2026-11-27
    assert (row.receipt_rule, row.deemed_received_on) == ("next_workday", None)


def hall_of(ctx, window_code: str) -> int:
    with ctx.uow.read() as tx:
        return tx.conn.execute(select(Window.hall_id).where(Window.code == window_code)).scalar_one()


def close_hall_of(ctx, window_code: str, closes_at) -> None:
    """Give the hall of `window_code` a closing time (the simple form), as an administrator does."""
    org_admin.update_hall(ctx, staff(ctx, "admin"), hall_of(ctx, window_code), {"closes_at": closes_at})


WEEK = [1, 2, 3, 4, 5]
# 夏季/冬季作息 with a lunch break, and Saturday mornings (周六不打烊)
SCHEDULE = [
    {"name": "夏季", "from": "05-01", "to": "09-30", "days": [
        {"weekdays": WEEK, "opens": "09:00", "closes": "18:00", "lunch": {"from": "12:00", "to": "14:00"}},
        {"weekdays": [6], "opens": "09:00", "closes": "12:00"}]},
    {"name": "冬季", "from": "10-01", "to": "04-30", "days": [
        {"weekdays": WEEK, "opens": "09:00", "closes": "17:30", "lunch": {"from": "12:00", "to": "13:30"}},
        {"weekdays": [6], "opens": "09:00", "closes": "12:00"}]}]


def schedule_hall_of(ctx, window_code: str, hours=SCHEDULE) -> None:
    org_admin.update_hall(ctx, staff(ctx, "admin"), hall_of(ctx, window_code), {"hours": hours})


def received(ctx, at):
    ctx.clock.set(at)
    case_id = start_food(ctx).case_id
    return case_id, case_row(ctx, case_id)


def test_17_45_is_after_closing_in_winter_but_within_hours_in_summer(demo):
    ctx = demo
    schedule_hall_of(ctx, "ZCZ-QS-W01")
    case_id, winter = received(ctx, bj(2026, 11, 27, 17, 45))              # Friday, 冬季 closes 17:30
    assert str(winter.deemed_received_on) == "2026-11-30"                   # Monday
    assert winter.receipt_hours == {
        "verdict": "after_closing", "weekday": 5, "next_day": True,
        "season": {"name": "冬季", "from": "10-01", "to": "04-30"},
        "rule": {"weekdays": WEEK, "opens": "09:00", "closes": "17:30", "lunch": {"from": "12:00", "to": "13:30"}}}
    assert as_utc(winter.acceptance_due) == bj(2026, 12, 8)                 # 5 working days after Mon 11-30
    assert events(ctx, case_id, "case_started")[0].payload["deemed_received_on"] == "2026-11-30"
    _, summer = received(ctx, bj(2026, 9, 15, 17, 45))                     # Tuesday, 夏季 closes 18:00
    assert summer.deemed_received_on is None
    assert (summer.receipt_hours["verdict"], summer.receipt_hours["season"]["name"]) == ("open", "夏季")
    _, closing = received(ctx, bj(2026, 9, 15, 18, 0))                     # at the closing minute: closed
    assert (str(closing.deemed_received_on), closing.receipt_hours["verdict"]) == ("2026-09-16", "after_closing")


def test_lunch_and_before_opening_stay_on_the_day(demo):
    """The application waits for the hall within its day: the lunch break and the early morning do
    not move it (only the end of the day does)."""
    ctx = demo
    schedule_hall_of(ctx, "ZCZ-QS-W01")
    for at, verdict in ((bj(2026, 11, 27, 12, 0), "lunch"), (bj(2026, 11, 27, 13, 29), "lunch"),
                        (bj(2026, 11, 27, 13, 30), "open"), (bj(2026, 11, 27, 7, 10), "before_opening"),
                        (bj(2026, 11, 27, 11, 59), "open")):
        _, row = received(ctx, at)
        assert (row.receipt_hours["verdict"], row.deemed_received_on) == (verdict, None), at
        assert row.receipt_hours["next_day"] is False
        assert as_utc(row.acceptance_due) == bj(2026, 12, 5)                # 5 working days after Fri 11-27


def test_a_served_saturday_is_still_not_a_working_day(demo):
    """周六不打烊: the hall receives on Saturday morning, but Saturday is no working day for time
    limits: what it receives counts from Monday, and the case says the hall was open."""
    ctx = demo
    schedule_hall_of(ctx, "ZCZ-QS-W01")
    case_id, row = received(ctx, bj(2026, 11, 28, 10, 0))
    assert str(row.deemed_received_on) == "2026-11-30"
    assert row.receipt_hours == {"verdict": "rest_day", "weekday": 6, "next_day": False,
                                 "season": {"name": "冬季", "from": "10-01", "to": "04-30"},
                                 "rule": {"weekdays": [6], "opens": "09:00", "closes": "12:00"}}
    walk_to_acceptance(ctx)                                         # accepted that Saturday too
    row = case_row(ctx, case_id)
    assert str(row.deemed_accepted_on) == "2026-11-30"
    assert as_utc(row.promise_due) == bj(2026, 12, 15)              # 10 working days after Monday 11-30


def test_a_working_day_the_hall_does_not_open_moves_to_the_next_working_day(demo):
    ctx = demo
    only_monday = [{"from": "01-01", "to": "12-31",
                    "days": [{"weekdays": [1], "opens": "09:00", "closes": "17:00"}]}]
    schedule_hall_of(ctx, "ZCZ-QS-W01", only_monday)
    _, row = received(ctx, bj(2026, 11, 27, 10, 0))                # Friday: closed all day
    assert (row.receipt_hours["verdict"], str(row.deemed_received_on)) == ("closed_day", "2026-11-30")


def test_a_receipt_after_the_hall_closed_counts_from_the_next_working_day(demo, clock):
    """The simple form: one closing time for every working day."""
    ctx = demo
    close_hall_of(ctx, "ZCZ-QS-W01", "17:30")
    clock.advance(timedelta(hours=8, minutes=29))                   # Friday 2026-11-27 17:29 Beijing
    in_hours = case_row(ctx, start_food(ctx).case_id)
    assert (in_hours.receipt_hours["closes_at"], in_hours.deemed_received_on) == ("17:30", None)
    clock.advance(timedelta(minutes=1))                             # 17:30: closed
    case_id = start_food(ctx).case_id
    row = case_row(ctx, case_id)
    assert row.receipt_hours == {"verdict": "after_closing", "weekday": 5, "next_day": True, "closes_at": "17:30"}
    assert str(row.deemed_received_on) == "2026-11-30"
    assert as_utc(row.acceptance_due) == bj(2026, 12, 8)            # 5 working days after Mon 11-30
    assert events(ctx, case_id, "case_started")[0].payload["deemed_received_on"] == "2026-11-30"
    # changing the hall's hours later moves nothing already received
    close_hall_of(ctx, "ZCZ-QS-W01", None)
    assert case_row(ctx, case_id).receipt_hours["closes_at"] == "17:30"
    later = case_row(ctx, start_food(ctx).case_id)
    assert (later.deemed_received_on, later.receipt_hours) == (None, None)     # no hours at all now
    schedule_hall_of(ctx, "ZCZ-QS-W01")
    assert case_row(ctx, case_id).receipt_hours["closes_at"] == "17:30"


def test_a_clerks_acceptance_after_hours_is_not_moved_but_deemed_acceptance_is(demo, clock):
    """The hall's hours are about what reaches the hall: a clerk who accepts at 19:00 accepted that
    day; Art. 32's deemed acceptance is dated at receipt, so it gets receipt's deemed day."""
    ctx = demo
    schedule_hall_of(ctx, "ZCZ-QS-W01")
    clock.advance(timedelta(hours=10))                              # Friday 19:00 Beijing
    accepted = start_food(ctx).case_id
    walk_to_acceptance(ctx)
    row = case_row(ctx, accepted)
    assert str(row.deemed_received_on) == "2026-11-30" and row.deemed_accepted_on is None
    assert as_utc(row.promise_due) == bj(2026, 12, 12)             # 10 working days after Friday 11-27
    deemed = start_food(ctx).case_id
    clock.advance(timedelta(days=12))                               # past the 5-day correction window
    assert time_limits.fire_due(ctx) >= 1
    row = case_row(ctx, deemed)
    assert row.deemed_accepted and str(row.deemed_accepted_on) == "2026-11-30"
    assert as_utc(row.promise_due) == bj(2026, 12, 15)             # 10 working days after Monday 11-30


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)     # checked before any database work
def test_a_closing_time_and_a_schedule_are_checked_with_the_field_path(demo):
    hall_id = hall_of(demo, "ZCZ-QS-W01")
    admin = staff(demo, "admin")
    for bad in ("5:30", "24:00", "17:60", "17.30", "noon", "1\u0663:30"):
        with pytest.raises(ValidationError) as err:
            org_admin.update_hall(demo, admin, hall_id, {"closes_at": bad})
        assert (err.value.code, err.value.field) == ("org_value_invalid", "closes_at"), bad
    lunch_late = [{**SCHEDULE[0]}, {**SCHEDULE[1], "days": [{**SCHEDULE[1]["days"][0],
                                                              "lunch": {"from": "17:00", "to": "18:00"}}]}]
    for hours, code, field in (
            ([SCHEDULE[0]], "hours_seasons_gap", "hours"),
            ([SCHEDULE[0], {**SCHEDULE[1], "from": "09-30"}], "hours_seasons_overlap", "hours[1].from"),
            (lunch_late, "hours_lunch_outside", "hours[1].days[0].lunch.to"),
            ([{**SCHEDULE[0], "days": [{"weekdays": [1], "opens": "\uff10\uff19:00", "closes": "17:00"}]}, SCHEDULE[1]],
             "hours_time_invalid", "hours[0].days[0].opens"),
            ("09:00-17:00", "hours_invalid", "hours")):
        with pytest.raises(ValidationError) as err:
            org_admin.update_hall(demo, admin, hall_id, {"hours": hours})
        assert (err.value.code, err.value.field) == (code, field), hours
    with pytest.raises(ValidationError) as err:
        org_admin.update_hall(demo, admin, hall_id, {"hours": SCHEDULE, "closes_at": "17:30"})
    assert (err.value.code, err.value.field) == ("hours_conflict", "hours")
