"""The first calendar version, seeded from the chinese-calendar package."""

from sqlalchemy import func, select

from engine.domain.actor import Actor
from engine.domain.calendar_notices import Notice
from engine.services.calendar.reading import _insert_version, _insert_year, invalidate
from engine.store.models import CalendarYear


def seed_from_package(ctx, actor: Actor | None = None) -> int:
    """First calendar version from the chinese-calendar package (2004 through the last year it
    knows). Make-up working days come from its `workdays` table directly: its get_workdays(...,
    include_weekends=False) would drop them. Returns the number of years seeded (0 if present)."""
    from chinese_calendar import constants
    actor = actor or Actor.system("calendar-seed")
    with ctx.uow.begin() as tx:
        if tx.execute(select(func.count()).select_from(CalendarYear)).scalar():
            return 0
        years = sorted({d.year for d in constants.holidays})
        version = _insert_version(tx, actor, ctx.clock.now(), "chinese-calendar package (国务院办公厅节假日安排通知)",
                                  years)
        for year in years:
            notice = Notice(year, "chinese-calendar package",
                            [(d, n) for d, n in constants.holidays.items() if d.year == year],
                            [(d, n) for d, n in constants.workdays.items() if d.year == year])
            _insert_year(tx, version, notice, "official")
    invalidate(ctx)
    return len(years)
