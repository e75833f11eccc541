"""The commands on a case's legal clock (行政许可法 Arts. 32, 42, 45; docs/time-limits.md): accept
(受理), the one-time correction notice before acceptance (补正告知), pause and resume (补正 after
acceptance, special procedures, holds), and the one extension the law allows. Each is one
transaction that locks the case first."""
from __future__ import annotations

from dataclasses import replace
from typing import Optional

import engine.services.time_limits.sla_clock as sla_clock
from engine.domain import lifecycle as lc
from engine.domain.actor import Actor
from engine.domain.errors import Conflict, Forbidden, ValidationError
from engine.services import calendar
from engine.services.accounts import access
from engine.services.cases import documents, lifecycle
from engine.store.uow import Transaction

PAUSE_KINDS = ("supplement", "special_procedure", "hold")
# 行政许可法 Art. 45 (and the provincial rule's 公示): time for these does not count
SPECIAL_PROCEDURES = ("hearing", "tender", "auction", "testing", "inspection", "quarantine", "appraisal",
                      "expert_review", "publicity")
PROCEDURE_NAMES = {"hearing": "听证", "tender": "招标", "auction": "拍卖", "testing": "检验检测", "inspection": "检验",
                   "quarantine": "检疫", "appraisal": "鉴定", "expert_review": "专家评审", "publicity": "公示"}
DEFAULT_EXTENSION = {"joint": 15}     # 联合办理 45 + 15 (Art. 42 ¶2); licences and others 10
DEFAULT_EXTENSION_WORKDAYS = 10


def _locked(ctx, tx: Transaction, case_id: int, actor: Optional[Actor] = None):
    """The case locked and its clock; with `actor`, the agency in whose scope the case is (an
    applicant's own case is in her scope, but the clock is the agency's)."""
    loaded = tx.cases.lock(case_id)
    if actor is not None:
        access.require_case_access(ctx, tx, actor, case_id)
        access.require_agency(actor)
    return loaded, tx.clocks.of(case_id)


def accept(ctx, case_id: int, actor: Actor) -> None:
    with ctx.uow.begin() as tx:
        loaded, clock = _locked(ctx, tx, case_id, actor)
        now = ctx.clock.now()
        sla_clock.accept_locked(ctx, tx, loaded, clock, actor, now)
        tx.cases.record_events(loaded, now)


def notify_correction(ctx, case_id: int, notice: str, actor: Actor) -> None:
    """一次性告知: the one notice listing everything to supplement, before acceptance. Sent in
    time, it stops the deemed-acceptance timer; the clock starts when the case is accepted."""
    if not (notice or "").strip():
        raise ValidationError("the correction notice must list what to supplement", code="notice_required",
                              field="notice")
    with ctx.uow.begin() as tx:
        loaded, clock = _locked(ctx, tx, case_id, actor)
        now = ctx.clock.now()
        sla_clock.notify_correction_locked(ctx, tx, loaded, clock, notice, actor, now)
        tx.cases.record_events(loaded, now)


def _check_pause(kind: str, reason: str, notice: str, procedure: Optional[str]) -> None:
    if kind not in PAUSE_KINDS:
        raise ValidationError(f"unknown pause kind {kind!r}", code="pause_kind_unknown", field="kind")
    if kind == "special_procedure" and procedure not in SPECIAL_PROCEDURES:
        raise ValidationError(f"a special procedure is one of {', '.join(SPECIAL_PROCEDURES)}",
                              code="special_procedure_unknown", field="procedure")
    for name, value in (("reason", reason), ("notice", notice)):
        if not (value or "").strip():
            raise ValidationError(f"a pause needs a {name} (the applicant is told in writing)",
                                  code=f"pause_{name}_required", field=name)


