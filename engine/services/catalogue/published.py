"""Reading the published catalogue: the public guide (办事指南, no login), the service items that
cases are started for, and the export that an import reads back unchanged."""
from __future__ import annotations

from typing import Optional

from engine.domain.actor import Actor
from engine.domain.catalogue import CATEGORIES, FIELD_NAMES, TIERS
from engine.domain.catalogue_files import FORMATS, to_csv, to_json
from engine.domain.errors import NotFound, ValidationError
from engine.services.accounts import access
from engine.store.uow import Transaction

SUMMARY = ("code", "local_code", "version", "name", "category", "tier", "org_unit", "org_unit_name", "body_name",
           "accepting_tiers", "delegation_mode", "project_type", "promise_limit", "promise_unit", "handle_forms",
           "online_depth", "mobile", "express", "onsite_visits", "fee_required")


def entry_row(r) -> dict:
    """A published version in the import format (engine/domain/catalogue.py FIELD_NAMES)."""
    return {name: getattr(r, name) for name in FIELD_NAMES}


def export_catalogue(ctx, fmt: str, actor: Actor) -> bytes:
    access.require_role(actor, "admin")
    if fmt not in FORMATS:
        raise ValidationError(f"format is one of {', '.join(FORMATS)}", code="catalogue_format_unknown", field="format")
    with ctx.uow.read() as tx:
        rows = [entry_row(r) for r in tx.catalogue.published()]
    return to_json(rows) if fmt == "json" else to_csv(rows)


def list_guides(ctx, *, tier: Optional[str] = None, category: Optional[str] = None, keyword: Optional[str] = None,
                accepting_tier: Optional[str] = None) -> list[dict]:
    """Published items for the public: filter by the implementing tier, category, a keyword (name,
    codes, implementing body) and a tier whose windows accept the item."""
    for name, value, allowed in (("tier", tier, TIERS), ("accepting_tier", accepting_tier, TIERS),
                                 ("category", category, CATEGORIES)):
        if value is not None and value not in allowed:
            raise ValidationError(f"{name} is one of {', '.join(allowed)}", code=f"{name}_unknown", field=name)
    with ctx.uow.read() as tx:
        rows = tx.catalogue.published(tier=tier, category=category, keyword=keyword.strip() if keyword else None)
    return [{k: getattr(r, k) for k in SUMMARY} for r in rows
            if accepting_tier is None or accepting_tier in (r.accepting_tiers or ())]


def guide(ctx, code: str) -> dict:
    """One published item's guide, by national or local implementation code."""
    with ctx.uow.read() as tx:
        r = tx.catalogue.published_guide(code)
        halls = tx.catalogue.unit_halls(r.org_unit_id) if r is not None else []
    if r is None:
        raise NotFound(f"no published item has the code {code!r}", code="item_not_found", field="code")
    out = entry_row(r)
    out.update(version=r.version, org_unit_name=r.org_unit_name, published_at=r.published_at,
               halls=[{"name": h.name, "closes_at": h.closes_at, "hours": h.hours or None} for h in halls])
    return out


def published_items(ctx) -> list[dict]:
    """Every published implementation entry with its time limits and process (service items that
    cases are started for)."""
    with ctx.uow.read() as tx:
        return [r._asdict() for r in tx.catalogue.published_items()]


def published_item(ctx, code: str) -> dict:
    """The published version of an entry by national or local implementation code."""
    with ctx.uow.read() as tx:
        row = tx.catalogue.published_item(code)
    if row is None:
        raise NotFound(f"service item {code!r} does not exist", code="item_not_found", field="code")
    return row._asdict()


def items_of_process(tx: Transaction, process_key: str) -> list:
    """The published items that run a process."""
    return [i for i in tx.catalogue.published_items() if i.process_key == process_key]


def item_of_process(tx: Transaction, process_key: str, item_code: Optional[str], field_name: str,
                    starter: str = "this message"):
    """The published item that runs a process, for a case a system starts (a message start event,
    a start schedule): the one item, or the one `item_code` names among several."""
    items = items_of_process(tx, process_key)
    if item_code is not None:
        items = [i for i in items if item_code in (i.code, i.local_code)]
        if not items:
            raise ValidationError(f"{item_code!r} is not a published item of process {process_key!r}",
                                  code="item_not_of_process", field=field_name)
    if not items:
        raise ValidationError(f"no published service item runs process {process_key!r}, which {starter} "
                              f"starts: publish one in the catalogue first", code="process_not_offered",
                              field="name" if starter == "this message" else field_name)
    if len(items) > 1:
        raise ValidationError(f"several published items run process {process_key!r} "
                              f"({', '.join(i.local_code or i.code for i in items)}): name one ({field_name})",
                              code="item_ambiguous", field=field_name)
    return items[0]
