"""What an online application needs before it can be sent (the applicant portal, issue 5):
the item's application form exactly as case start will validate it, and the windows that
receive the item. Read-only; any logged-in account.

Which windows receive an item: the rule of the channel statistics (docs/catalogue.md;
docs/glossary.md#acceptance-at-a-tier: 受理 counts as exercising the item at that level): a unit
whose tier is one of the item's accepting tiers, at or below the implementing body's unit; of its
windows those with a receiving post (receiver, or agent at a village 帮办代办 window). Case start
itself checks only the accepting tier (engine/services/catalogue require_accepting_tier), so every
window listed here is one start_case accepts — except one from which a step of the item's process
cannot be routed (a department missing at the unit a step goes to, a gap in the tree): start
would refuse it (`item_not_routable_here`) or a later step would land in a supervisor's queue, so
such a window is not offered (docs/engine-core.md#routing-from-any-window)."""
from __future__ import annotations

from engine.domain.actor import Actor
from engine.domain.errors import NotFound, ValidationError
from engine.domain.forms import canonical_key
from engine.domain.org import RECEIVING_ROLES, unroutable_steps
from engine.services import definitions
from engine.services.accounts import org
from engine.services.definitions import forms
from engine.store.uow import Transaction


def receiving_windows(ctx, tx: Transaction, item, definition_id: int) -> list:
    """The windows that receive a published item (`published_for_application`'s row) and from
    which every step of the process version can be routed: those a case of it may start at."""
    rows = tx.catalogue.receiving_windows(item.org_unit_id, item.accepting_tiers or (), RECEIVING_ROLES)
    return _routable_windows(ctx, tx, definition_id, item.org_unit_id, rows)


def _routable_windows(ctx, tx: Transaction, definition_id: int, body_unit_id, rows) -> list:
    """The windows from which every step of the version can be routed."""
    steps = [(meta.id, meta.candidate_groups or ([meta.lane] if meta.lane else []))
             for meta in definitions.load(ctx, tx, definition_id).user_tasks.values()]
    directory = org.directory(ctx, tx)
    return [r for r in rows
            if not unroutable_steps(steps, lambda target, r=r: directory.route(target, r.org_unit_id, body_unit_id))]

def application(ctx, code: str, actor: Actor) -> dict:
    """{code, name, process_key, form_key, schema, windows: [{id, code, name, unit, unit_name, tier, hall}]},
    `hall` the window's hall with its opening hours (what is received after them counts from the
    next working day: docs/time-limits.md#deemed-receipt)."""
    with ctx.uow.read() as tx:
        item = tx.catalogue.published_for_application(code)
        if item is None:
            raise NotFound(f"no published item has the code {code!r}", code="item_not_found", field="code")
        if not {"online", "mail"} & set(item.handle_forms or ()):
            raise ValidationError(f"{item.name} is handled at the window only", code="online_not_offered",
                                  field="code")
        definition = definitions.latest(ctx, tx, item.process_key)
        if definition is None:
            raise NotFound(f"process {item.process_key!r} of item {item.code} is not deployed",
                           code="definition_not_found", field="code")
        key = forms.application_form_key(ctx, tx, definition.id, item.application_form)
        schema = forms.application_schema(ctx, tx, definition.id, item.application_form)
        rows = receiving_windows(ctx, tx, item, definition.id)
    return {"code": item.code, "local_code": item.local_code, "name": item.name, "process_key": item.process_key,
            "form_key": canonical_key(key) if key else None, "schema": schema,
            "windows": [{"id": r.id, "code": r.code, "name": r.name, "unit": r.unit, "unit_name": r.unit_name,
                         "tier": r.tier, "hall": _hall(r)} for r in rows]}


def _hall(r) -> dict:
    """A window's hall and its opening hours, as the public reads them."""
    return {"name": r.hall_name, "closes_at": r.closes_at, "hours": r.hours or None}
