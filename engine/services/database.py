"""Preparing a database for Lianban: the schema up to date (Alembic migrations) and the
working-day calendar seeded when it has none."""
from __future__ import annotations

from engine.services import calendar
from engine.store.schema import upgrade


def prepare(ctx) -> int:
    """Create or upgrade the schema; seed the calendar if empty. Returns the years seeded (0 if any)."""
    upgrade(ctx.engine)
    return calendar.seed_from_package(ctx)


def shown_url(ctx) -> str:
    """The database URL with its password masked (for logs and messages)."""
    return ctx.engine.url.render_as_string(hide_password=True)
