"""Working days spent by a step and the heatmap's figures (engine/domain/step_times.py)."""
from datetime import date

from engine.domain.calendar import WorkCalendar
from engine.domain.step_times import StepFigures, figures, working_days_spent


def test_working_days_after_the_day_it_arrived_through_the_day_it_was_done():
    cal = WorkCalendar()
    friday, monday = date(2026, 11, 27), date(2026, 11, 30)
    assert working_days_spent(cal, friday, friday) == 0
    assert working_days_spent(cal, friday, monday) == 1               # the weekend does not count
    assert working_days_spent(cal, friday, date(2026, 12, 2)) == 3


def test_figures_weighted_mean_median_and_longest():
    assert figures([]) == StepFigures(0, None, None, None)
    assert figures([(3, 1), (1, 1)]) == StepFigures(2, 2.0, 2.0, 3)   # even count: mean of the middle two
    assert figures([(0, 3), (10, 1)]) == StepFigures(4, 2.5, 0.0, 10)
    assert figures([(2, 2), (5, 1), (1, 0)]) == StepFigures(3, 3.0, 2.0, 5)
