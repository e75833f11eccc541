"""The 送达 command: a case's own delivery, or 一窗出件 when the case is a 一件事 package."""

from sqlalchemy import select, update

from engine.domain.actor import Actor
from engine.domain.errors import Conflict
from engine.services.delivery import package_handover
from engine.services.delivery.handover import Delivery, check, deliver_locked, require_worker
from engine.store import tables as t


def deliver(ctx, case_id: int, d: Delivery, actor: Actor) -> dict:
    d = check(d)
    with ctx.uow.begin() as tx:
        if package_handover.is_package_case(tx, case_id):
            return package_handover.deliver_locked(ctx, tx, case_id, d, actor)     # 一窗出件
        loaded = tx.cases.lock(case_id)
        origin = tx.execute(select(t.case.c.origin_org_unit_id).where(t.case.c.id == case_id)).scalar_one()
        require_worker(ctx, tx, actor, [case_id], origin)
        if loaded.status not in ("running", "completed"):
            raise Conflict(f"case {loaded.number} is {loaded.status}", code="case_closed")
        now = ctx.clock.now()
        doc = deliver_locked(ctx, tx, loaded, d, actor, now)
        tx.execute(update(t.case).where(t.case.c.id == loaded.id).values(
            audit_seq=loaded.audit.seq, audit_head=loaded.audit.head))
        tx.cases.write_events(loaded)
        return doc
