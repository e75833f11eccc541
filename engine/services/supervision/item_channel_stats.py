"""Channel statistics per tier against the Lanzhou New Area plan's targets (DOMAIN.md §0): at the
park, township and village tiers ≥ 95 % of items handleable online and on mobile, ≥ 80 % by mail,
and online depth ≥ level Ⅲ.

Which items count at a tier (DOMAIN.md §0 glossary: 受理 counts as exercising an item at that
level): the published items that a unit of that tier in the supervised subtree accepts, i.e. the
tier is in the item's accepting tiers and the implementing body's unit is that unit or above it.
Each item counts once per tier however many units of the tier accept it.
- online: `online` in handle_forms (the import keeps this equivalent to depth ≥ Ⅱ, §1.5)
- mobile: the mobile flag (掌上办)
- mail: `mail` in handle_forms, or courier delivery (is_express)
- depth: share with online depth ≥ Ⅲ (online acceptance, §1.5) and the average depth.
The depth target is read as "≥ 95 % of items at depth ≥ Ⅲ" ([U]: the plan gives no share)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select

from engine.domain.actor import Actor
from engine.domain.catalogue import TIERS
from engine.services import supervision
from engine.services.accounts import org
from engine.store import tables as t

TARGETS = {"online": 0.95, "mobile": 0.95, "mail": 0.80, "depth3": 0.95}
TARGET_TIERS = ("park", "township", "village")
_I = t.item_implementation.c


@dataclass(frozen=True)
class TierChannels:
    tier: str
    items: int
    online: int
    mobile: int
    mail: int
    depth3: int
    online_share: Optional[float]
    mobile_share: Optional[float]
    mail_share: Optional[float]
    depth3_share: Optional[float]
    average_depth: Optional[float]
    targets_apply: bool          # the plan sets targets for park, township and village
    online_met: bool
    mobile_met: bool
    mail_met: bool
    depth_met: bool


def _share(part: int, whole: int) -> Optional[float]:
    return round(part / whole, 4) if whole else None


def tier_channels(tier: str, items: list) -> TierChannels:
    counts = {"online": sum("online" in (i.handle_forms or ()) for i in items),
              "mobile": sum(bool(i.mobile) for i in items),
              "mail": sum("mail" in (i.handle_forms or ()) or bool(i.express) for i in items),
              "depth3": sum((i.online_depth or 0) >= 3 for i in items)}
    shares = {k: _share(v, len(items)) for k, v in counts.items()}
    met = {k: shares[k] is not None and shares[k] >= TARGETS[k] for k in counts}
    average = round(sum(i.online_depth or 0 for i in items) / len(items), 2) if items else None
    return TierChannels(tier, len(items), *counts.values(), shares["online"], shares["mobile"], shares["mail"],
                        shares["depth3"], average, tier in TARGET_TIERS, met["online"], met["mobile"], met["mail"],
                        met["depth3"])


def channel_stats(ctx, actor: Actor, unit_id: int) -> list[TierChannels]:
    """One row per tier present in the subtree of `unit_id` (supervisors of it, admins)."""
    with ctx.uow.read() as tx:
        units = supervision.subtree(ctx, tx, unit_id, None, actor)
        directory = org.directory(ctx, tx)
        items = tx.execute(select(_I.id, _I.org_unit_id, _I.accepting_tiers, _I.handle_forms, _I.online_depth,
                                    _I.mobile, _I.express)
                             # a 一件事 package's own entry is not a service item of the catalogue
                             .where(_I.status == "published", _I.category != "package")).all()
    out = []
    for tier in TIERS:
        tier_units = [u for u in units if directory.units[u].tier == tier]
        if not tier_units:
            continue
        accepted = [i for i in items if tier in (i.accepting_tiers or ()) and i.org_unit_id is not None
                    and any(directory.in_subtree(u, i.org_unit_id) for u in tier_units)]
        out.append(tier_channels(tier, accepted))
    return out
