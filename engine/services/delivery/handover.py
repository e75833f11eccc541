"""送达: handing the result over after the decision (行政许可法 Art. 44; the exchange record's
`is_delivery_results`, docs/lifecycle.md#exchange-records; COMPLETED → DELIVERED): window pickup (领取登记), mail with a
tracking number and address, or an e-licence. Sets delivered_at and the lifecycle, and issues
the 送达回执 in the same transaction. Only staff working on the case (a post at a unit the case
was received at or routed to) deliver; supervisors watch, applicants receive."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from engine.domain import lifecycle as lc
from engine.domain.actor import Actor
from engine.domain.errors import Forbidden, ValidationError
from engine.domain.identity import mask_phone
from engine.services import ratings
from engine.services.accounts import access
from engine.services.cases import documents, lifecycle
from engine.services.time_limits import delivery_cards
from engine.store.uow import Transaction

METHODS = {"pickup": "窗口领取", "mail": "邮寄送达", "e_licence": "电子证照"}
# what designers' task forms call them (forms/issue.schema.json, forms/notify.schema.json)
FORM_METHODS = {"window": "pickup", "pickup": "pickup", "mail": "mail", "e_licence": "e_licence",
                "online": "e_licence"}
_PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,19}$")


@dataclass(frozen=True)
class Delivery:
    method: str
    tracking_number: Optional[str] = None
    carrier: Optional[str] = None
    address: Optional[str] = None
    recipient: Optional[str] = None
    phone: Optional[str] = None
    licence_no: Optional[str] = None


def record_of(d: Delivery, recipient: Optional[str], actor: Actor, package_number: Optional[str] = None) -> dict:
    """What the case row keeps of a delivery (its `delivery` column): the fields that were given."""
    return {k: v for k, v in (("tracking_number", d.tracking_number), ("carrier", d.carrier), ("address", d.address),
                              ("recipient", recipient), ("phone", d.phone), ("licence_no", d.licence_no),
                              ("window_id", actor.window_id), ("package", package_number)) if v is not None}


def _text(value, field: str, limit: int, required: bool, code: str) -> Optional[str]:
    if value is not None and not isinstance(value, str):
        raise ValidationError(f"{field} must be text", code=code, field=field)
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(f"{field} is required for this delivery method", code=code, field=field)
    if len(value) > limit:
        raise ValidationError(f"{field} has at most {limit} characters", code=code, field=field)
    return value or None


def check(d: Delivery) -> Delivery:
    if d.method not in METHODS:
        raise ValidationError(f"a delivery is one of {', '.join(METHODS)}", code="delivery_method_unknown",
                              field="method")
    mail, licence = d.method == "mail", d.method == "e_licence"
    phone = _text(d.phone, "phone", 20, False, "delivery_phone_invalid")
    if phone and not _PHONE.match(phone):
        raise ValidationError("phone is a telephone number", code="delivery_phone_invalid", field="phone")
    return Delivery(d.method,
                    tracking_number=_text(d.tracking_number, "tracking_number", 40, mail, "delivery_tracking_required"),
                    carrier=_text(d.carrier, "carrier", 60, False, "delivery_carrier_invalid"),
                    address=_text(d.address, "address", 300, mail, "delivery_address_required"),
                    recipient=_text(d.recipient, "recipient", 100, False, "delivery_recipient_invalid"),
                    phone=phone,
                    licence_no=_text(d.licence_no, "licence_no", 60, licence, "delivery_licence_required"))


def from_form(data: dict) -> Delivery:
    """The delivery a task of stage `delivered` records from its form (pickup when none is named)."""
    method = FORM_METHODS.get((data or {}).get("delivery_method") or "pickup", (data or {}).get("delivery_method"))
    return check(Delivery(str(method), **{k: data.get(k) for k in ("tracking_number", "carrier", "address",
                                                                     "recipient", "phone", "licence_no")}))


def require_worker(ctx, tx: Transaction, actor: Actor, case_ids: list[int], origin_unit: int) -> None:
    """Staff at the receiving unit or a unit the cases' tasks were routed to (a 一件事 package
    passes its children too: the parent itself has no tasks)."""
    if actor.kind == "applicant" or (actor.staff_id is None and not actor.has_role("admin")):
        raise Forbidden("the agency delivers the result", code="agency_only")
    if not access.works_on_units(ctx, tx, actor, {origin_unit} | tx.tasks.routed_units(case_ids)):
        raise Forbidden("only staff at a window that worked on this case deliver its result",
                        code="case_out_of_scope")


def deliver_locked(ctx, tx: Transaction, loaded, d: Delivery, actor: Actor, now: datetime, *,
                   package_number: Optional[str] = None) -> dict:
    """Record the delivery of a decided case (its lifecycle says whether that is lawful now).
    A child of a 一件事 package delivered with its package (`package_number`) gets no receipt of
    its own: the package's one 送达回执 lists it; the record is returned instead."""
    state = lifecycle.state_of(tx, loaded.id)
    events = ["complete", "deliver"] if state == lc.DECIDED else ["deliver"]
    recipient = d.recipient
    if recipient is None:
        recipient = tx.deliveries.applicant_name(loaded.id)
    lifecycle.move(tx, loaded, events, actor, now, method=d.method)
    decision = tx.deliveries.decision(loaded.id)
    record = record_of(d, recipient, actor, package_number)
    tx.deliveries.record(loaded.id, d.method, record, now)
    delivery_cards.cancel(tx, loaded.id)
    ratings.on_case_finished(ctx, tx, loaded.id, now, delivered=True)    # the rating window starts again
    loaded.audit.add("case_delivered", actor, now, {**record, "method": d.method, "phone": mask_phone(d.phone)})
    if package_number is not None:
        return {**record, "method": d.method, "decision": decision}
    return documents.issue(tx, loaded, "delivery_receipt", actor, now, method_name=METHODS[d.method],
                           decision_name={"granted": "准予行政许可决定", "refused": "不予行政许可决定"}.get(
                               decision, "行政许可决定"),
                           tracking_number=d.tracking_number, carrier=d.carrier, address=d.address,
                           recipient=recipient, phone=mask_phone(d.phone), licence_no=d.licence_no)


