"""Channel statistics per tier against the Lanzhou New Area plan's targets (docs/glossary.md#channel-targets; the
figures and the targets themselves: engine/domain/channel_stats.py).

Which items count at a tier (docs/glossary.md#acceptance-at-a-tier: 受理 counts as exercising an item at that
level): the published items that a unit of that tier in the supervised subtree accepts, i.e. the
tier is in the item's accepting tiers and the implementing body's unit is that unit or above it.
Each item counts once per tier however many units of the tier accept it."""
from __future__ import annotations

from engine.domain.actor import Actor
from engine.domain.catalogue import TIERS
from engine.domain.channel_stats import TierChannels, tier_channels
from engine.services.accounts import org
from engine.services.supervision.warnings import subtree


def channel_stats(ctx, actor: Actor, unit_id: int) -> list[TierChannels]:
    """One row per tier present in the subtree of `unit_id` (supervisors of it, admins)."""
    with ctx.uow.read() as tx:
        units = subtree(ctx, tx, unit_id, None, actor)
        directory = org.directory(ctx, tx)
        items = tx.supervision.published_channels()
    out = []
    for tier in TIERS:
        tier_units = [u for u in units if directory.units[u].tier == tier]
        if not tier_units:
            continue
        accepted = [i for i in items if tier in (i.accepting_tiers or ()) and i.org_unit_id is not None
                    and any(directory.in_subtree(u, i.org_unit_id) for u in tier_units)]
        out.append(tier_channels(tier, accepted))
    return out
