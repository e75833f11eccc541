"""How long the steps of a process took, in working days (pure): the figures of a version's
heatmap (docs/diagrams.md#working-days-spent).

A step's working days spent are the working days after the day it arrived, up to and including
the day it was completed, in Asia/Shanghai: the same count as a legal time limit under the
`exclude_start` convention (docs/time-limits.md#start-day-convention), so a step given three
working days that took three is on time. A step done on the day it arrived took 0."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Optional

from engine.domain.calendar import WorkCalendar


def working_days_spent(cal: WorkCalendar, created: date, completed: date) -> int:
    return cal.count(created, completed)


@dataclass(frozen=True)
class StepFigures:
    completed: int                   # steps completed
    mean_days: Optional[float]       # working days spent, over the completed steps
    median_days: Optional[float]
    max_days: Optional[int]


def figures(spent: Iterable[tuple[int, int]]) -> StepFigures:
    """Figures from (working days spent, number of steps) pairs; a value may appear in several
    pairs. The median of an even count is the mean of the two middle values."""
    pairs = sorted((days, n) for days, n in spent if n > 0)
    total = sum(n for _days, n in pairs)
    if total == 0:
        return StepFigures(0, None, None, None)
    mean = sum(days * n for days, n in pairs) / total
    return StepFigures(total, round(mean, 2), _median(pairs, total), pairs[-1][0])


def _median(pairs: list[tuple[int, int]], total: int) -> float:
    def nth(k: int) -> int:                       # the k-th smallest value, 0-based
        seen = 0
        for days, n in pairs:
            seen += n
            if k < seen:
                return days
        raise IndexError(k)
    middle = total // 2
    if total % 2:
        return float(nth(middle))
    return (nth(middle - 1) + nth(middle)) / 2
