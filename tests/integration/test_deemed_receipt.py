"""Deemed receipt (issue 14): a case received and accepted on a Saturday counts from Monday, the
deemed days are recorded on the case, and the rule is configurable (as_received keeps the day)."""
from dataclasses import replace
from datetime import timedelta

import pytest

from engine.domain.clock import as_utc
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
