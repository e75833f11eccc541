"""Case-channel statistics for the supervision dashboards (docs/glossary.md#case-channel-statistics:
网上受理率, 掌办率): for a supervisor's subtree and a date range, per tier of the receiving unit,
the cases received by intake channel, the online share (online + mobile), the mobile share, and
the results delivered by method. Counts come from indexed columns of `case` only (never workflow state).

What counts: item cases, not the 一件事 package's own parent case (the package is one application
whose items are counted as its children, as the catalogue statistics leave the package entry
out). A case counts as received on its receipt day and as delivered on its delivery day, both
calendar days in Asia/Shanghai, `since` and `until` included."""
from __future__ import annotations

from datetime import date, timedelta

from engine.domain import deadlines as dl
from engine.domain.actor import Actor
from engine.domain.channel_stats import TierCaseChannels, tier_case_channels
from engine.domain.errors import ValidationError
from engine.domain.org import TIERS
from engine.services.accounts import org
from engine.services.supervision.warnings import subtree

MAX_DAYS = 3 * 366


def _range(since: date, until: date):
    if until < since:
        raise ValidationError("until is on or after since", code="date_range_invalid", field="until")
    if (until - since).days >= MAX_DAYS:
        raise ValidationError(f"a range covers at most {MAX_DAYS} days", code="date_range_too_long", field="until")
    return dl.due_instant(since - timedelta(days=1)), dl.due_instant(until)      # [start of since, end of until)


def case_channels(ctx, actor: Actor, unit_id: int, since: date, until: date) -> list[TierCaseChannels]:
    """One row per tier present in the subtree of `unit_id` (cases by their receiving unit's
    tier), then the row `all`. Supervisors of that part of the tree and administrators."""
    lo, hi = _range(since, until)
    with ctx.uow.read() as tx:
        units = subtree(ctx, tx, unit_id, None, actor)
        directory = org.directory(ctx, tx)
        received = tx.supervision.received_by_channel(units, lo, hi)
        delivered = tx.supervision.delivered_by_method(units, lo, hi)
    tiers = [tier for tier in TIERS if any(directory.units[u].tier == tier for u in units)]
    per = {tier: ({}, {}) for tier in [*tiers, "all"]}
    for index, rows in ((0, received), (1, delivered)):
        for unit, key, n in rows:
            for tier in (directory.units[unit].tier, "all"):
                counts = per[tier][index]
                counts[key] = counts.get(key, 0) + n
    return [tier_case_channels(tier, *per[tier]) for tier in [*tiers, "all"]]
