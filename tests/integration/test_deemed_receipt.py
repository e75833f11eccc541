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


def close_hall_of(ctx, window_code: str, closes_at) -> None:
    """Give the hall of `window_code` a closing time, as an administrator does."""
    with ctx.uow.read() as tx:
        hall_id = tx.conn.execute(select(Window.hall_id).where(Window.code == window_code)).scalar_one()
    org_admin.update_hall(ctx, staff(ctx, "admin"), hall_id, {"closes_at": closes_at})


def test_a_receipt_after_the_hall_closed_counts_from_the_next_working_day(demo, clock):
    ctx = demo
    close_hall_of(ctx, "ZCZ-QS-W01", "17:30")
    clock.advance(timedelta(hours=8, minutes=29))                   # Friday 2026-11-27 17:29 Beijing
    in_hours = case_row(ctx, start_food(ctx).case_id)
    assert (in_hours.receipt_closes_at, in_hours.deemed_received_on) == ("17:30", None)
    clock.advance(timedelta(minutes=1))                             # 17:30: closed
    case_id = start_food(ctx).case_id
    row = case_row(ctx, case_id)
    assert (row.receipt_closes_at, str(row.deemed_received_on)) == ("17:30", "2026-11-30")
    assert as_utc(row.acceptance_due) == bj(2026, 12, 8)            # 5 working days after Mon 11-30
    assert events(ctx, case_id, "case_started")[0].payload["deemed_received_on"] == "2026-11-30"
    # changing the hall's hours later moves nothing already received
    close_hall_of(ctx, "ZCZ-QS-W01", None)
    assert case_row(ctx, case_id).receipt_closes_at == "17:30"
    assert case_row(ctx, start_food(ctx).case_id).deemed_received_on is None


def test_a_clerks_acceptance_after_hours_is_not_moved_but_deemed_acceptance_is(demo, clock):
    """The closing time is about what reaches the hall: a clerk who accepts at 19:00 accepted that
    day; Art. 32's deemed acceptance is dated at receipt, so it gets receipt's deemed day."""
    ctx = demo
    close_hall_of(ctx, "ZCZ-QS-W01", "17:30")
    close_hall_of(ctx, "LZXQ-W01", "17:30")
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
def test_a_closing_time_is_hh_mm(demo):
    with demo.uow.read() as tx:
        hall_id = tx.conn.execute(select(Window.hall_id).where(Window.code == "ZCZ-QS-W01")).scalar_one()
    for bad in ("5:30", "24:00", "17:60", "17.30", "noon"):
        with pytest.raises(ValidationError) as err:
            org_admin.update_hall(demo, staff(demo, "admin"), hall_id, {"closes_at": bad})
        assert (err.value.code, err.value.field) == ("org_value_invalid", "closes_at"), bad
