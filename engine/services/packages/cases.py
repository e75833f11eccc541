"""一件事 packages (docs/packages.md#domain-rules): define a package over published items, start it (one parent case
and one child case per member, in ONE transaction), withdraw it (cascades to open children), and
read its combined result. docs/packages.md explains the representation.

Lock order (PostgreSQL row locks): the children of a package in ascending id, then the parent.
A command on one child (task completion, timer, withdrawal) locks that child, then the parent
when the child closes; a command on the whole package (withdrawal, 一窗出件) locks every child
first (`lock_package`). So two commands on one package never wait on each other in a cycle."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from engine.domain import packages as rules
from engine.domain.actor import Actor
from engine.domain.errors import NotFound, ValidationError
from engine.services import cases
from engine.services.accounts import access
from engine.services.cases.parents import children_of, lock_package
from engine.services.definitions import forms


@dataclass(frozen=True)
class StartPackage:
    code: str
    window_id: int
    applicant: dict
    form: dict = field(default_factory=dict)
    channel: str = "window"


def start_package(ctx, cmd: StartPackage, actor: Actor, idempotency_key: Optional[str] = None) -> dict:
    """One parent case and one child case per member, all or nothing. Each child gets the
    fields of the merged form its own application form has, and is validated against it. With
    an `idempotency_key`, a retried request gets the first answer instead of a second package."""
    if not isinstance(cmd.form, dict):
        raise ValidationError("form must be an object", code="form_invalid", field="form")
    if idempotency_key and actor.staff_id:
        request = [cmd.code, cmd.window_id, cmd.applicant, cmd.form, cmd.channel]
        return cases.run_once(ctx, actor, idempotency_key, "package", request, lambda tx: _start(ctx, tx, cmd, actor))
    with ctx.uow.begin() as tx:
        return _start(ctx, tx, cmd, actor)


def _start(ctx, tx, cmd: StartPackage, actor: Actor) -> dict:
    """The parent and its children, in the caller's transaction."""
    pkg = tx.packages.by_code(cmd.code)
    if pkg is None:
        raise NotFound(f"package {cmd.code!r} does not exist", code="package_not_found", field="code")
    forms.check(ctx, ("package", pkg.id), pkg.form, cmd.form, "form")
    parent = cases.start_case(ctx, cases.StartCase(pkg.code, cmd.window_id, cmd.applicant, dict(cmd.form),
                                                   cmd.channel), actor, tx=tx)
    children = []
    for member in pkg.members:
        own = {k: v for k, v in cmd.form.items() if k in member["fields"]}
        child = cases.start_case(ctx, cases.StartCase(member["code"], cmd.window_id, cmd.applicant, own,
                                                      cmd.channel), actor, tx=tx, parent_case_id=parent.case_id)
        children.append({"item_code": member["code"], "case_id": child.case_id, "number": child.number,
                         "tasks": list(child.tasks)})
    return {"case_id": parent.case_id, "number": parent.number, "package": pkg.code, "children": children}


def package_case(ctx, case_id: int, actor: Actor) -> dict:
    """The combined result, derived from the children as they are now."""
    with ctx.uow.read() as tx:
        access.require_case_access(ctx, tx, actor, case_id)
        row = tx.packages.package_case(case_id)
        if row is None:
            raise NotFound(f"case {case_id} is not a package case", code="package_case_not_found")
        children = children_of(ctx, tx, case_id)
    status, lifecycle, decision = rules.combined_result([c["outcome"] for c in children])
    return {"case_id": row.id, "number": row.number, "package": row.code, "name": row.name,
            "lead_department": row.lead_department, "status": row.status, "promise_due": row.promise_due,
            "result": {"status": status, "lifecycle": lifecycle, "decision": decision}, "children": children}


def withdraw_package(ctx, case_id: int, reason: str, actor: Actor) -> None:
    """撤件 of the package: the parent and every open child, in one transaction."""
    with ctx.uow.begin() as tx:
        if not tx.packages.is_package_case(case_id):
            access.require_case_access(ctx, tx, actor, case_id)
            raise NotFound(f"case {case_id} is not a package case", code="package_case_not_found")
        _parent, children = lock_package(ctx, tx, case_id)
        # the parent is withdrawn first (its lifecycle becomes withdrawn) so that closing its
        # children does not refresh its result; its children were locked before it, and are read
        # again after the locks (a child that closed meanwhile is no longer withdrawn)
        cases.withdraw(ctx, case_id, reason, actor, tx=tx)
        for child_id in tx.cases.running_among([c.id for c in children]):
            cases.withdraw(ctx, child_id, reason, actor, tx=tx)

