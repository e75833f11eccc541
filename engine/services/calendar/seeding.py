"""The first calendar version, seeded from the chinese-calendar package."""
from __future__ import annotations

from chinese_calendar import constants

from engine.domain.actor import Actor
from engine.services.calendar.reading import invalidate


def seed_from_package(ctx, actor: Actor | None = None) -> int:
    """First calendar version from the chinese-calendar package (2004 through the last year it
    knows). Make-up working days come from its `workdays` table directly: its get_workdays(...,
    include_weekends=False) would drop them. Returns the number of years seeded (0 if present)."""
    actor = actor or Actor.system("calendar-seed")
    with ctx.uow.begin() as tx:
        if tx.calendar.has_years():
            return 0
        years = sorted({d.year for d in constants.holidays})
        version = tx.calendar.add_version(ctx.clock.now(), actor.username,
                                          "chinese-calendar package (国务院办公厅节假日安排通知)", years)
        for year in years:
            tx.calendar.add_year(version, year, "official", "chinese-calendar package",
                                 [(d, n) for d, n in constants.holidays.items() if d.year == year],
                                 [(d, n) for d, n in constants.workdays.items() if d.year == year])
    invalidate(ctx)
    return len(years)
