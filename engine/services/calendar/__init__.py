"""The working-day calendar as data: the current calendar (cached per process) and its first
version seeded from the chinese-calendar package. Loading a year's notice recomputes case clocks,
so it lives with them (engine/services/time_limits/notices.py)."""
from engine.services.calendar.deadlines import DeadlineAnswer, deadline_answer
from engine.services.calendar.reading import current, invalidate
from engine.services.calendar.seeding import seed_from_package

__all__ = ["DeadlineAnswer", "deadline_answer", "current", "invalidate", "seed_from_package"]
