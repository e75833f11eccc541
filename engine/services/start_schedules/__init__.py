"""Timer start events: each deployed version's start schedule, activated by naming the window that
receives its cases, and the sweep that starts a case at each due time
(docs/camunda-bpmn.md#timer-start-events)."""
from engine.services.start_schedules.firing import fire_due, fire_one
from engine.services.start_schedules.schedules import get_schedule, set_schedule

__all__ = ["fire_due", "fire_one", "get_schedule", "set_schedule"]
