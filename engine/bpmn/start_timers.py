"""Timer start events: a schedule that starts new cases, as in Camunda 7
(docs/camunda-bpmn.md#timer-start-events).

At deploy the timer of an executable process's start event is read off the raw tree and taken out
of it, so SpiffWorkflow sees a plain start event: a case, however started, runs its flow at once.
The timer becomes the process's start schedule (engine/services/start_schedules/), whose due times
`next_due` computes. A schedule has no case data to evaluate an expression with, so its timer
must be a literal: an ISO date (once), an ISO duration (once, that long after the activation), an
ISO cycle `R[n]/[start/]period` (every period from its start, or from the activation plus one
period; n times at most), or a Quartz cron cycle (engine/bpmn/cron.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.bpmn import cron
from engine.bpmn.timers import CYCLE_RE, DATETIME_RE, DURATION_RE, literal_due, parse_due, quote_literal
from engine.bpmn.xml import NS
from engine.domain.errors import ProblemList

DATE, DURATION, CYCLE, CRON = "date", "duration", "cycle", "cron"
_TAGS = {"timeDate": DATE, "timeDuration": DURATION, "timeCycle": CYCLE}
_SCAN_LIMIT = 100_000          # steps of a calendar-month cycle walked to find the next time


@dataclass(frozen=True)
class StartTimer:
    element: str        # the start event's id
    kind: str           # date | duration | cycle | cron
    text: str           # the literal as written (whitespace normalised)

    def to_dict(self) -> dict:
        return {"element": self.element, "kind": self.kind, "text": self.text}


class StartTimerInvalid(ValueError):
    pass


def _timer_of(start) -> Optional[tuple[str, str, object]]:
    definition = start.find("bpmn:timerEventDefinition", NS)
    if definition is None:
        return None
    for tag, kind in _TAGS.items():
        node = definition.find(f"bpmn:{tag}", NS)
        if node is not None:
            return kind, " ".join((node.text or "").split()), definition
    return "", "", definition


def take(file_name: str, process, problems: ProblemList) -> list[StartTimer]:
    """The timer start events of an executable process, each taken out of the tree (the start
    event stays, without its timer). Problems: an empty timer, an expression, a timer start that
    is not the process's only start event (a clerk's start and the schedule's would both run it)."""
    if process.get("isExecutable") != "true":
        return []
    starts = process.findall("bpmn:startEvent", NS)
    found = []
    for start in starts:
        timer = _timer_of(start)
        if timer is None:
            continue
        kind, text, definition = timer
        where = {"file": file_name, "element": start.get("id"), "line": start.sourceline}
        if len(starts) > 1:
            problems.add("timer_start_not_alone", "a timer start event must be the process's only start event: "
                         "each schedule time starts a new case at it", **where)
            continue
        if not text:
            problems.add("timer_empty", "the timer start event has no time", **where)
            continue
        if kind == CYCLE and cron.looks_like_cron(text):
            kind = CRON
        timer = StartTimer(start.get("id"), kind, text)
        try:
            check(timer)
        except StartTimerInvalid as exc:
            problems.add("timer_start_unsupported", f"timer start {text[:200]!r}: {exc}", **where)
            continue
        start.remove(definition)
        found.append(timer)
    return found


def check(timer: StartTimer) -> None:
    """Deploy-time check: a literal of its kind that the schedule can compute times for."""
    text = timer.text
    if timer.kind == CRON:
        try:
            cron.check(text)
        except cron.CronUnsupported as exc:
            raise StartTimerInvalid(exc.reason) from None
        return
    pattern = {DATE: DATETIME_RE, DURATION: DURATION_RE, CYCLE: CYCLE_RE}[timer.kind]
    if not pattern.match(text):
        raise StartTimerInvalid(f"a start event's {timer.kind} must be an ISO 8601 literal (no expression: "
                                "a schedule has no case data to evaluate it with)")
    try:
        if timer.kind == CYCLE:
            _cycle(text, datetime(2000, 1, 1, tzinfo=timezone.utc))
        else:
            literal_due(text, datetime(2000, 1, 1, tzinfo=timezone.utc))
    except StartTimerInvalid:
        raise
    except Exception as exc:  # noqa: BLE001 - SpiffWorkflow's ISO parsers raise bare Exception
        raise StartTimerInvalid(f"not a valid ISO 8601 {timer.kind}: {exc}") from None


def _cycle(text: str, anchor: datetime) -> tuple[int, datetime, str]:
    """(repetitions or -1, first time, period) of `R[n]/[start/]period`."""
    head, *parts = text.split("/")
    count = int(head[1:]) if head[1:] else -1
    if len(parts) == 2 and DATETIME_RE.match(parts[0]) and DURATION_RE.match(parts[1]):
        return count, parse_due(quote_literal(parts[0])[1:-1]), parts[1]
    if len(parts) == 1 and DURATION_RE.match(parts[0]):
        return count, _add(anchor, parts[0]), parts[0]
    raise StartTimerInvalid("a start cycle is R[n]/period or R[n]/start/period")


def _add(when: datetime, period: str) -> datetime:
    parsed = TimerEventDefinition.parse_iso_duration(period)
    step = TimerEventDefinition.get_timedelta_from_start(parsed, when)
    if step <= timedelta(0):
        raise StartTimerInvalid("the period is zero")
    return when + step


def _fixed(period: str) -> Optional[timedelta]:
    """The period as a fixed length when it has no years or months (their length varies)."""
    parsed = TimerEventDefinition.parse_iso_duration(period)
    if parsed.get("years") or parsed.get("months"):
        return None
    return TimerEventDefinition.get_timedelta_from_start(parsed, datetime(2000, 1, 1, tzinfo=timezone.utc))


def next_due(timer: StartTimer, anchor: datetime, after: datetime) -> Optional[datetime]:
    """The schedule's first time strictly after `after` (aware UTC), or None when it has no more.
    `anchor` is when the schedule was activated: a duration, and a cycle without a start, count
    from it. Times at or before `after` are never returned: missed times are skipped, so a worker
    that was down starts one case for them, not one per missed time."""
    if timer.kind == CRON:
        found = cron.next_after(timer.text, after)
        return found.astimezone(timezone.utc) if found else None
    if timer.kind in (DATE, DURATION):
        due = literal_due(timer.text, anchor)
        return due if due > after else None
    count, first, period = _cycle(timer.text, anchor)
    if first > after:
        return first.astimezone(timezone.utc)
    fixed = _fixed(period)
    if fixed is not None:
        k = (after - first) // fixed + 1
        due = first + k * fixed
    else:
        k, due = 0, first
        while due <= after and k < _SCAN_LIMIT:
            k, due = k + 1, _add(due, period)
    if count >= 0 and k >= count:
        return None
    return due.astimezone(timezone.utc)
