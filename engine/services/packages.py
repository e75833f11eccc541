"""一件事 packages (DOMAIN.md §8): define a package over published items, start it (one parent case
and one child case per member, in ONE transaction), withdraw it (cascades to open children), and
read its combined result. docs/packages.md explains the representation.

Lock order (PostgreSQL row locks): the children of a package in ascending id, then the parent.
A command on one child (task completion, timer, withdrawal) locks that child, then the parent
when the child closes; a command on the whole package (withdrawal, 一窗出件) locks every child
first (`lock_package`). So two commands on one package never wait on each other in a cycle."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import or_, select, update

from engine.domain import packages as rules
from engine.domain.errors import Conflict, NotFound, ValidationError
from engine.services import access, definitions, forms, org, progress
from engine.services.context import Actor
from engine.store import tables as t

PACKAGE_PROCESS = "yijianshi_package"     # workflows/yijianshi_package.bpmn: the parent waits for its children
_I, _P, _C = t.item_implementation.c, t.item_package.c, t.case.c


@dataclass(frozen=True)
class PackageSpec:
    code: str
    name: str
    lead_department: str
    members: list
    promise_limit: Optional[int] = None


def _member(conn, code: str, index: int):
    row = conn.execute(select(t.item_implementation).where(or_(_I.code == code, _I.local_code == code),
                                                           _I.status == "published")).first()
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
    with ctx.uow.begin() as conn:
        if conn.execute(select(_P.id).where(_P.code == spec.code)).first() is not None:
            raise Conflict(f"package {spec.code} already exists", code="package_exists", field="code")
        if conn.execute(select(_I.id).where(or_(_I.code == spec.code, _I.local_code == spec.code))).first():
            raise Conflict(f"code {spec.code} is already an item's code", code="package_code_taken", field="code")
        if spec.lead_department not in org.directory(ctx, conn).department_codes:
            raise ValidationError(f"department {spec.lead_department!r} does not exist", code="department_unknown",
                                  field="lead_department")
        rows = [_member(conn, code, i) for i, code in enumerate(spec.members)]
        schemas = []
        for row in rows:
            definition = definitions.latest(ctx, conn, row.process_key)
            if definition is None:
                raise ValidationError(f"process {row.process_key!r} of {row.code} is not deployed",
                                      code="definition_not_found", field="members")
            schemas.append((row.code, forms.application_schema(ctx, conn, definition.id, row.application_form)))
        merged, fields = rules.merge_forms(spec.name, schemas)
        materials = rules.merge_materials([(r.code, r.materials) for r in rows])
        promise = spec.promise_limit or max((r.promise_limit or 0) for r in rows) or rules.MAX_PROMISE_WORKDAYS
        if not 0 < promise <= rules.MAX_PROMISE_WORKDAYS:
            raise ValidationError(f"a joint-handling package is promised within {rules.MAX_PROMISE_WORKDAYS} working "
                                  "days (行政许可法 Art. 26/42)", code="package_promise_invalid", field="promise_limit")
        if definitions.latest(ctx, conn, PACKAGE_PROCESS) is None:
            raise ValidationError(f"process {PACKAGE_PROCESS!r} is not deployed", code="definition_not_found",
                                  field="code")
        now = ctx.clock.now()
        legal = max((r.legal_limit or 0) for r in rows) or rules.MAX_PROMISE_WORKDAYS
        impl_id = conn.execute(t.item_implementation.insert().values(
            code=spec.code, version=1, status="published", name=spec.name, category="package",
            process_key=PACKAGE_PROCESS, deciding_tier=rows[0].deciding_tier, org_unit_id=rows[0].org_unit_id,
            tier=rows[0].tier, deciding_department=spec.lead_department,
            accepting_tiers=sorted({tier for r in rows for tier in (r.accepting_tiers or [])}),
            legal_limit=min(legal, rules.MAX_PROMISE_WORKDAYS), legal_unit="workday", promise_limit=promise,
            promise_unit="workday", extension_limit=15, project_type="promised",
            handle_forms=sorted({h for r in rows for h in (r.handle_forms or [])}), fees=[], materials=materials,
            guide={}, attrs={"package": True}, created_at=now, published_at=now)
            .returning(_I.id)).scalar_one()
        members = [{"code": r.code, "name": r.name, "fields": fields[r.code]} for r in rows]
        conn.execute(t.item_package.insert().values(
            code=spec.code, name=spec.name, lead_department=spec.lead_department, implementation_id=impl_id,
            members=members, form=merged, materials=materials, promise_limit=promise, promise_unit="workday",
            created_at=now))
    return get_package(ctx, spec.code)


def get_package(ctx, code: str) -> dict:
    with ctx.uow.read() as conn:
        row = conn.execute(select(t.item_package).where(_P.code == code)).first()
    if row is None:
        raise NotFound(f"package {code!r} does not exist", code="package_not_found", field="code")
    return {"code": row.code, "name": row.name, "lead_department": row.lead_department, "members": row.members,
            "form": row.form, "materials": row.materials, "promise_limit": row.promise_limit,
            "promise_unit": row.promise_unit}


@dataclass(frozen=True)
class StartPackage:
    code: str
    window_id: int
    applicant: dict
    form: dict = field(default_factory=dict)
    channel: str = "window"


def start_package(ctx, cmd: StartPackage, actor: Actor) -> dict:
    """One parent case and one child case per member, all or nothing. Each child gets the
    fields of the merged form its own application form has, and is validated against it."""
    from engine.services import cases
    if not isinstance(cmd.form, dict):
        raise ValidationError("form must be an object", code="form_invalid", field="form")
    with ctx.uow.begin() as conn:
        pkg = conn.execute(select(t.item_package).where(_P.code == cmd.code)).first()
        if pkg is None:
            raise NotFound(f"package {cmd.code!r} does not exist", code="package_not_found", field="code")
        forms.check(ctx, ("package", pkg.id), pkg.form, cmd.form, "form")
        parent = cases.start_case(ctx, cases.StartCase(pkg.code, cmd.window_id, cmd.applicant, dict(cmd.form),
                                                       cmd.channel), actor, conn=conn)
        children = []
        for member in pkg.members:
            own = {k: v for k, v in cmd.form.items() if k in member["fields"]}
            child = cases.start_case(ctx, cases.StartCase(member["code"], cmd.window_id, cmd.applicant, own,
                                                          cmd.channel), actor, conn=conn, parent_case_id=parent.case_id)
            children.append({"item_code": member["code"], "case_id": child.case_id, "number": child.number,
                             "tasks": list(child.tasks)})
    return {"case_id": parent.case_id, "number": parent.number, "package": pkg.code, "children": children}


# a child that ended without a decision: withdrawn (撤件), not accepted (不予受理), returned (退件)
_CLOSED_UNDECIDED = ("withdrawn", "not_accepted", "returned")


def _outcome(ctx, conn, row, known: dict) -> str:
    if row.id in known:
        return known[row.id]
    if row.status == "running":
        return "open"
    if row.status in _CLOSED_UNDECIDED:
        return row.status
    if row.decision in ("granted", "refused"):
        return row.decision
    definitions.load(ctx, conn, row.definition_id)
    decision = ctx.runtime.data(ctx.runtime.loads(row.state)).get("decision")
    return decision if decision in ("granted", "refused") else "completed"


def _children(ctx, conn, parent_id: int, known: dict) -> list[dict]:
    rows = conn.execute(select(_C.id, _C.number, _C.status, _C.decision, _C.definition_id, _C.state,
                               _I.code.label("item_code"), _I.name.label("item_name"))
                        .join(t.item_implementation, _I.id == _C.item_id)
                        .where(_C.parent_case_id == parent_id).order_by(_C.id)).all()
    return [{"case_id": r.id, "number": r.number, "item_code": r.item_code, "item_name": r.item_name,
             "status": r.status, "outcome": _outcome(ctx, conn, r, known)} for r in rows]


def children_of(ctx, conn, parent_id: int) -> list[dict]:
    """The children of a package case with their outcome now."""
    return _children(ctx, conn, parent_id, {})


def after_child_step(ctx, conn, case, actor: Actor, now) -> None:
    """After a task completed: when that ended a child case, refresh its parent's result."""
    if case.status == "running" or (case.parent_read and case.parent_case_id is None):
        return                      # (the parent was read with the case lock: no query)
    decision = ctx.runtime.data(case.workflow).get("decision") if case.workflow is not None else None
    outcome = decision if decision in ("granted", "refused") else "completed"
    if case.status in _CLOSED_UNDECIDED:
        outcome = case.status
    child_closed(ctx, conn, case.id, actor, now, {case.id: outcome})