def pause(ctx, case_id: int, kind: str, reason: str, notice: str, actor: Actor,
          procedure: Optional[str] = None) -> None:
    _check_pause(kind, reason, notice, procedure)
    reason, notice = reason[:500], notice[:500]
    with ctx.uow.begin() as tx:
        loaded, clock = _locked(ctx, tx, case_id, actor)
        if clock.clock_status != "running":
            raise Conflict(f"the clock of case {clock.number} is {clock.clock_status}, not running",
                           code="clock_not_running")
        now = ctx.clock.now()
        lifecycle.move(tx, loaded, ["suspend"], actor, now, kind=kind)
        tx.clocks.start_pause(case_id, kind, procedure, reason, notice, now, actor.username)
        loaded.audit.add("clock_paused", actor, now, {"kind": kind, "procedure": procedure, "reason": reason,
                                                      "notice": notice})
        sla_clock.apply(ctx, tx, calendar.current(ctx, tx), clock, "paused", now, actor, loaded, f"paused: {kind}")
        if kind == "special_procedure":      # Art. 45: the time needed is notified in writing
            documents.issue(tx, loaded, "special_procedure_notice", actor, now, reason=reason, notice=notice,
                            procedure_name=PROCEDURE_NAMES.get(procedure, procedure))
        tx.cases.record_events(loaded, now)


def resume(ctx, case_id: int, actor: Actor, result: str = "") -> None:
    result = (result or "")[:500]
    with ctx.uow.begin() as tx:
        loaded, clock = _locked(ctx, tx, case_id, actor)
        if clock.clock_status != "paused":
            raise Conflict(f"the clock of case {clock.number} is not paused", code="clock_not_paused")
        now = ctx.clock.now()
        lifecycle.move(tx, loaded, ["resume"], actor, now)
        tx.clocks.end_pause(case_id, now, actor.username, result)
        loaded.audit.add("clock_resumed", actor, now, {"result": result})
        sla_clock.apply(ctx, tx, calendar.current(ctx, tx), clock, "running", now, actor, loaded, "resumed")
        tx.cases.record_events(loaded, now)


def extend(ctx, case_id: int, reason: str, actor: Actor, amount: Optional[int] = None) -> None:
    """The one extension (Art. 42): approved by a department head above the case, with a reason
    the applicant is told."""
    if not (reason or "").strip():
        raise ValidationError("an extension needs a reason", code="extension_reason_required", field="reason")
    reason = reason[:500]
    with ctx.uow.begin() as tx:
        loaded, clock = _locked(ctx, tx, case_id)
        _require_head(ctx, tx, actor, clock.origin_org_unit_id)
        if clock.clock_status not in ("running", "paused"):
            raise Conflict(f"case {clock.number} has no running clock to extend", code="clock_not_running")
        lifecycle.require(tx, case_id, lc.PRE_DECISION - lc.PRE_ACCEPTANCE, "extended after its decision")
        if tx.clocks.has_extension(case_id):
            raise Conflict("the law allows one extension and this case had it", code="extension_already_granted")
        category = tx.clocks.item_category(clock.item_id)
        allowed = clock.extension_limit or DEFAULT_EXTENSION.get(category, DEFAULT_EXTENSION_WORKDAYS)
        amount = allowed if amount is None else amount
        if not (1 <= amount <= allowed):
            raise ValidationError(f"the extension for this item is at most {allowed} days", code="extension_too_long",
                                  field="amount")
        now = ctx.clock.now()
        tx.clocks.add_extension(case_id, amount, reason, actor.username, now)
        loaded.audit.add("clock_extended", actor, now, {"amount": amount, "reason": reason})
        sla_clock.apply(ctx, tx, calendar.current(ctx, tx), replace(clock, extension_amount=amount),
                        clock.clock_status, now, actor, loaded, "extended")
        tx.cases.record_events(loaded, now)


def _require_head(ctx, tx: Transaction, actor: Actor, unit_id: int) -> None:
    if not access.is_head_above(ctx, tx, actor, unit_id):
        raise Forbidden("only a department head above this case can approve its extension",
                        code="extension_needs_head")
