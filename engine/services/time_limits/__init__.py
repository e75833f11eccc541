"""Time limits (办结时限): the legal clock of a case and its commands (accept, correction notice,
pause, resume, extension), yellow and red cards, the Art. 44 delivery cards, firing due timers,
and loading a year's calendar notice."""
from engine.services.time_limits.clock_commands import (
                                                        PAUSE_KINDS,
                                                        SPECIAL_PROCEDURES,
                                                        accept,
                                                        extend,
                                                        notify_correction,
                                                        pause,
                                                        resume,
)
from engine.services.time_limits.notices import LoadResult, load_notice
from engine.services.time_limits.timers import fire_due, fire_one, retry_now

__all__ = ["LoadResult", "load_notice", "PAUSE_KINDS", "SPECIAL_PROCEDURES", "accept", "extend",
           "notify_correction", "pause", "resume", "fire_due", "fire_one", "retry_now"]
