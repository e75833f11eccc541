"""一窗出件 for a 一件事 package (docs/packages.md#domain-rules): delivering the parent case hands over the result of
every decided child in the SAME transaction, with one delivery (one courier shipment, one tracking
number) and ONE combined 送达回执 on the parent listing each item's outcome. Children already
delivered on their own (e.g. a refusal served by its task) are listed, not delivered again.
Locks: every child in ascending id, then the parent (parents.lock_package, the global order)."""
from __future__ import annotations

import engine.services.delivery.handover as delivery
from engine.domain import lifecycle as lc
from engine.domain.actor import Actor
from engine.domain.errors import Conflict
from engine.domain.identity import mask_phone
from engine.services.cases import documents, parents
from engine.store.uow import Transaction

OUTCOME_NAMES = {"granted": "准予许可", "refused": "不予许可", "completed": "办结", "withdrawn": "已撤件",
                 "not_accepted": "不予受理", "returned": "退件"}
DECISION_NAMES = {"granted": "准予许可", "refused": "不予许可", "partial": "部分准予许可"}
_DELIVERABLE = (lc.DECIDED, lc.COMPLETED)


def is_package_case(tx: Transaction, case_id: int) -> bool:
    return tx.deliveries.is_package_case(case_id)


def deliver_locked(ctx, tx: Transaction, parent_id: int, d: delivery.Delivery, actor: Actor) -> dict:
    parent, children = parents.lock_package(ctx, tx, parent_id)
    row = tx.deliveries.package(parent_id)        # locked by lock_package: it exists
    delivery.require_worker(ctx, tx, actor, [c.id for c in children], row.origin_org_unit_id)
    if parent.status == "running":
        raise Conflict(f"package {parent.number} has items still being handled", code="package_not_decided")
    if parent.status != "completed" or row.lifecycle == lc.DELIVERED:
        raise Conflict(f"package {parent.number} is {row.lifecycle}", code="case_closed",
                       detail={"from": row.lifecycle})
    now = ctx.clock.now()
    by_id = {c["case_id"]: c for c in parents.children_of(ctx, tx, parent_id)}
    items = []
    for child in children:
        info = by_id[child.id]
        state = tx.deliveries.lifecycle(child.id)
        if state in _DELIVERABLE:
            delivery.deliver_locked(ctx, tx, child, d, actor, now, package_number=parent.number)
            tx.cases.record_events(child, now)      # updated_at is `now` already (deliver_locked)
            delivery_name = "本次送达"
        else:
            delivery_name = "此前已送达" if state == lc.DELIVERED else "无需送达"
        items.append({"number": info["number"], "item_code": info["item_code"], "item_name": info["item_name"],
                      "outcome": info["outcome"], "outcome_name": OUTCOME_NAMES.get(info["outcome"], info["outcome"]),
                      "delivered_now": delivery_name == "本次送达", "delivery_name": delivery_name})
    recipient = d.recipient or row.applicant_name
    record = delivery.record_of(d, recipient, actor)
    record["items"] = [{k: i[k] for k in ("number", "item_code", "outcome", "delivered_now")} for i in items]
    # the parent's lifecycle may be `partially_completed`, a package-only state outside the lifecycle's table
    parent.audit.add("lifecycle_changed", actor, now, {"from": row.lifecycle, "to": lc.DELIVERED, "event": "deliver",
                                                       "method": d.method})
    parent.audit.add("case_delivered", actor, now, {**record, "method": d.method, "phone": mask_phone(d.phone)})
    tx.deliveries.record(parent_id, d.method, record, now, lifecycle=lc.DELIVERED)
    doc = documents.issue(tx, parent, "delivery_receipt", actor, now, method_name=delivery.METHODS[d.method],
                          decision_name=f"“一件事”办理结果（{DECISION_NAMES.get(row.decision, '办结')}）",
                          tracking_number=d.tracking_number, carrier=d.carrier, address=d.address,
                          recipient=recipient, phone=mask_phone(d.phone), licence_no=d.licence_no,
                          package_items=items)
    tx.cases.record_events(parent, now)          # updated_at is `now` already (recorded above)
    return doc
