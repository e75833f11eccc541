"""Timer text and pending timers.

Designers write ISO-8601 literals unquoted (`P7D`, `R3/P1D`, `2026-12-01T09:00:00+08:00`), as
Camunda and bpmn.io do; SpiffWorkflow evaluates timer text as an expression, where `P7D` is an
undefined name. We quote literals at deploy time and leave expressions alone. A literal date
without an offset is taken as Asia/Shanghai time (SpiffWorkflow would apply the UTC offset
frozen at import).

A Quartz cron cycle (`0/5 0/1 * 1/1 * ?`, Camunda 7's other `timeCycle` form) is checked at
deploy and kept as the text `cron:<expression>`; its timer is a CronTimerEventDefinition, which
computes each next time with APScheduler (engine/bpmn/cron.py) where SpiffWorkflow's cycle adds
a fixed duration."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition

from engine.bpmn import cron
from engine.bpmn.engine_time import now as engine_now
from engine.domain.clock import SHANGHAI

_DURATION = r"P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?"
_DATETIME = r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
DURATION_RE = re.compile(rf"^{_DURATION}$")
DATETIME_RE = re.compile(rf"^{_DATETIME}$")
CYCLE_RE = re.compile(rf"^R\d*/(?:(?:{_DATETIME})/)?{_DURATION}$|^R\d*/{_DATETIME}/{_DATETIME}$")


def is_literal(text: str) -> bool:
    t = text.strip()
    return bool(DURATION_RE.match(t) or DATETIME_RE.match(t) or CYCLE_RE.match(t))


def _aware(text: str) -> str:
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=SHANGHAI)
    return dt.isoformat()


def quote_literal(text: str) -> str:
    """Turn an ISO literal into a Python string literal SpiffWorkflow can evaluate."""
    t = text.strip()
    if DATETIME_RE.match(t):
        t = _aware(t)
    elif CYCLE_RE.match(t) and "/" in t:
        head, *parts = t.split("/")
        t = "/".join([head] + [_aware(p) if DATETIME_RE.match(p) else p for p in parts])
    return repr(t)


def parse_due(value: str) -> datetime:
    return TimerEventDefinition.get_datetime(value).astimezone(timezone.utc)


def _is_timer(event_definition) -> bool:
    if isinstance(event_definition, TimerEventDefinition):
        return True
    return isinstance(event_definition, MultipleEventDefinition) and any(
        isinstance(e, TimerEventDefinition) for e in event_definition.event_definitions)


def waiting_timers(workflow) -> list[tuple[str, str, datetime]]:
    """[(task id, element id, due UTC)] for every waiting timer, including those inside
    call activities and behind event-based gateways (which `waiting_events()` misses)."""
    out = []
    for task in list(workflow.event_manager.tasks.values()):
        if not _is_timer(getattr(task.task_spec, "event_definition", None)):
            continue
        value = task.internal_data.get("event_value")
        if isinstance(value, dict):  # cycle: {'cycles', 'next', 'duration'}
            if value.get("cycles") == 0:
                continue
            value = value.get("next")
        if value:
            out.append((str(task.id), task.task_spec.bpmn_id or task.task_spec.name, parse_due(value)))
    return out


def literal_due(text: str, start: datetime) -> datetime:
    """Due time of an ISO duration (from `start`) or an ISO date literal, as aware UTC."""
    t = text.strip()
    if DURATION_RE.match(t):
        parsed = TimerEventDefinition.parse_iso_duration(t)
        return (start + TimerEventDefinition.get_timedelta_from_start(parsed, start)).astimezone(timezone.utc)
    if DATETIME_RE.match(t):
        return parse_due(quote_literal(t)[1:-1])
    raise ValueError(f"{text!r} is not an ISO duration or date")


def quote_cron(text: str) -> str:
    """A checked Quartz expression as the timer text the cron timer reads (CronUnsupported otherwise)."""
    expression = " ".join(text.split())
    cron.check(expression)
    return repr(cron.PREFIX + expression)


def is_cron_text(expression: str) -> bool:
    return expression.startswith(("'" + cron.PREFIX, '"' + cron.PREFIX))


class CronTimerEventDefinition(CycleTimerEventDefinition):
    """A cycle whose times come from a Quartz cron expression. Its state is the cycle's own
    (`{'cycles', 'next', ...}`, so waiting_timers() and the timer table read it as any cycle):
    `next` is the first fire time after now; when it has passed, the timer fires once and `next`
    moves to the first time after now. Times missed while no worker ran are not fired one by
    one: the timer fires once for them (Quartz's and Camunda's default for a late job)."""

    def cycle_complete(self, my_task):
        now = engine_now()
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            text = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            expression = text[len(cron.PREFIX):]
            first = cron.next_after(expression, now)
            event_value = {"cycles": -1 if first else 0, "next": first.isoformat() if first else None,
                           "duration": 0, "cron": expression}
        ready = False
        if event_value["cycles"] != 0 and datetime.fromisoformat(event_value["next"]) < now:
            following = cron.next_after(event_value["cron"], now)
            event_value["next"] = following.isoformat() if following else None
            event_value["cycles"] = -1 if following else 0
            ready = True
        if event_value["cycles"] == 0 and not ready:
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True
            return False
        my_task._set_internal_data(event_value=event_value)
        return ready


def use_cron_timers(task_spec) -> None:
    """After parsing: a cycle timer whose text is a cron expression computes its times by cron."""
    definition = getattr(task_spec, "event_definition", None)
    if type(definition) is CycleTimerEventDefinition and is_cron_text(definition.expression):
        definition.__class__ = CronTimerEventDefinition
