"""What the console's migration page (docs/migration.md#the-console-page) shows before anything is
validated: both versions' elements, the plan a designer starts from (every element whose id is in
both versions with the same kind, mapped to itself) and the running cases of the source version
to choose from. Reads only."""
from __future__ import annotations

import engine.services.migration.plans as plans
from engine.domain.actor import Actor
from engine.services.accounts import access

MAX_LISTED = 1000           # running cases listed to choose from (all of them may still be migrated)


_NEVER_ACTIVE = ("startEvent", "endEvent")     # a case is never at one: nothing to map


def _elements(described: dict) -> list[dict]:
    return [{"id": e.id, "name": e.name, "kind": e.kind, "scope": e.scope, "loop": e.loop}
            for e in sorted(described.values(), key=lambda e: (e.scope, e.id)) if e.kind not in _NEVER_ACTIVE]


def overview(ctx, source_id: int, target_id: int, actor: Actor) -> dict:
    access.require_role(actor, "designer", "admin")
    with ctx.uow.read() as tx:
        checked = plans.check(ctx, tx, source_id, target_id, {})
        running, listed = tx.cases.running_listing(source_id, MAX_LISTED)
    generated = {eid: eid for eid, element in checked.source.items()
                 if eid in checked.target and checked.target[eid].kind == element.kind
                 and element.kind not in _NEVER_ACTIVE}
    return {"source_definition_id": source_id, "target_definition_id": target_id, "key": checked.key,
            "source_version": checked.source_version, "target_version": checked.target_version,
            "source_elements": _elements(checked.source), "target_elements": _elements(checked.target),
            "mapping": generated, "running": running, "cases": listed}
