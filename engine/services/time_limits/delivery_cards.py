"""颁发、送达 within 10 working days of a grant (行政许可法 Art. 44; DOMAIN.md §3). A grant schedules
two timers on the case, following the case/step cards of engine/services/clock.py: a yellow card
when the last working days begin and a red card at the deadline. Delivering the result (送达, by
command, by a `delivered` task or through the 一件事 package) cancels them; so does closing the
case before delivery (withdrawal etc. cancel every pending timer). A card fires once, as an audit
event on the case; supervisors list the cases behind (supervision.deliveries)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from engine.domain import deadlines as dl
from engine.domain.actor import Actor
from engine.domain.clock import as_utc
from engine.services import calendar
from engine.store import tables as t
from engine.store.uow import Transaction

KINDS = ("delivery_yellow", "delivery_red")
DELIVERY_WORKDAYS = 10          # Art. 44: 自作出决定之日起十日内颁发、送达


def _row(case_id: int, kind: str, due: datetime, now: datetime) -> dict:
    return {"case_id": case_id, "kind": kind, "ref": "delivery", "element": None, "due_at": due, "state": "pending",
            "attempts": 0, "last_error": None, "retry_at": None, "locked_by": None, "fired_at": None,
            "created_at": now}


def due_of(ctx, tx: Transaction, decided_at: datetime) -> tuple[datetime, datetime]:
    """(yellow card instant, deadline instant) for a grant decided at `decided_at`: working days
    on the current calendar, the decision day itself not counted (as the case clock counts)."""
    cal = calendar.current(ctx, tx)
    due_day = cal.add_workdays(dl.local_date(decided_at), DELIVERY_WORKDAYS)
    yellow_day = dl.yellow_from(cal, due_day, dl.Limit(DELIVERY_WORKDAYS), ctx.settings.yellow_workdays,
                                ctx.settings.yellow_share)
    return dl.due_instant(yellow_day - timedelta(days=1)), dl.due_instant(due_day)


def schedule(ctx, tx: Transaction, loaded, actor: Actor, now: datetime) -> None:
    """After a grant (in the deciding transaction): the two cards, and an audit event with the date."""
    cancel(tx, loaded.id)
    yellow_at, due_at = due_of(ctx, tx, now)
    tx.execute(t.timer.insert(), [_row(loaded.id, "delivery_yellow", yellow_at, now),
                                    _row(loaded.id, "delivery_red", due_at, now)])
    loaded.audit.add("delivery_due_set", actor, now, {"due_at": due_at.isoformat(), "workdays": DELIVERY_WORKDAYS,
                                                      "basis": "行政许可法第四十四条"})


def cancel(tx: Transaction, case_id: int) -> int:
    return tx.execute(update(t.timer).where(t.timer.c.case_id == case_id, t.timer.c.kind.in_(KINDS),
                                              t.timer.c.state == "pending").values(state="cancelled")).rowcount


def fire(tx: Transaction, loaded, timer, actor: Actor, now: datetime) -> None:
    """A delivery card came due (the caller marked the timer fired). Recheck the case rather than
    trust the timer: only a granted case not yet delivered gets the card."""
    row = tx.execute(select(t.case.c.decision, t.case.c.delivered_at, t.case.c.status)
                       .where(t.case.c.id == loaded.id)).one()
    if row.decision != "granted" or row.delivered_at is not None or row.status not in ("running", "completed"):
        return
    level = "yellow" if timer.kind == "delivery_yellow" else "red"
    due = tx.execute(select(t.timer.c.due_at).where(t.timer.c.case_id == loaded.id, t.timer.c.kind == "delivery_red")
                       .order_by(t.timer.c.id.desc())).scalar()
    loaded.audit.add(f"delivery_warning_{level}", actor, now,
                     {"due_at": as_utc(due).isoformat() if due is not None else None, "basis": "行政许可法第四十四条"})
