"""The service network as the public landing page shows it (no login): the organisation's units
by tier, how many items are published and how many cases the network has handled — nothing about
a person."""
from __future__ import annotations

from collections import Counter


def overview(ctx) -> dict:
    with ctx.uow.read() as tx:
        units = tx.supervision.org_units()
        published = {r.code for r in tx.catalogue.all_versions() if r.status == "published"}
        totals = tx.supervision.totals()
    tiers = Counter(u.tier for u in units)
    return {"units": [{"code": u.code, "name": u.name, "tier": u.tier, "depth": u.path.count("/") - 2} for u in units],
            "tiers": {tier: tiers.get(tier, 0) for tier in ("district", "park", "township", "village")},
            "published_items": len(published), "cases": totals["cases"]}
