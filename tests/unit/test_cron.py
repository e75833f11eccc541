"""Quartz cron timer cycles (engine/bpmn/cron.py): the conversion to APScheduler's fields, above all
day of week (Quartz 1 = Sunday, APScheduler 0 = Monday), the refusals, and the cron timer running
in a workflow on a frozen clock, fired once per time."""
from datetime import datetime, timedelta, timezone

import pytest

from engine.bpmn import cron
from engine.bpmn.parser import SourceFile, parse_bundle
from engine.bpmn.runtime import Runtime
from engine.domain.clock import SHANGHAI, FrozenClock
from engine.domain.errors import DeployError
from tests.integration.helpers import FIXTURES

MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)          # a Monday, 09:00 Beijing time


@pytest.mark.parametrize("quartz, weekdays", [
    ("1", "sun"), ("2", "mon"), ("7", "sat"), ("SUN", "sun"), ("mon", "mon"),
    ("2-6", "mon,tue,wed,thu,fri"), ("MON-FRI", "mon,tue,wed,thu,fri"), ("1,7", "sun,sat"),
    ("FRI-MON", "sun,mon,fri,sat"),          # Quartz wraps a range past Saturday
    ("1/2", "sun,tue,thu,sat"), ("2-7/2", "mon,wed,fri"), ("*", "*"),
])
def test_day_of_week_is_written_by_name(quartz, weekdays):
    # names, in Quartz's order (Sunday first): APScheduler would read the number 1 as Tuesday
    assert cron.fields(f"0 0 9 ? * {quartz}")["day_of_week"] == weekdays
    assert cron.fields("0 0 9 * * ?")["day_of_week"] == "*"


def test_day_of_week_numbers_fire_on_the_quartz_day():
    # Quartz 2 is Monday: from Sunday 29 November the next fire is Monday 30 November
    sunday = datetime(2026, 11, 29, 12, 0, tzinfo=SHANGHAI)
    assert cron.next_after("0 0 9 ? * 2", sunday) == MONDAY_9
    assert cron.next_after("0 0 9 ? * 1", MONDAY_9).date().isoformat() == "2026-12-06"      # a Sunday
    assert cron.next_after("0 0 9 ? * 7", MONDAY_9).date().isoformat() == "2026-12-05"      # a Saturday


@pytest.mark.parametrize("expression, after, expected", [
    ("0/5 0/1 * 1/1 * ?", MONDAY_9, "2026-11-30T09:00:05+08:00"),     # the Camunda examples' cycle
    ("0 0 9 ? * MON-FRI", MONDAY_9, "2026-12-01T09:00:00+08:00"),     # strictly after now
    ("0 30 8 L * ?", MONDAY_9, "2026-12-31T08:30:00+08:00"),         # the month's last day
    ("0 0 9 ? * 6L", MONDAY_9, "2026-12-25T09:00:00+08:00"),          # the last Friday
    ("0 0 9 ? * 6#3", MONDAY_9, "2026-12-18T09:00:00+08:00"),         # the third Friday
    ("0 15 10 ? JAN,MAR 2 2027", MONDAY_9, "2027-01-04T10:15:00+08:00"),
    ("0 0 12 1/10 * ?", MONDAY_9, "2026-12-01T12:00:00+08:00"),
])
def test_next_fire_times(expression, after, expected):
    assert cron.next_after(expression, after).isoformat() == expected


@pytest.mark.parametrize("expression, reason", [
    ("0 9 * * *", "5 fields"),                              # a Unix crontab line
    ("0 0 9 15W * ?", "W (nearest weekday)"),
    ("0 0 9 LW * ?", "W (nearest weekday)"),
    ("0 0 9 L-3 * ?", "L-n"),
    ("0 0 9 1 * MON", "give day of month or day of week"),
    ("0 0 9 ? * ?", "'?' in both"),
    ("0 0 24 * * ?", "outside 0-23"),
    ("60 0 9 * * ?", "outside 0-59"),
    ("0 0 9 ? * 8", "outside 1-7"),
    ("0 0 9 ? * 6#6", "# takes 1 to 5"),
    ("0 0 9 ? * 0/0", "a step of 0"),
    ("0 0 9 ? * MON#", "stand alone"),
    ("0 0 9 ? * MON-FRI/X", "not supported"),
    ("0 0 9 * * ? 1999", "never fires"),
    ("0 0 9 * * ? " + "1" * 300, "longer than"),
])
def test_refusals_say_why(expression, reason):
    with pytest.raises(cron.CronUnsupported) as err:
        cron.check(expression)
    assert reason in err.value.reason


def _bundle(cycle: str):
    xml = (FIXTURES / "camunda" / "camunda_cron_reminder.bpmn").read_text().replace("0 0 9 ? * MON-FRI", cycle)
    return parse_bundle([SourceFile("cron.bpmn", xml.encode())])


def test_a_refused_cron_names_the_timer():
    with pytest.raises(DeployError) as err:
        _bundle("0 0 9 15W * ?")
    [problem] = err.value.problems
    assert (problem.code, problem.element) == ("timer_cron_unsupported", "every_workday_9am")
    assert "W (nearest weekday)" in problem.message


def test_the_cron_timer_fires_once_per_time_across_saves():
    proc = _bundle("0 0 9 ? * MON-FRI").processes["camunda_cron_reminder"]
    runtime = Runtime()
    runtime.specs.add("k", *runtime.spec_from_json(runtime.spec_to_json(proc.spec, proc.subprocess_specs)))
    clock = FrozenClock(datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc))       # Friday 09:00 Beijing
    workflow = runtime.start("k", {}, clock)

    def due():
        [(_, element, at)] = runtime.waiting_timers(workflow)
        assert element == "every_workday_9am"
        return at.astimezone(SHANGHAI).isoformat()

    def reminders():
        return sum(1 for t in workflow.get_tasks() if t.task_spec.name == "reminded")

    assert due() == "2026-11-30T09:00:00+08:00"                  # Friday 09:00 itself is not "after now"
    clock.advance(timedelta(days=3, seconds=-1))
    runtime.fire_timers(workflow, clock)
    assert (due(), reminders()) == ("2026-11-30T09:00:00+08:00", 0)
    clock.advance(timedelta(seconds=2))
    workflow = runtime.loads(runtime.dumps(workflow))
    runtime.fire_timers(workflow, clock)
    assert (due(), reminders()) == ("2026-12-01T09:00:00+08:00", 1)
    runtime.fire_timers(workflow, clock)                           # exactly once
    assert reminders() == 1
    clock.advance(timedelta(days=5))                               # Sunday 6 December: three times missed
    workflow = runtime.loads(runtime.dumps(workflow))
    runtime.fire_timers(workflow, clock)
    assert (due(), reminders()) == ("2026-12-07T09:00:00+08:00", 2)   # fired once for them, next is Monday


@pytest.mark.parametrize("text, cron_like", [
    ("0/5 0/1 * 1/1 * ?", True), ("0 0 9 ? * MON-FRI", True), ("0 0 9 ? jan,dec 6L", True),
    ("0 9 * * *", True),                                # refused later, by name: 5 fields
    ("R/P1D", False), ("R3/PT10M", False), ("${cycle}", False), ("=cycle", False),
    ("a if b else c", False), ("cycle if long else 'R/P1D'", False), ("workdays(3)", False),
])
def test_what_is_read_as_cron(text, cron_like):
    assert cron.looks_like_cron(text) is cron_like