def child_closed(ctx, conn, case_id: int, actor: Actor, now, known: Optional[dict] = None) -> None:
    parent_id = conn.execute(select(_C.parent_case_id).where(_C.id == case_id)).scalar()
    if parent_id is None:
        return
    parent = progress.lock_case(ctx, conn, parent_id)
    if parent.status != "running":
        return
    children = _children(ctx, conn, parent_id, known or {})
    status, lifecycle, decision = rules.combined_result([c["outcome"] for c in children])
    if status == "running":
        return
    conn.execute(update(t.timer).where(t.timer.c.case_id == parent_id, t.timer.c.state == "pending")
                 .values(state="cancelled"))
    parent.audit.add("package_result", actor, now, {"lifecycle": lifecycle, "decision": decision, "items": [
        {"number": c["number"], "item": c["item_code"], "outcome": c["outcome"]} for c in children]})
    conn.execute(update(t.case).where(_C.id == parent_id).values(
        status=status, lifecycle=lifecycle, decision=decision, decided_at=now, clock_status="stopped",
        completed_at=now, updated_at=now, next_timer_at=None, version=parent.version + 1,
        audit_seq=parent.audit.seq, audit_head=parent.audit.head))
    parent.audit.flush(conn)
    ctx.workflows.checkout(parent_id, parent.version)


