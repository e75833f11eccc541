"""What an online application needs before it can be sent (the applicant portal, issue 5):
the item's application form exactly as case start will validate it, and the windows that
receive the item. Read-only; any logged-in account.

Which windows receive an item: the rule of the channel statistics (docs/catalogue.md;
docs/glossary.md#acceptance-at-a-tier: 受理 counts as exercising the item at that level): a unit
whose tier is one of the item's accepting tiers, at or below the implementing body's unit; of its
windows those with a receiving post (receiver, or agent at a village 帮办代办 window). Case start
itself checks only the accepting tier (engine/services/catalogue require_accepting_tier), so every
window listed here is one start_case accepts."""
from __future__ import annotations

from engine.domain.actor import Actor
from engine.domain.errors import NotFound, ValidationError
from engine.domain.forms import canonical_key
from engine.domain.org import RECEIVING_ROLES
from engine.services import definitions
from engine.services.definitions import forms

def application(ctx, code: str, actor: Actor) -> dict:
    """{code, name, process_key, form_key, schema, windows: [{id, code, name, unit, unit_name, tier}]}"""
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
        rows = tx.catalogue.receiving_windows(item.org_unit_id, item.accepting_tiers or (), RECEIVING_ROLES)
    return {"code": item.code, "local_code": item.local_code, "name": item.name, "process_key": item.process_key,
            "form_key": canonical_key(key) if key else None, "schema": schema,
            "windows": [{"id": r.id, "code": r.code, "name": r.name, "unit": r.unit, "unit_name": r.unit_name,
                         "tier": r.tier} for r in rows]}
