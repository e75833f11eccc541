"""The overview page of the demo (public, no login): the organisation, the catalogue's entries,
the newest version of each deployed process and a few totals — nothing about a person."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Overview:
    units: list                # org unit rows in tree order (path, name, tier, code)
    items: list                # implementation entry rows, every version, by code
    definitions: list          # (process key, newest version), by key
    counts: dict               # {cases, open_tasks, pending_timers}


def overview(ctx) -> Overview:
    with ctx.uow.read() as tx:
        return Overview(tx.supervision.org_units(), tx.catalogue.all_versions(), tx.definitions.latest_versions(),
                        tx.supervision.totals())
