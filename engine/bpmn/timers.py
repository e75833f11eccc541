"""Timer text and pending timers.

Designers write ISO-8601 literals unquoted (`P7D`, `R3/P1D`, `2026-12-01T09:00:00+08:00`), as
Camunda and bpmn.io do; SpiffWorkflow evaluates timer text as an expression, where `P7D` is an
undefined name. We quote literals at deploy time and leave expressions alone. A literal date
without an offset is taken as Asia/Shanghai time (SpiffWorkflow would apply the UTC offset
frozen at import)."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

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
