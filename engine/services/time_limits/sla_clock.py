"""The legal clock of a case (行政许可法 Arts. 32, 42, 45; DOMAIN.md §3, §5).

Receipt starts the 5-working-day window for a one-time correction notice (补正告知); acceptance
(受理) starts the clock against the promised and the legal limit; pauses (补正 after acceptance,
special procedures, holds) stop it; the one extension the law allows moves both deadlines.
Yellow and red cards are timer rows fired by the scheduler; every change of a deadline or a
card is an audit event, so any date shown to an applicant can be explained from the trail."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Optional

from sqlalchemy import bindparam, or_, select, update

from engine.domain import deadlines as dl
from engine.domain import lifecycle as lc
from engine.domain.actor import Actor
from engine.domain.calendar import WorkCalendar
from engine.domain.clock import as_utc
from engine.domain.errors import Conflict, Forbidden, ValidationError
from engine.services import calendar
from engine.services.accounts import access, org
from engine.services.cases import documents, lifecycle
from engine.services.time_limits import delivery_cards
from engine.store import tables as t
from engine.store.fast import FastWrite
from engine.store.models import CaseExtension, CasePause
from engine.store.uow import Transaction

PAUSE_KINDS = ("supplement", "special_procedure", "hold")
# 行政许可法 Art. 45 (and the provincial rule's 公示): time for these does not count
SPECIAL_PROCEDURES = ("hearing", "tender", "auction", "testing", "inspection", "quarantine", "appraisal",
                      "expert_review", "publicity")
CASE_TIMERS = ("case_yellow", "case_red", "acceptance_due")
STEP_TIMERS = ("step_yellow", "step_red")
PROCEDURE_NAMES = {"hearing": "听证", "tender": "招标", "auction": "拍卖", "testing": "检验检测", "inspection": "检验",
                   "quarantine": "检疫", "appraisal": "鉴定", "expert_review": "专家评审", "publicity": "公示"}
LEVELS = ("none", "yellow", "red")
DEFAULT_EXTENSION = {"joint": 15}     # 联合办理 45 + 15 (Art. 42 ¶2); licences and others 10
DEFAULT_EXTENSION_WORKDAYS = 10

pause_table = CasePause.__table__
extension_table = CaseExtension.__table__
_INSERT_TIMER = FastWrite(t.timer.insert())
_CANCEL_CASE_TIMERS = FastWrite(update(t.timer).where(
    t.timer.c.case_id == bindparam("cid"), or_(*(t.timer.c.kind == k for k in CASE_TIMERS[:2])),
    t.timer.c.state == "pending")
    .values(state="cancelled"))
_CANCEL_STEP_TIMERS = FastWrite(update(t.timer).where(
    t.timer.c.ref == bindparam("tid"), or_(*(t.timer.c.kind == k for k in STEP_TIMERS)),
    t.timer.c.state == "pending")
    .values(state="cancelled"))

_CLOCK_COLUMNS = (t.case.c.id, t.case.c.number, t.case.c.status, t.case.c.clock_status, t.case.c.created_at,
                  t.case.c.accepted_at, t.case.c.deemed_accepted, t.case.c.convention, t.case.c.legal_limit,
                  t.case.c.legal_unit, t.case.c.promise_limit, t.case.c.promise_unit, t.case.c.extension_limit,
                  t.case.c.extension_amount, t.case.c.promise_due, t.case.c.legal_due, t.case.c.warning,
                  t.case.c.origin_org_unit_id, t.case.c.item_id, t.case.c.acceptance_due,
                  t.case.c.calendar_version, t.case.c.deadline_provisional)


def _timer_row(case_id: int, kind: str, ref: str, due: datetime, now: datetime) -> dict:
    return {"case_id": case_id, "kind": kind, "ref": ref, "element": None, "due_at": due, "state": "pending",
            "attempts": 0, "last_error": None, "retry_at": None, "locked_by": None, "fired_at": None,
            "created_at": now}


# --- at receipt ------------------------------------------------------------------------------

def on_receipt(ctx, tx: Transaction, cal: WorkCalendar, received_at: datetime, item) -> dict:
    """Columns a new case gets from its item and the settings (the clock has not started)."""
    days = ctx.settings.correction_notice_workdays
    due_day = cal.add_workdays(dl.local_date(received_at), days)
    return {"clock_status": "pre_acceptance", "convention": ctx.settings.start_day_convention,
            "legal_limit": item.legal_limit, "legal_unit": item.legal_unit or dl.WORKDAY,
            "promise_limit": item.promise_limit, "promise_unit": item.promise_unit or dl.WORKDAY,
            "extension_limit": item.extension_limit, "extension_amount": 0,
            "acceptance_due": dl.due_instant(due_day), "warning": "none", "calendar_version": cal.version,
            "deadline_provisional": cal.provisional_between(dl.local_date(received_at), due_day),
            "deemed_accepted": False}


def schedule_receipt(tx: Transaction, case_id: int, values: dict, now: datetime) -> None:
    _INSERT_TIMER.execute(tx, _timer_row(case_id, "acceptance_due", "case", values["acceptance_due"], now))


# --- computing deadlines -----------------------------------------------------------------------

@dataclass(frozen=True)
class Deadlines:
    promise_day: Optional[object]
    legal_day: Optional[object]
    promise_due: Optional[datetime]
    legal_due: Optional[datetime]
    yellow_at: Optional[datetime]
    provisional: bool


def _pauses(tx: Transaction, case_id: int) -> list[dl.Span]:
    rows = tx.execute(select(pause_table.c.started_at, pause_table.c.ended_at)
                        .where(pause_table.c.case_id == case_id)).all()
    return [dl.Span(dl.local_date(as_utc(r.started_at)), dl.local_date(as_utc(r.ended_at)) if r.ended_at else None)
            for r in rows]


def compute(ctx, cal: WorkCalendar, case, pauses: list[dl.Span]) -> Deadlines:
    if case.accepted_at is None:
        return Deadlines(None, None, None, None, None, False)
    start = dl.local_date(as_utc(case.accepted_at))
    ext = case.extension_amount or 0

    def one(limit, unit):
        if limit is None:
            return None
        return dl.deadline(cal, start, dl.Limit(limit, unit).plus(ext), pauses, case.convention)

    promise_day = one(case.promise_limit, case.promise_unit)
    legal_day = one(case.legal_limit, case.legal_unit)
    card_day = promise_day or legal_day
    yellow_at = None
    if card_day is not None:
        limit = dl.Limit((case.promise_limit if promise_day else case.legal_limit) + ext,
                         case.promise_unit if promise_day else case.legal_unit)
        yellow_day = dl.yellow_from(cal, card_day, limit, ctx.settings.yellow_workdays, ctx.settings.yellow_share)
        yellow_at = dl.due_instant(yellow_day - timedelta(days=1))      # the start of that day
    last = max((d for d in (promise_day, legal_day) if d), default=start)
    return Deadlines(promise_day, legal_day, dl.due_instant(promise_day) if promise_day else None,
                     dl.due_instant(legal_day) if legal_day else None, yellow_at,
                     cal.provisional_between(start, last))


def level_at(now: datetime, d: Deadlines, deemed: bool) -> str:
    due = d.promise_due or d.legal_due
    if deemed or (due is not None and now >= due):
        return "red"
    if d.yellow_at is not None and now >= d.yellow_at:
        return "yellow"
    return "none"


def _apply(ctx, tx: Transaction, cal: WorkCalendar, case, clock_status: str, now: datetime, actor: Actor,
           case_audit, reason: str) -> Deadlines:
    """Recompute deadlines and the card, write them, reschedule the card timers, and audit every
    change with old and new values."""
    d = compute(ctx, cal, case, _pauses(tx, case.id)) if clock_status != "paused" else None
    old = {"promise_due": _iso(case.promise_due), "legal_due": _iso(case.legal_due)}
    new = {"promise_due": _iso(d.promise_due) if d else None, "legal_due": _iso(d.legal_due) if d else None}
    level = case.warning if d is None else level_at(now, d, case.deemed_accepted)
    values = {"clock_status": clock_status, "warning": level, "calendar_version": cal.version}
    if d is not None:
        values.update(promise_due=d.promise_due, legal_due=d.legal_due, deadline_provisional=d.provisional)
    tx.execute(update(t.case).where(t.case.c.id == case.id).values(**values))
    _CANCEL_CASE_TIMERS.execute(tx, {"cid": case.id})
    if d is not None and clock_status == "running":
        rows = []
        if d.yellow_at is not None and level == "none":
            rows.append(_timer_row(case.id, "case_yellow", "case", d.yellow_at, now))
        due = d.promise_due or d.legal_due
        if due is not None and level != "red":
            rows.append(_timer_row(case.id, "case_red", "case", due, now))
        if rows:
            _INSERT_TIMER.execute(tx, rows)
    if d is not None and old != new:
        case_audit.add("deadlines_changed", actor, now, {
            "reason": reason, "old": old, "new": new, "calendar_version": cal.version,
            "provisional": d.provisional, "convention": case.convention,
            "extension": case.extension_amount or 0})
    if level != case.warning:
        case_audit.add(f"warning_{level}", actor, now, {"from": case.warning, "reason": reason})
    return d


def _iso(value) -> Optional[str]:
    return as_utc(value).isoformat() if value is not None else None


# --- commands ----------------------------------------------------------------------------------

def _clock_row(tx: Transaction, case_id: int) -> SimpleNamespace:
    return SimpleNamespace(**tx.execute(select(*_CLOCK_COLUMNS).where(t.case.c.id == case_id)).one()._mapping)


def _with(row: SimpleNamespace, **changes) -> SimpleNamespace:
    return SimpleNamespace(**{**vars(row), **changes})


def _locked(ctx, tx: Transaction, case_id: int, actor: Optional[Actor] = None):
    loaded = tx.cases.lock(case_id)
    if actor is not None:
        access.require_case_access(ctx, tx, actor, case_id)
    return loaded, _clock_row(tx, case_id)


def _finish(tx: Transaction, loaded, now) -> None:
    tx.execute(update(t.case).where(t.case.c.id == loaded.id).values(
        audit_seq=loaded.audit.seq, audit_head=loaded.audit.head, updated_at=now))
    tx.cases.write_events(loaded)


def accept_locked(ctx, tx: Transaction, loaded, row, actor: Actor, now: datetime, *, deemed: bool = False) -> None:
    """受理: the clock starts (deemed acceptance dates it back to receipt, Art. 32)."""
    if row.clock_status != "pre_acceptance":
        raise Conflict(f"case {row.number} is already accepted", code="case_already_accepted")
    lifecycle.move(tx, loaded, ["accept"], actor, now, deemed=deemed)
    cal = calendar.current(ctx, tx)
    accepted_at = row.created_at if deemed else now
    tx.execute(update(t.case).where(t.case.c.id == row.id).values(accepted_at=accepted_at, deemed_accepted=deemed))
    tx.execute(update(t.timer).where(t.timer.c.case_id == row.id, t.timer.c.kind == "acceptance_due",
                                       t.timer.c.state == "pending").values(state="cancelled"))
    case = _with(row, accepted_at=accepted_at, deemed_accepted=deemed)
    loaded.audit.add("case_deemed_accepted" if deemed else "case_accepted", actor, now, {
        "accepted_at": _iso(accepted_at), "convention": row.convention,
        "promise_limit": row.promise_limit, "legal_limit": row.legal_limit,
        "basis": "行政许可法第三十二条: no correction notice within the time limit" if deemed else None})
    _apply(ctx, tx, cal, case, "running", now, actor, loaded.audit, "accepted")
    documents.issue(tx, loaded, "acceptance_notice", actor, now)     # 受理通知书 (Art. 32 last ¶)


def accept(ctx, case_id: int, actor: Actor) -> None:
    with ctx.uow.begin() as tx:
        loaded, row = _locked(ctx, tx, case_id, actor)
        now = ctx.clock.now()
        accept_locked(ctx, tx, loaded, row, actor, now)
        _finish(tx, loaded, now)


def notify_correction(ctx, case_id: int, notice: str, actor: Actor) -> None:
    """一次性告知: the one notice listing everything to supplement, before acceptance. Sent in
    time, it stops the deemed-acceptance timer; the clock starts when the case is accepted."""
    if not (notice or "").strip():
        raise ValidationError("the correction notice must list what to supplement", code="notice_required",
                              field="notice")
    with ctx.uow.begin() as tx:
        loaded, row = _locked(ctx, tx, case_id, actor)
        now = ctx.clock.now()
        notify_correction_locked(ctx, tx, loaded, row, notice, actor, now)
        _finish(tx, loaded, now)


def notify_correction_locked(ctx, tx: Transaction, loaded, row, notice: str, actor: Actor, now: datetime) -> None:
    if row.clock_status != "pre_acceptance":
        raise Conflict("a correction notice before acceptance needs a case not yet accepted",
                       code="case_already_accepted")
    lifecycle.move(tx, loaded, ["request_correction"], actor, now)
    tx.execute(update(t.timer).where(t.timer.c.case_id == row.id, t.timer.c.kind == "acceptance_due",
                                       t.timer.c.state == "pending").values(state="cancelled"))
    tx.execute(update(t.case).where(t.case.c.id == row.id).values(acceptance_due=None))
    loaded.audit.add("correction_notified", actor, now, {"notice": notice[:500], "in_time": now <= as_utc(row.acceptance_due)
                                                         if row.acceptance_due else None})
    # 补正告知书: one notice with everything to supplement, one line or clause per item
    items = [part.strip() for part in notice.replace("；", "\n").replace(";", "\n").splitlines() if part.strip()]
    documents.issue(tx, loaded, "correction_notice", actor, now, supplements=items)


def pause(ctx, case_id: int, kind: str, reason: str, notice: str, actor: Actor,
          procedure: Optional[str] = None) -> None:
    if kind not in PAUSE_KINDS:
        raise ValidationError(f"unknown pause kind {kind!r}", code="pause_kind_unknown", field="kind")
    if kind == "special_procedure" and procedure not in SPECIAL_PROCEDURES:
        raise ValidationError(f"a special procedure is one of {', '.join(SPECIAL_PROCEDURES)}",
                              code="special_procedure_unknown", field="procedure")
    for name, value in (("reason", reason), ("notice", notice)):
        if not (value or "").strip():
            raise ValidationError(f"a pause needs a {name} (the applicant is told in writing)",
                                  code=f"pause_{name}_required", field=name)
    with ctx.uow.begin() as tx:
        loaded, row = _locked(ctx, tx, case_id, actor)
        if row.clock_status != "running":
            raise Conflict(f"the clock of case {row.number} is {row.clock_status}, not running",
                           code="clock_not_running")
        now = ctx.clock.now()
        lifecycle.move(tx, loaded, ["suspend"], actor, now, kind=kind)
        tx.execute(pause_table.insert().values(case_id=case_id, kind=kind, procedure=procedure, reason=reason[:500],
                                                 notice=notice[:500], started_at=now, started_by=actor.username))
        loaded.audit.add("clock_paused", actor, now, {"kind": kind, "procedure": procedure, "reason": reason[:500],
                                                      "notice": notice[:500]})
        _apply(ctx, tx, calendar.current(ctx, tx), row, "paused", now, actor, loaded.audit, f"paused: {kind}")
        if kind == "special_procedure":      # Art. 45: the time needed is notified in writing
            documents.issue(tx, loaded, "special_procedure_notice", actor, now, reason=reason[:500],
                            notice=notice[:500], procedure_name=PROCEDURE_NAMES.get(procedure, procedure))
        _finish(tx, loaded, now)


def resume(ctx, case_id: int, actor: Actor, result: str = "") -> None:
    with ctx.uow.begin() as tx:
        loaded, row = _locked(ctx, tx, case_id, actor)
        if row.clock_status != "paused":
            raise Conflict(f"the clock of case {row.number} is not paused", code="clock_not_paused")
        now = ctx.clock.now()
        lifecycle.move(tx, loaded, ["resume"], actor, now)
        tx.execute(update(pause_table).where(pause_table.c.case_id == case_id, pause_table.c.ended_at.is_(None))
                     .values(ended_at=now, ended_by=actor.username, result=(result or "")[:500]))
        loaded.audit.add("clock_resumed", actor, now, {"result": (result or "")[:500]})
        _apply(ctx, tx, calendar.current(ctx, tx), row, "running", now, actor, loaded.audit, "resumed")
        _finish(tx, loaded, now)


def extend(ctx, case_id: int, reason: str, actor: Actor, amount: Optional[int] = None) -> None:
    """The one extension (Art. 42): approved by a department head above the case, with a reason
    the applicant is told."""
    if not (reason or "").strip():
        raise ValidationError("an extension needs a reason", code="extension_reason_required", field="reason")
    with ctx.uow.begin() as tx:
        loaded, row = _locked(ctx, tx, case_id)
        _require_head(ctx, tx, actor, row.origin_org_unit_id)
        if row.clock_status not in ("running", "paused"):
            raise Conflict(f"case {row.number} has no running clock to extend", code="clock_not_running")
        lifecycle.require(tx, case_id, lc.PRE_DECISION - lc.PRE_ACCEPTANCE, "extended after its decision")
        if tx.execute(select(extension_table.c.id).where(extension_table.c.case_id == case_id)).first():
            raise Conflict("the law allows one extension and this case had it", code="extension_already_granted")
        category = tx.execute(select(t.item_implementation.c.category).where(t.item_implementation.c.id == row.item_id)).scalar()
        allowed = row.extension_limit or DEFAULT_EXTENSION.get(category, DEFAULT_EXTENSION_WORKDAYS)
        amount = allowed if amount is None else amount
        if not (1 <= amount <= allowed):
            raise ValidationError(f"the extension for this item is at most {allowed} days", code="extension_too_long",
                                  field="amount")
        now = ctx.clock.now()
        tx.execute(extension_table.insert().values(case_id=case_id, amount=amount, reason=reason[:500],
                                                     approved_by=actor.username, approved_at=now))
        tx.execute(update(t.case).where(t.case.c.id == case_id).values(extension_amount=amount))
        loaded.audit.add("clock_extended", actor, now, {"amount": amount, "reason": reason[:500]})
        _apply(ctx, tx, calendar.current(ctx, tx), _with(row, extension_amount=amount), row.clock_status, now,
               actor, loaded.audit, "extended")
        _finish(tx, loaded, now)


def _require_head(ctx, tx: Transaction, actor: Actor, unit_id: int) -> None:
    if actor.staff_id is None:
        raise Forbidden("only a department head can approve an extension", code="extension_needs_head")
    directory = org.directory(ctx, tx)
    for p_unit, _dept, role in org.posts_of(ctx, tx, actor.staff_id):
        if role == "head" and directory.in_subtree(unit_id, p_unit):
            return
    raise Forbidden("only a department head above this case can approve its extension",
                    code="extension_needs_head")


# --- hooks from the case and task commands -------------------------------------------------------

_STOP_CLOCK = FastWrite(update(t.case).where(t.case.c.id == bindparam("cid")).values(clock_status="stopped"))
# the Art. 44 delivery cards outlive 办结: a granted case is closed when the licence is made, and
# delivered after (engine/services/delivery_cards.py)
_CANCEL_CLOCK_TIMERS = FastWrite(update(t.timer).where(
    t.timer.c.case_id == bindparam("cid"), *(t.timer.c.kind != k for k in ("bpmn", *delivery_cards.KINDS)),
    t.timer.c.state == "pending")
    .values(state="cancelled"))


def on_case_closed(tx: Transaction, case_id: int, *, clock_stopped_by_caller: bool = False) -> None:
    if not clock_stopped_by_caller:      # (progress.save stops it in the case row it writes anyway)
        _STOP_CLOCK.execute(tx, {"cid": case_id})
    _CANCEL_CLOCK_TIMERS.execute(tx, {"cid": case_id})


def step_timer_rows(ctx, cal: WorkCalendar, case_id: int, task_id: str, due_at: datetime, now: datetime) -> list[dict]:
    due_day = dl.local_date(due_at - timedelta(microseconds=1))
    yellow_day = dl.yellow_from(cal, due_day, dl.Limit(1), ctx.settings.yellow_workdays)
    yellow_at = dl.due_instant(yellow_day - timedelta(days=1))
    rows = [_timer_row(case_id, "step_red", task_id, due_at, now)]
    if yellow_at < due_at:
        rows.insert(0, _timer_row(case_id, "step_yellow", task_id, yellow_at, now))
    return rows


def cancel_step_timers(tx: Transaction, task_ids: list[str]) -> None:
    if task_ids:
        _CANCEL_STEP_TIMERS.execute(tx, [{"tid": tid} for tid in task_ids])


# --- the scheduler's side ----------------------------------------------------------------------

def fire(ctx, tx: Transaction, loaded, timer, actor: Actor, now: datetime) -> None:
    """A clock timer came due: recompute from the case's state rather than trusting the timer's
    kind, so a stale timer can never raise a wrong card."""
    row = _clock_row(tx, loaded.id)
    tx.execute(update(t.timer).where(t.timer.c.id == timer.id).values(state="fired", fired_at=now,
                                                                          attempts=timer.attempts + 1))
    if timer.kind == "acceptance_due":
        if row.clock_status == "pre_acceptance" and row.status == "running" \
                and lifecycle.state_of(tx, row.id) in lc.PRE_ACCEPTANCE:
            accept_locked(ctx, tx, loaded, row, actor, now, deemed=True)
    elif timer.kind in ("case_yellow", "case_red"):
        if row.clock_status == "running":
            _apply(ctx, tx, calendar.current(ctx, tx), row, "running", now, actor, loaded.audit, timer.kind)
    elif timer.kind in STEP_TIMERS:
        level = "yellow" if timer.kind == "step_yellow" else "red"
        changed = tx.execute(update(t.task).where(t.task.c.id == timer.ref, t.task.c.state == "open",
                                                    t.task.c.warning != "red").values(warning=level)).rowcount
        if changed:
            loaded.audit.add(f"step_warning_{level}", actor, now, {"task": timer.ref})
    elif timer.kind in delivery_cards.KINDS:
        delivery_cards.fire(tx, loaded, timer, actor, now)
    _finish(tx, loaded, now)


def recompute_for_year(ctx, tx: Transaction, cal: WorkCalendar, year: int, actor: Actor, now: datetime) -> tuple[int, int]:
    """After a calendar change: every case whose clock runs (or is paused) and whose deadlines
    touch `year` is recomputed; each moved date is an audit event on that case."""
    from datetime import date as _date
    lo = dl.due_instant(_date(year, 1, 1) - timedelta(days=1))
    candidates = tx.execute(select(t.case.c.id).where(
        t.case.c.clock_status.in_(("running", "paused")),
        (t.case.c.legal_due >= lo) | (t.case.c.promise_due >= lo) | t.case.c.promise_due.is_(None))).scalars().all()
    recomputed = changed = 0
    for case_id in candidates:
        loaded, row = _locked(ctx, tx, case_id)
        accepted = dl.local_date(as_utc(row.accepted_at))
        last = max((dl.local_date(as_utc(v)) for v in (row.promise_due, row.legal_due) if v), default=accepted)
        if not (accepted.year <= year <= max(last.year, accepted.year + 1)):
            continue
        before = loaded.audit.seq
        _apply(ctx, tx, cal, row, row.clock_status, now, actor, loaded.audit, f"calendar {year} loaded")
        recomputed += 1
        changed += loaded.audit.seq != before
        _finish(tx, loaded, now)
    return recomputed, changed
