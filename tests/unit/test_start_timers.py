"""Timer start events (engine/bpmn/start_timers.py): the next due time of each kind of timer,
missed times skipped, and the deploy step that takes the timer off the start event."""
from datetime import datetime, timedelta, timezone

import pytest
from lxml import etree

from engine.bpmn.start_timers import CRON, CYCLE, DATE, DURATION, StartTimer, StartTimerInvalid, check, next_due, take
from engine.bpmn.xml import NS
from engine.domain.errors import ProblemList

UTC = timezone.utc
T0 = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)          # Friday 09:00 Beijing


def at(*parts):
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize("kind, text, after, expected", [
    (DATE, "2026-12-01T09:00:00", T0, at(2026, 12, 1, 1)),                  # Beijing time without an offset
    (DATE, "2026-12-01T09:00:00", at(2026, 12, 1, 1), None),                # once
    (DURATION, "PT2H", T0, at(2026, 11, 27, 3)),                            # from the activation
    (DURATION, "PT2H", at(2026, 11, 27, 3), None),
    (CYCLE, "R/PT1H", T0, at(2026, 11, 27, 2)),                             # activation + one period
    (CYCLE, "R/PT1H", at(2026, 11, 27, 5, 30), at(2026, 11, 27, 6)),        # missed times skipped
    (CYCLE, "R/2026-11-27T10:00:00/PT1H", T0, at(2026, 11, 27, 2)),
    (CYCLE, "R/2026-11-27T10:00:00/PT1H", at(2026, 11, 27, 2), at(2026, 11, 27, 3)),   # strictly after
    (CYCLE, "R3/2026-11-27T10:00:00/PT1H", at(2026, 11, 27, 3, 30), at(2026, 11, 27, 4)),
    (CYCLE, "R3/2026-11-27T10:00:00/PT1H", at(2026, 11, 27, 4), None),      # three times, then none
    (CYCLE, "R/2026-01-31T09:00:00+08:00/P1M", at(2026, 2, 1), at(2026, 3, 3, 1)),  # months by the calendar
    (CRON, "0 0 9 ? * MON-FRI", T0, at(2026, 11, 30, 1)),                   # Friday 09:00 -> Monday
    (CRON, "0 0 9 ? * MON-FRI", at(2026, 11, 29), at(2026, 11, 30, 1)),
])
def test_next_due(kind, text, after, expected):
    assert next_due(StartTimer("s", kind, text), T0, after) == expected


def test_a_long_downtime_is_one_step_for_a_fixed_period():
    timer = StartTimer("s", CYCLE, "R/PT5S")
    after = T0 + timedelta(days=365, seconds=2)
    assert next_due(timer, T0, after) == T0 + timedelta(days=365, seconds=5)


@pytest.mark.parametrize("kind, text", [
    (CYCLE, "R/${interval}"), (DATE, "${when}"), (CYCLE, "R/2026-01-01T00:00:00/2026-02-01T00:00:00"),
    (CRON, "0 0 9 LW * ?"), (DURATION, "P"),
])
def test_what_a_schedule_cannot_compute_is_refused(kind, text):
    with pytest.raises(StartTimerInvalid):
        check(StartTimer("s", kind, text))


def process(body: str, executable: str = "true"):
    xml = (f'<bpmn:definitions xmlns:bpmn="{NS["bpmn"]}"><bpmn:process id="p" isExecutable="{executable}">'
           f'{body}</bpmn:process></bpmn:definitions>')
    return etree.fromstring(xml).find("bpmn:process", NS)


TIMER_START = ('<bpmn:startEvent id="s"><bpmn:timerEventDefinition><bpmn:timeCycle>0 0 9 ? * MON-FRI'
               '</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>')


def test_the_timer_leaves_the_start_event_and_becomes_the_schedule():
    node, problems = process(TIMER_START), ProblemList()
    assert take("f.bpmn", node, problems) == [StartTimer("s", CRON, "0 0 9 ? * MON-FRI")]
    assert problems.problems == []
    start = node.find("bpmn:startEvent", NS)
    assert start is not None and start.find("bpmn:timerEventDefinition", NS) is None


def test_a_drawing_keeps_its_timer():
    node = process(TIMER_START, executable="false")
    assert take("f.bpmn", node, ProblemList()) == []
    assert node.find("bpmn:startEvent/bpmn:timerEventDefinition", NS) is not None


@pytest.mark.parametrize("body, code", [
    (TIMER_START + '<bpmn:startEvent id="plain"/>', "timer_start_not_alone"),
    (TIMER_START.replace("0 0 9 ? * MON-FRI", "${cycle}"), "timer_start_unsupported"),
    (TIMER_START.replace("0 0 9 ? * MON-FRI", " "), "timer_empty"),
])
def test_start_timers_a_schedule_cannot_run_are_refused_naming_the_event(body, code):
    problems = ProblemList()
    assert take("f.bpmn", process(body), problems) == []
    assert [(p.code, p.element) for p in problems.problems] == [(code, "s")]
