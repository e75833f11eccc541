"""Authorization by role and org scope, enforced here in the service layer (the API only
authenticates): designers deploy, clerks work at their windows, supervisors see their subtree,
applicants their own cases, administrators everything."""
from __future__ import annotations

from engine.domain.actor import Actor
from engine.domain.errors import Forbidden, NotFound
from engine.services.accounts import org
from engine.store.uow import Transaction


def require_role(actor: Actor, *roles: str) -> None:
    if not actor.has_role(*roles):
        raise Forbidden(f"this needs the role {' or '.join(roles)}", code="role_required")


def require_window_post(ctx, tx: Transaction, actor: Actor, window_id: int) -> None:
    """Starting a case at a window: a post at that window (or admin)."""
    if actor.has_role("admin"):
        return
    if actor.kind == "applicant":
        return                       # applicants apply online to any window's unit; the case is theirs
    window = org.window(ctx, tx, window_id)
    posts = org.posts_of(ctx, tx, actor.staff_id) if actor.staff_id else []
    if not any(unit == window.org_unit_id for unit, _dept, _role in posts):
        raise Forbidden("you hold no post at this window's unit", code="window_not_yours", field="window_id")


def supervised_units(ctx, tx: Transaction, actor: Actor) -> list[int]:
    """Roots of the subtrees the actor supervises."""
    return [unit for unit, _dept, role in (org.posts_of(ctx, tx, actor.staff_id) if actor.staff_id else [])
            if role == "supervisor"]


def require_supervision(ctx, tx: Transaction, actor: Actor, unit_id: int) -> None:
    if actor.has_role("admin"):
        return
    directory = org.directory(ctx, tx)
    if not any(directory.in_subtree(unit_id, root) for root in supervised_units(ctx, tx, actor)):
        raise Forbidden("this unit is outside the part of the organisation you supervise",
                        code="outside_supervised_scope", field="unit_id")


def require_readable_case(ctx, tx: Transaction, actor: Actor, case_id: int) -> None:
    """The case exists (404) and the actor may read it (403): what a read of a case checks first."""
    if not tx.cases.exists(case_id):
        raise NotFound(f"case {case_id} does not exist", code="case_not_found")
    require_case_access(ctx, tx, actor, case_id, reading=True)


def require_case_access(ctx, tx: Transaction, actor: Actor, case_id: int, *, reading: bool = False) -> None:
    """Who may read a case (and act on its clock): the applicant who owns it; staff with a post
    at the receiving unit or at a unit one of its tasks was routed to; supervisors above it. To
    read it (`reading`), also the staff member an open step of it is assigned or offered to by
    name (camunda:assignee, camunda:candidateUsers), who may be outside those units."""
    if actor.has_role("admin"):
        return
    row = tx.cases.scope(case_id)
    if row is None:
        return                       # the caller reports not-found
    if actor.kind == "applicant":
        if row.applicant_account_id == actor.staff_id:
            return
        raise Forbidden("this is not your case", code="case_not_yours")
    posts = org.posts_of(ctx, tx, actor.staff_id) if actor.staff_id else []
    directory = org.directory(ctx, tx)
    units = {row.origin_org_unit_id} | tx.tasks.routed_units([case_id])
    for p_unit, _dept, role in posts:
        if role == "supervisor":
            if any(directory.in_subtree(u, p_unit) for u in units):
                return
        elif p_unit in units:
            return
    if reading and actor.staff_id and tx.tasks.named_on_open_task(case_id, actor.staff_id):
        return                       # the diagram named her on an open step (assignee, candidate user)
    raise Forbidden("this case is outside your windows and supervision scope", code="case_out_of_scope")


def works_on_units(ctx, tx: Transaction, actor: Actor, units: set[int]) -> bool:
    """Staff with a working post (not a supervisor's) at one of `units`, or an administrator:
    who delivers a case received at or routed to those units."""
    if actor.has_role("admin"):
        return True
    if actor.kind == "applicant" or actor.staff_id is None:
        return False
    return any(unit in units and role != "supervisor" for unit, _dept, role in org.posts_of(ctx, tx, actor.staff_id))


def is_head_above(ctx, tx: Transaction, actor: Actor, unit_id: int) -> bool:
    """A department head whose unit's subtree holds `unit_id`: who approves an extension."""
    if actor.staff_id is None or actor.kind == "applicant":
        return False
    directory = org.directory(ctx, tx)
    return any(role == "head" and directory.in_subtree(unit_id, p_unit)
               for p_unit, _dept, role in org.posts_of(ctx, tx, actor.staff_id))


def require_agency(actor: Actor) -> None:
    """The agency's commands on a case (the clock, 容缺): never its applicant."""
    if actor.kind == "applicant":
        raise Forbidden("only the agency can do this", code="agency_only")
