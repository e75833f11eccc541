"""Defining a 一件事 package over published items: the merged form and material set are built
when it is defined, so a conflict is found then, not when an applicant fills it in."""
from dataclasses import dataclass
from typing import Optional

from engine.domain import packages as rules
from engine.domain.actor import Actor
from engine.domain.errors import Conflict, NotFound, ValidationError
from engine.services import definitions
from engine.services.accounts import access, org
from engine.services.definitions import forms
from engine.store.uow import Transaction

PACKAGE_PROCESS = "yijianshi_package"     # workflows/yijianshi_package.bpmn: the parent waits for its children


@dataclass(frozen=True)
class PackageSpec:
    code: str
    name: str
    lead_department: str
    members: list
    promise_limit: Optional[int] = None


def _member(tx: Transaction, code: str, index: int):
    row = tx.catalogue.published_version(code)
    if row is None or row.category == "package":
        raise ValidationError(f"member {code!r} is not a published item", code="package_member_unknown",
                              field=f"members.{index}")
    return row


def define_package(ctx, spec: PackageSpec, actor: Actor) -> dict:
    """Build the merged form and material set now, so a conflict is found when the package is
    defined, not when an applicant fills it in."""
    access.require_role(actor, "admin")
    if len(set(spec.members)) < 2 or len(set(spec.members)) != len(spec.members):
        raise ValidationError("a package joins at least two different items", code="package_members_invalid",
                              field="members")
    with ctx.uow.begin() as tx:
        if tx.packages.by_code(spec.code) is not None:
            raise Conflict(f"package {spec.code} already exists", code="package_exists", field="code")
        if tx.catalogue.code_taken(spec.code):
            raise Conflict(f"code {spec.code} is already an item's code", code="package_code_taken", field="code")
        if spec.lead_department not in org.directory(ctx, tx).department_codes:
            raise ValidationError(f"department {spec.lead_department!r} does not exist", code="department_unknown",
                                  field="lead_department")
        rows = [_member(tx, code, i) for i, code in enumerate(spec.members)]
        schemas = []
        for row in rows:
            definition = definitions.latest(ctx, tx, row.process_key)
            if definition is None:
                raise ValidationError(f"process {row.process_key!r} of {row.code} is not deployed",
                                      code="definition_not_found", field="members")
            schemas.append((row.code, forms.application_schema(ctx, tx, definition.id, row.application_form)))
        merged, fields = rules.merge_forms(spec.name, schemas)
        materials = rules.merge_materials([(r.code, r.materials) for r in rows])
        promise = spec.promise_limit or max((r.promise_limit or 0) for r in rows) or rules.MAX_PROMISE_WORKDAYS
        if not 0 < promise <= rules.MAX_PROMISE_WORKDAYS:
            raise ValidationError(f"a joint-handling package is promised within {rules.MAX_PROMISE_WORKDAYS} working "
                                  "days (行政许可法 Art. 26/42)", code="package_promise_invalid", field="promise_limit")
        if definitions.latest(ctx, tx, PACKAGE_PROCESS) is None:
            raise ValidationError(f"process {PACKAGE_PROCESS!r} is not deployed", code="definition_not_found",
                                  field="code")
        now = ctx.clock.now()
        legal = max((r.legal_limit or 0) for r in rows) or rules.MAX_PROMISE_WORKDAYS
        # the package's own implementation entry, published at once: its parent case runs against it
        impl_id = tx.catalogue.insert_version(spec.code, 1, "published", {
            "name": spec.name, "category": "package", "process_key": PACKAGE_PROCESS,
            "deciding_tier": rows[0].deciding_tier, "org_unit_id": rows[0].org_unit_id, "tier": rows[0].tier,
            "deciding_department": spec.lead_department,
            "accepting_tiers": sorted({tier for r in rows for tier in (r.accepting_tiers or [])}),
            "legal_limit": min(legal, rules.MAX_PROMISE_WORKDAYS), "legal_unit": "workday", "promise_limit": promise,
            "promise_unit": "workday", "extension_limit": 15, "project_type": "promised",
            "handle_forms": sorted({h for r in rows for h in (r.handle_forms or [])}), "fees": [],
            "materials": materials, "guide": {}}, attrs={"package": True}, created_at=now, published_at=now)
        members = [{"code": r.code, "name": r.name, "fields": fields[r.code]} for r in rows]
        tx.packages.insert(code=spec.code, name=spec.name, lead_department=spec.lead_department,
                           implementation_id=impl_id, members=members, form=merged, materials=materials,
                           promise_limit=promise, promise_unit="workday", created_at=now)
    return get_package(ctx, spec.code)


def get_package(ctx, code: str) -> dict:
    with ctx.uow.read() as tx:
        row = tx.packages.by_code(code)
    if row is None:
        raise NotFound(f"package {code!r} does not exist", code="package_not_found", field="code")
    return {"code": row.code, "name": row.name, "lead_department": row.lead_department, "members": row.members,
            "form": row.form, "materials": row.materials, "promise_limit": row.promise_limit,
            "promise_unit": row.promise_unit}
