"""Case-channel statistics for the supervision dashboards (DOMAIN.md §5: 网上受理率, 掌办率): for a
supervisor's subtree and a date range, per tier of the receiving unit, the cases received by
intake channel, the online share (online + mobile), the mobile share, and the results delivered
by method. Counts come from indexed columns of `case` only (never workflow state).

What counts: item cases, not the 一件事 package's own parent case (the package is one application
whose items are counted as its children, as the catalogue statistics leave the package entry
out). A case counts as received on its receipt day and as delivered on its delivery day, both
calendar days in Asia/Shanghai, `since` and `until` included."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Optional

from sqlalchemy import func, select

from engine.domain import deadlines as dl
from engine.domain.actor import Actor
from engine.domain.errors import ValidationError
from engine.domain.org import TIERS
from engine.services import supervision
from engine.services.accounts import org
from engine.store import tables as t

CHANNELS = ("window", "online", "mobile", "mail", "proxy")       # cases.CHANNELS
METHODS = ("pickup", "mail", "e_licence")                        # delivery.METHODS
MAX_DAYS = 3 * 366
_C, _I = t.case.c, t.item_implementation.c


@dataclass(frozen=True)
class TierCaseChannels:
    tier: str                      # a tier of the subtree, or "all"
    received: int
    window: int
    online: int
    mobile: int
    mail: int
    proxy: int
    online_share: Optional[float]  # 网上受理率: (online + mobile) / received
    mobile_share: Optional[float]  # 掌办率: mobile / received
    delivered: int
    pickup: int
    mail_delivered: int
    e_licence: int


def _range(since: date, until: date):
    if until < since:
        raise ValidationError("until is on or after since", code="date_range_invalid", field="until")
    if (until - since).days >= MAX_DAYS:
        raise ValidationError(f"a range covers at most {MAX_DAYS} days", code="date_range_too_long", field="until")
    return dl.due_instant(since - timedelta(days=1)), dl.due_instant(until)      # [start of since, end of until)


def _share(part: int, whole: int) -> Optional[float]:
    return round(part / whole, 4) if whole else None


def _row(tier: str, received: dict, delivered: dict) -> TierCaseChannels:
    total = sum(received.values())
    online = received.get("online", 0) + received.get("mobile", 0)
    return TierCaseChannels(tier, total, *(received.get(ch, 0) for ch in CHANNELS), _share(online, total),
                            _share(received.get("mobile", 0), total), sum(delivered.values()),
                            *(delivered.get(m, 0) for m in METHODS))


def case_channels(ctx, actor: Actor, unit_id: int, since: date, until: date) -> list[TierCaseChannels]:
    """One row per tier present in the subtree of `unit_id` (cases by their receiving unit's
    tier), then the row `all`. Supervisors of that part of the tree and administrators."""
    lo, hi = _range(since, until)
    with ctx.uow.read() as tx:
        units = supervision.subtree(ctx, tx, unit_id, None, actor)
        directory = org.directory(ctx, tx)
        items = select(_I.id).where(_I.category != "package")
        received = tx.execute(select(_C.origin_org_unit_id, _C.channel, func.count())
                                .where(_C.created_at >= lo, _C.created_at < hi, _C.origin_org_unit_id.in_(units),
                                       _C.item_id.in_(items))
                                .group_by(_C.origin_org_unit_id, _C.channel)).all()
        delivered = tx.execute(select(_C.origin_org_unit_id, _C.delivery_method, func.count())
                                 .where(_C.delivered_at >= lo, _C.delivered_at < hi, _C.origin_org_unit_id.in_(units),
                                        _C.item_id.in_(items))
                                 .group_by(_C.origin_org_unit_id, _C.delivery_method)).all()
    tiers = [tier for tier in TIERS if any(directory.units[u].tier == tier for u in units)]
    per = {tier: ({}, {}) for tier in [*tiers, "all"]}
    for index, rows in ((0, received), (1, delivered)):
        for unit, key, n in rows:
            for tier in (directory.units[unit].tier, "all"):
                counts = per[tier][index]
                counts[key] = counts.get(key, 0) + n
    return [_row(tier, *per[tier]) for tier in [*tiers, "all"]]
