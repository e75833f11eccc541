"""送达 within 10 working days of a grant (行政许可法 Art. 44): when a grant is decided, a yellow
and a red delivery card are scheduled; delivering cancels them; a card that comes due on a case
still not delivered is an audit event and shows on the supervision dashboard."""
from __future__ import annotations

from datetime import datetime

from engine.domain import sla
from engine.domain.actor import Actor
from engine.domain.case import LoadedCase
from engine.domain.clock import as_utc
from engine.services import calendar
from engine.store.uow import Transaction

BASIS = "行政许可法第四十四条"


def schedule(ctx, tx: Transaction, loaded: LoadedCase, actor: Actor, now: datetime) -> None:
    """After a grant (in the deciding transaction): the two cards, and an audit event with the date."""
    cancel(tx, loaded.id)
    yellow_at, due_at = sla.delivery_cards(calendar.current(ctx, tx), now, ctx.settings.yellow_workdays,
                                           ctx.settings.yellow_share)
    tx.timers.schedule_many([(loaded.id, "delivery_yellow", "delivery", yellow_at, None),
                             (loaded.id, "delivery_red", "delivery", due_at, None)], now)
    loaded.audit.add("delivery_due_set", actor, now, {"due_at": due_at.isoformat(),
                                                      "workdays": sla.DELIVERY_WORKDAYS, "basis": BASIS})


def cancel(tx: Transaction, case_id: int) -> int:
    return tx.timers.cancel_kinds(case_id, sla.DELIVERY_CARDS)


def fire(tx: Transaction, loaded: LoadedCase, timer, actor: Actor, now: datetime) -> None:
    """A delivery card came due (the caller marked the timer fired). Recheck the case rather than
    trust the timer: only a granted case not yet delivered gets the card."""
    decision, delivered_at, status = tx.cases.delivery_state(loaded.id)
    if decision != "granted" or delivered_at is not None or status not in ("running", "completed"):
        return
    level = "yellow" if timer.kind == "delivery_yellow" else "red"
    due = tx.timers.latest_due(loaded.id, "delivery_red")
    loaded.audit.add(f"delivery_warning_{level}", actor, now,
                     {"due_at": as_utc(due).isoformat() if due is not None else None, "basis": BASIS})
