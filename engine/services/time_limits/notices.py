"""Loading a year's State Council notice into the calendar, and recomputing every open deadline
that touches the year in the same transaction."""
from dataclasses import dataclass

import engine.services.time_limits.sla_clock as sla_clock
from engine.domain.actor import Actor
from engine.domain.calendar_notices import Notice
from engine.services import calendar
from engine.services.accounts import access


@dataclass(frozen=True)
class LoadResult:
    version: int
    year: int
    recomputed: int      # open cases whose deadlines were recomputed
    changed: int         # ... of which a date actually moved


def load_notice(ctx, notice: Notice, actor: Actor) -> LoadResult:
    """Make a year official (or amend it) and recompute every open deadline touching it, in one
    transaction: the calendar and the promises made with it never disagree."""
    access.require_role(actor, "admin")
    notice.validate()
    with ctx.uow.begin() as tx:
        now = ctx.clock.now()
        version = tx.calendar.add_version(now, actor.username, notice.source, [notice.year])
        tx.calendar.add_year(version, notice.year, "official", notice.source, notice.holidays, notice.workdays)
        cal = tx.calendar.current()
        recomputed, changed = sla_clock.recompute_for_year(ctx, tx, cal, notice.year, actor, now)
        tx.events.append("system", "calendar_loaded", actor, now, {
            "version": version, "year": notice.year, "source": notice.source, "holidays": len(notice.holidays),
            "workdays": len(notice.workdays), "recomputed": recomputed, "changed": changed})
    calendar.invalidate(ctx)
    return LoadResult(version, notice.year, recomputed, changed)
