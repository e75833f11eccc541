"""撤件: the applicant (or a clerk for her) withdraws a running case."""
from contextlib import nullcontext
from typing import Optional

import engine.services.cases.lifecycle as lifecycle
import engine.services.cases.parents as parents
from engine.domain.actor import Actor
from engine.domain.errors import Conflict, ValidationError
from engine.services.accounts import access
from engine.store.uow import Transaction


def withdraw(ctx, case_id: int, reason: str, actor: Actor, *, tx: Optional[Transaction] = None) -> None:
    """撤件: the applicant (or a clerk for her) withdraws a running case. Open tasks close, every
    pending timer is cancelled and the clock stops; the trail keeps the reason. In the caller's
    `tx` when given (a package withdraws its open children in one transaction)."""
    if not (reason or "").strip():
        raise ValidationError("a withdrawal needs a reason", code="withdraw_reason_required", field="reason")
    with nullcontext(tx) if tx is not None else ctx.uow.begin() as tx:
        case = tx.cases.lock(case_id)
        access.require_case_access(ctx, tx, actor, case_id)
        if case.status != "running":
            raise Conflict(f"case {case.number} is {case.status}", code="case_not_running")
        now = ctx.clock.now()
        lifecycle.move(tx, case, ["withdraw"], actor, now, reason=reason[:500])
        lifecycle.close(ctx, tx, case, "withdrawn", actor, now, "case_withdrawn", {"reason": reason[:500]})
        parents.child_closed(ctx, tx, case_id, actor, now)