def package_case(ctx, case_id: int, actor: Actor) -> dict:
    """The combined result, derived from the children as they are now."""
    with ctx.uow.read() as conn:
        access.require_case_access(ctx, conn, actor, case_id)
        row = conn.execute(select(_C.id, _C.number, _C.status, _C.lifecycle, _C.promise_due, _P.code, _P.name,
                                  _P.lead_department)
                           .join(t.item_package, _P.implementation_id == _C.item_id).where(_C.id == case_id)).first()
        if row is None:
            raise NotFound(f"case {case_id} is not a package case", code="package_case_not_found")
        children = _children(ctx, conn, case_id, {})
    status, lifecycle, decision = rules.combined_result([c["outcome"] for c in children])
    return {"case_id": row.id, "number": row.number, "package": row.code, "name": row.name,
            "lead_department": row.lead_department, "status": row.status, "promise_due": row.promise_due,
            "result": {"status": status, "lifecycle": lifecycle, "decision": decision}, "children": children}


def lock_package(ctx, conn, parent_id: int):
    """Lock every child in ascending id, then the parent (the global order, see the module doc);
    returns (parent, children) as LoadedCase."""
    ids = conn.execute(select(_C.id).where(_C.parent_case_id == parent_id).order_by(_C.id)).scalars().all()
    children = [progress.lock_case(ctx, conn, child_id) for child_id in ids]
    return progress.lock_case(ctx, conn, parent_id), children


def withdraw_package(ctx, case_id: int, reason: str, actor: Actor) -> None:
    """撤件 of the package: the parent and every open child, in one transaction."""
    from engine.services import cases
    with ctx.uow.begin() as conn:
        is_package = conn.execute(select(_P.id).join(t.case, _C.item_id == _P.implementation_id)
                                  .where(_C.id == case_id)).first()
        if is_package is None:
            access.require_case_access(ctx, conn, actor, case_id)
            raise NotFound(f"case {case_id} is not a package case", code="package_case_not_found")
        _parent, children = lock_package(ctx, conn, case_id)
        # the parent is withdrawn first so that closing its children does not refresh its result;
        # its children were locked before it, and are read again after the locks (a child that
        # closed meanwhile is no longer withdrawn)
        cases.withdraw(ctx, case_id, reason, actor, conn=conn)
        for child_id in conn.execute(select(_C.id).where(_C.id.in_([c.id for c in children]),
                                                         _C.status == "running").order_by(_C.id)).scalars().all():
            cases.withdraw(ctx, child_id, reason, actor, conn=conn)
        conn.execute(update(t.case).where(_C.id == case_id).values(lifecycle="withdrawn"))

