"""The 送达 command: a case's own delivery, or 一窗出件 when the case is a 一件事 package."""
import engine.services.delivery.package_handover as package_handover
from engine.domain import lifecycle as lc
from engine.domain.actor import Actor
from engine.domain.errors import Conflict
from engine.services.cases import lifecycle
from engine.services.delivery.handover import Delivery, check, deliver_locked, require_worker


def deliver(ctx, case_id: int, d: Delivery, actor: Actor) -> dict:
    d = check(d)
    with ctx.uow.begin() as tx:
        if package_handover.is_package_case(tx, case_id):
            return package_handover.deliver_locked(ctx, tx, case_id, d, actor)     # 一窗出件
        loaded = tx.cases.lock(case_id)
        require_worker(ctx, tx, actor, [case_id], loaded.origin_org_unit_id)
        if loaded.status not in ("running", "completed"):
            raise Conflict(f"case {loaded.number} is {loaded.status}", code="case_closed")
        if lifecycle.state_of(tx, case_id) in lc.DELIVERABLE and tx.tasks.open_of_case(case_id):
            raise Conflict(f"case {loaded.number} still has an open task; complete it before delivering",
                           code="delivery_blocked_by_open_task")
        now = ctx.clock.now()
        doc = deliver_locked(ctx, tx, loaded, d, actor, now)
        tx.cases.record_events(loaded, now)       # updated_at is `now` already (deliver_locked)
        return doc
