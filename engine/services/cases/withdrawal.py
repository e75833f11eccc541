"""撤件: the applicant (or a clerk for her) withdraws a running case."""
from contextlib import nullcontext
from typing import Optional

from sqlalchemy.engine import Connection

from engine.domain.actor import Actor
from engine.domain.errors import Conflict, ValidationError
from engine.services.accounts import access
from engine.services.cases import lifecycle, parents, progress


def withdraw(ctx, case_id: int, reason: str, actor: Actor, *, conn: Optional[Connection] = None) -> None:
    """撤件: the applicant (or a clerk for her) withdraws a running case. Open tasks close, every
    pending timer is cancelled and the clock stops; the trail keeps the reason. In the caller's
    `conn` when given (a package withdraws its open children in one transaction)."""
    if not (reason or "").strip():
        raise ValidationError("a withdrawal needs a reason", code="withdraw_reason_required", field="reason")
    with nullcontext(conn) if conn is not None else ctx.uow.begin() as conn:
        case = progress.lock_case(ctx, conn, case_id)
        access.require_case_access(ctx, conn, actor, case_id)
        if case.status != "running":
            raise Conflict(f"case {case.number} is {case.status}", code="case_not_running")
        now = ctx.clock.now()
        lifecycle.move(conn, case, ["withdraw"], actor, now, reason=reason[:500])
        lifecycle.close(ctx, conn, case, "withdrawn", actor, now, "case_withdrawn", {"reason": reason[:500]})
        parents.child_closed(ctx, conn, case_id, actor, now)
