"""The legal clock of a case (行政许可法 Arts. 32, 42, 45; docs/time-limits.md) as it runs against
the database: recompute the deadlines and the card after every change, reschedule the card
timers, start the clock at acceptance (also deemed acceptance), stop the deemed-acceptance timer
at a correction notice, fire a due clock timer, and recompute after a calendar change.

The rules themselves are pure (engine/domain/sla.py); every change of a deadline or a card is an
audit event, so any date shown to an applicant can be explained from the trail. The commands
(accept, pause, resume, extend, …) are in clock_commands.py."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Optional

import engine.services.time_limits.delivery_cards as delivery_cards
from engine.domain import deadlines as dl
from engine.domain import lifecycle as lc
from engine.domain import sla
from engine.domain.actor import Actor
from engine.domain.calendar import WorkCalendar
from engine.domain.case import LoadedCase
from engine.domain.clock import as_utc
from engine.domain.errors import Conflict
from engine.services import calendar
from engine.services.cases import documents, lifecycle
from engine.store.uow import Transaction


def apply(ctx, tx: Transaction, cal: WorkCalendar, clock: sla.CaseClock, clock_status: str, now: datetime,
          actor: Actor, loaded: LoadedCase, reason: str) -> Optional[sla.Deadlines]:
    """Recompute deadlines and the card, write them, reschedule the card timers, and audit every
    change with old and new values. A paused clock keeps its deadlines (none while paused)."""
    d = None
    if clock_status != "paused":
        d = sla.deadlines(cal, clock, tx.clocks.pauses(clock.id), ctx.settings.yellow_workdays,
                          ctx.settings.yellow_share)
    old = {"promise_due": _iso(clock.promise_due), "legal_due": _iso(clock.legal_due)}
    new = {"promise_due": _iso(d.promise_due) if d else None, "legal_due": _iso(d.legal_due) if d else None}
    level = clock.warning if d is None else sla.level_at(now, d, clock.deemed_accepted)
    tx.clocks.write(clock.id, clock_status=clock_status, warning=level, calendar_version=cal.version,
                    deadlines=(d.promise_due, d.legal_due, d.provisional) if d is not None else None)
    tx.timers.cancel_case_cards(clock.id)
    if d is not None and clock_status == "running":
        cards = []
        if d.yellow_at is not None and level == "none":
            cards.append((clock.id, "case_yellow", "case", d.yellow_at, None))
        due = d.promise_due or d.legal_due
        if due is not None and level != "red":
            cards.append((clock.id, "case_red", "case", due, None))
        tx.timers.schedule_many(cards, now)
    if d is not None and old != new:
        loaded.audit.add("deadlines_changed", actor, now, {
            "reason": reason, "old": old, "new": new, "calendar_version": cal.version,
            "provisional": d.provisional, "convention": clock.convention,
            "extension": clock.extension_amount or 0})
    if level != clock.warning:
        loaded.audit.add(f"warning_{level}", actor, now, {"from": clock.warning, "reason": reason})
    return d


def _iso(value) -> Optional[str]:
    return as_utc(value).isoformat() if value is not None else None


def accept_locked(ctx, tx: Transaction, loaded: LoadedCase, clock: sla.CaseClock, actor: Actor, now: datetime, *,
                  deemed: bool = False) -> None:
    """受理: the clock starts (deemed acceptance dates it back to receipt, Art. 32)."""
    if clock.clock_status != "pre_acceptance":
        raise Conflict(f"case {clock.number} is already accepted", code="case_already_accepted")
    lifecycle.move(tx, loaded, ["accept"], actor, now, deemed=deemed)
    accepted_at = clock.created_at if deemed else now
    cal = calendar.current(ctx, tx)
    moved_by_hours = deemed and sla.moved_by_hours(clock.receipt_hours)      # deemed: dated at receipt
    _, moved_to = sla.counted_from(cal, accepted_at, clock.receipt_rule, moved_by_hours)
    tx.clocks.accept(clock.id, accepted_at, deemed, moved_to)
    tx.timers.cancel_acceptance_due(clock.id)
    loaded.audit.add("case_deemed_accepted" if deemed else "case_accepted", actor, now, {
        "accepted_at": _iso(accepted_at), "convention": clock.convention,
        **({"deemed_accepted_on": moved_to.isoformat()} if moved_to else {}),
        "promise_limit": clock.promise_limit, "legal_limit": clock.legal_limit,
        "basis": "行政许可法第三十二条: no correction notice within the time limit" if deemed else None})
    apply(ctx, tx, cal, replace(clock, accepted_at=accepted_at, deemed_accepted=deemed),
          "running", now, actor, loaded, "accepted")
    documents.issue(tx, loaded, "acceptance_notice", actor, now)     # 受理通知书 (Art. 32 last ¶)


def notify_correction_locked(ctx, tx: Transaction, loaded: LoadedCase, clock: sla.CaseClock, notice: str,
                             actor: Actor, now: datetime) -> None:
    """一次性告知 before acceptance: the deemed-acceptance timer stops, the 补正告知书 lists every
    item to supplement (one per line or clause of `notice`)."""
    if clock.clock_status != "pre_acceptance":
        raise Conflict("a correction notice before acceptance needs a case not yet accepted",
                       code="case_already_accepted")
    lifecycle.move(tx, loaded, ["request_correction"], actor, now)
    tx.timers.cancel_acceptance_due(clock.id)
    tx.clocks.clear_acceptance_due(clock.id)
    in_time = now <= as_utc(clock.acceptance_due) if clock.acceptance_due else None
    loaded.audit.add("correction_notified", actor, now, {"notice": notice[:500], "in_time": in_time})
    items = [part.strip() for part in notice.replace("；", "\n").replace(";", "\n").splitlines() if part.strip()]
    documents.issue(tx, loaded, "correction_notice", actor, now, supplements=items)


def fire(ctx, tx: Transaction, loaded: LoadedCase, timer, actor: Actor, now: datetime) -> None:
    """A clock timer came due: recompute from the case's state rather than trusting the timer's
    kind, so a stale timer can never raise a wrong card."""
    clock = tx.clocks.of(loaded.id)
    tx.timers.mark_fired(timer.id, now, timer.attempts + 1)
    if timer.kind == sla.ACCEPTANCE_DUE:
        if clock.clock_status == "pre_acceptance" and clock.status == "running" \
                and lifecycle.state_of(tx, clock.id) in lc.PRE_ACCEPTANCE:
            accept_locked(ctx, tx, loaded, clock, actor, now, deemed=True)
    elif timer.kind in sla.CASE_CARDS:
        if clock.clock_status == "running":
            apply(ctx, tx, calendar.current(ctx, tx), clock, "running", now, actor, loaded, timer.kind)
    elif timer.kind in sla.STEP_CARDS:
        level = "yellow" if timer.kind == "step_yellow" else "red"
        if tx.tasks.mark_warning(timer.ref, level):
            loaded.audit.add(f"step_warning_{level}", actor, now, {"task": timer.ref})
    elif timer.kind in sla.DELIVERY_CARDS:
        delivery_cards.fire(tx, loaded, timer, actor, now)
    tx.cases.record_events(loaded, now)


def recompute_for_year(ctx, tx: Transaction, cal: WorkCalendar, year: int, actor: Actor,
                       now: datetime) -> tuple[int, int]:
    """After a calendar change: every case whose clock runs (or is paused) and whose deadlines
    touch `year` is recomputed; each moved date is an audit event on that case. Returns (cases
    recomputed, cases with a changed date)."""
    lo = dl.due_instant(date(year, 1, 1) - timedelta(days=1))
    recomputed = changed = 0
    for case_id in tx.clocks.running_due_after(lo):
        loaded = tx.cases.lock(case_id)
        clock = tx.clocks.of(case_id)
        accepted = dl.local_date(as_utc(clock.accepted_at))
        last = max((dl.local_date(as_utc(v)) for v in (clock.promise_due, clock.legal_due) if v), default=accepted)
        if not (accepted.year <= year <= max(last.year, accepted.year + 1)):
            continue
        before = loaded.audit.seq
        apply(ctx, tx, cal, clock, clock.clock_status, now, actor, loaded, f"calendar {year} loaded")
        recomputed += 1
        changed += loaded.audit.seq != before
        tx.cases.record_events(loaded, now)
    return recomputed, changed
