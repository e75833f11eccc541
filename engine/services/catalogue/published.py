"""Reading the published catalogue: the public guide (办事指南, no login), and the export that an
import reads back unchanged."""
from __future__ import annotations

from typing import Optional

from sqlalchemy import or_, select

from engine.domain.actor import Actor
from engine.domain.catalogue import CATEGORIES, FIELD_NAMES, TIERS
from engine.domain.catalogue_files import FORMATS, to_csv, to_json
from engine.domain.errors import NotFound, ValidationError
from engine.services.accounts import access
from engine.store import tables as t
from engine.store.models import OrgUnit
from engine.store.uow import Transaction

_I, _S = t.item_implementation.c, t.service_item.c
_PUBLISHED = (select(t.item_implementation, _S.code.label("basic_code"), _S.legal_basis, _S.power_source,
                     OrgUnit.code.label("org_unit"), OrgUnit.name.label("org_unit_name"))
              .join(t.service_item, _S.id == _I.service_item_id)
              .join(OrgUnit, OrgUnit.id == _I.org_unit_id)
              .where(_I.status == "published"))
SUMMARY = ("code", "local_code", "version", "name", "category", "tier", "org_unit", "org_unit_name", "body_name",
           "accepting_tiers", "delegation_mode", "project_type", "promise_limit", "promise_unit", "handle_forms",
           "online_depth", "mobile", "express", "onsite_visits", "fee_required")


def published(tx: Transaction) -> list:
    return tx.execute(_PUBLISHED.order_by(_I.code)).all()


def entry_row(r) -> dict:
    """A published version in the import format (engine/domain/catalog.py FIELD_NAMES)."""
    return {name: getattr(r, name) for name in FIELD_NAMES}


def export_catalogue(ctx, fmt: str, actor: Actor) -> bytes:
    access.require_role(actor, "admin")
    if fmt not in FORMATS:
        raise ValidationError(f"format is one of {', '.join(FORMATS)}", code="catalogue_format_unknown", field="format")
    with ctx.uow.read() as tx:
        rows = [entry_row(r) for r in published(tx)]
    return to_json(rows) if fmt == "json" else to_csv(rows)


def list_guides(ctx, *, tier: Optional[str] = None, category: Optional[str] = None, keyword: Optional[str] = None,
                accepting_tier: Optional[str] = None) -> list[dict]:
    """Published items for the public: filter by the implementing tier, category, a keyword (name,
    codes, implementing body) and a tier whose windows accept the item."""
    for name, value, allowed in (("tier", tier, TIERS), ("accepting_tier", accepting_tier, TIERS),
                                 ("category", category, CATEGORIES)):
        if value is not None and value not in allowed:
            raise ValidationError(f"{name} is one of {', '.join(allowed)}", code=f"{name}_unknown", field=name)
    q = _PUBLISHED.order_by(_I.code)
    if tier:
        q = q.where(_I.tier == tier)
    if category:
        q = q.where(_I.category == category)
    if keyword and keyword.strip():
        like = f"%{keyword.strip()}%"
        q = q.where(or_(_I.name.like(like), _I.code.like(like), _I.local_code.like(like), _I.body_name.like(like)))
    with ctx.uow.read() as tx:
        rows = tx.execute(q).all()
    return [{k: getattr(r, k) for k in SUMMARY} for r in rows
            if accepting_tier is None or accepting_tier in (r.accepting_tiers or ())]


def guide(ctx, code: str) -> dict:
    """One published item's guide, by national or local implementation code."""
    with ctx.uow.read() as tx:
        r = tx.execute(_PUBLISHED.where(or_(_I.code == code, _I.local_code == code))).first()
    if r is None:
        raise NotFound(f"no published item has the code {code!r}", code="item_not_found", field="code")
    out = entry_row(r)
    out.update(version=r.version, org_unit_name=r.org_unit_name, published_at=r.published_at)
    return out
