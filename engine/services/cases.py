"""Starting cases and reading them."""
from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import bindparam, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from engine.bpmn.runtime import check_user_data
from engine.domain.audit import GENESIS
from engine.domain.clock import SHANGHAI
from engine.domain import lifecycle as lc
from engine.domain.errors import Conflict, NotFound, ValidationError
from engine.domain.identity import mask_id_number, mask_ids_in
from engine.services import (access, calendar, catalog, clock, definitions, forms, lifecycle, materials, org,
                             packages, progress)
from engine.services.audit import CaseAudit
from engine.services.context import Actor
from engine.store import tables as t
from engine.store.db import is_postgres
from engine.store.fast import FastRead, FastWrite

CHANNELS = ("window", "online", "mobile", "mail", "proxy")

_I = t.item_implementation.c
# the published version of an implementation, by national or local implementation code
_ITEM = FastRead(select(_I.id, _I.code, _I.name, _I.process_key, _I.category, _I.legal_limit, _I.legal_unit,
                        _I.promise_limit, _I.promise_unit, _I.extension_limit, _I.application_form,
                        _I.materials, _I.tolerant_acceptance)
                 .where(or_(_I.code == bindparam("code"), _I.local_code == bindparam("code")),
                        # written into the SQL by FastRead (store/fast.py inline_constants): a bound
                        # value here would decide the partial uq_item_implementation_published
                        _I.status == "published"))
# the start command's writes go straight to the driver too (engine/store/fast.py)
_INSERT_CASE = FastWrite(t.case.insert().returning(t.case.c.id))
_COUNTERS = {
    dialect: FastWrite(insert_(t.case_counter).values(scope=bindparam("scope"), day=bindparam("day"), value=1)
                       .on_conflict_do_update(index_elements=[t.case_counter.c.scope, t.case_counter.c.day],
                                              set_={"value": t.case_counter.c.value + 1})
                       .returning(t.case_counter.c.value))
    for dialect, insert_ in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


@dataclass(frozen=True)
class StartCase:
    item_code: str
    window_id: int
    applicant: dict
    form: dict = field(default_factory=dict)
    channel: str = "window"


@dataclass(frozen=True)
class Started:
    case_id: int
    number: str
    version: int
    status: str
    tasks: tuple = ()           # the tasks the case opened


def _check_applicant(applicant: dict) -> None:
    if not isinstance(applicant, dict):
        raise ValidationError("applicant must be an object", code="applicant_invalid", field="applicant")
    name = applicant.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("applicant.name is required", code="applicant_name_required", field="applicant.name")
    check_user_data(applicant, "applicant", top=False)


def start_case(ctx, cmd: StartCase, actor: Actor, *, conn: Optional[Connection] = None,
               parent_case_id: Optional[int] = None) -> Started:
    """Start a case in its own transaction, or in the caller's `conn` (一件事 packages start a
    parent and its children in one, engine/services/packages.py)."""
    if cmd.channel not in CHANNELS:
        raise ValidationError(f"unknown channel {cmd.channel!r}", code="channel_unknown", field="channel")
    _check_applicant(cmd.applicant)
    if not isinstance(cmd.form, dict):
        raise ValidationError("form must be an object", code="form_invalid", field="form")
    check_user_data(cmd.form, "form", top=False)
    with nullcontext(conn) if conn is not None else ctx.uow.begin() as conn:
        item = _ITEM.first(conn, {"code": cmd.item_code})
        if item is None:
            raise NotFound(f"service item {cmd.item_code!r} does not exist", code="item_not_found", field="item_code")
        definition = definitions.latest(ctx, conn, item.process_key)
        if definition is None:
            raise NotFound(f"process {item.process_key!r} of item {item.code} is not deployed",
                           code="definition_not_found", field="item_code")
        window = org.window(ctx, conn, cmd.window_id)
        access.require_window_post(ctx, conn, actor, window.id)
        catalog.require_accepting_tier(ctx, conn, item.id, window)
        if actor.kind == "applicant" and cmd.channel not in ("online", "mobile", "mail"):
            raise ValidationError("applicants apply online, by mobile or by mail", code="channel_not_allowed",
                                  field="channel")
        forms.validate_application(ctx, conn, definition.id, item.application_form, cmd.form)
        now = ctx.clock.now()
        number = next_case_number(conn, item.code, now)
        data = {"case": {"number": number, "item": item.code, "channel": cmd.channel},
                "applicant": dict(cmd.applicant), "form": dict(cmd.form)}
        definitions.load(ctx, conn, definition.id)
        cal = calendar.current(ctx, conn)
        wf = ctx.runtime.start(definition.id, data, ctx.clock, calendar=cal, convention=ctx.settings.start_day_convention)
        clock_values = clock.on_receipt(ctx, conn, cal, now, item)
        case_id = _INSERT_CASE.returned_int(conn, {**clock_values,
            "number": number, "item_id": item.id, "definition_id": definition.id, "origin_window_id": window.id,
            "origin_org_unit_id": window.org_unit_id, "channel": cmd.channel, "applicant": dict(cmd.applicant),
            "applicant_name": cmd.applicant["name"].strip()[:200], "status": "running",
            "applicant_account_id": actor.staff_id if actor.kind == "applicant" else None, "stage": None, "state": "",
            "version": 0, "audit_seq": 0, "audit_head": GENESIS, "next_timer_at": None, "created_at": now,
            "updated_at": now, "completed_at": None, "created_by": actor.username,
            "parent_case_id": parent_case_id})
        clock.schedule_receipt(conn, case_id, clock_values, now)
        case = progress.LoadedCase(case_id, 0, "running", definition.id, window.org_unit_id, number,
                                   CaseAudit(case_id, 0, GENESIS), workflow=wf, lifecycle=lc.RECEIVED,
                                   parent_case_id=parent_case_id, parent_read=True)
        case.audit.add("case_started", actor, now, {
            "number": number, "item": item.code, "definition": definition.id, "version": definition.version,
            "window": window.id, "channel": cmd.channel, "applicant": cmd.applicant["name"],
            "applicant_id": mask_id_number(cmd.applicant.get("id_number")),
            "acceptance_due": clock_values["acceptance_due"].isoformat(), "calendar_version": cal.version})
        materials.on_case_started(ctx, conn, case, item, actor, now)       # 免证办: reuse the vault
        version = progress.save(ctx, conn, case, actor, now)
        return Started(case_id, number, version, case.status, tuple(case.new_tasks))


def next_case_number(conn: Connection, implementation_code: str, now) -> str:
    """办件编号 (DOMAIN.md §6.4): implementation code + yyyymmdd + 4-digit daily serial per
    implementation code. One upsert statement, so concurrent starts on PostgreSQL serialize on the
    counter row and never share a number."""
    day = now.astimezone(SHANGHAI).strftime("%Y%m%d")
    value = _COUNTERS["postgresql" if is_postgres(conn) else "sqlite"].returned_int(
        conn, {"scope": implementation_code, "day": day})
    if value > 9999:
        raise Conflict(f"the daily serial of {implementation_code} is exhausted for {day}", code="case_serial_exhausted")
    return f"{implementation_code}{day}{value:04d}"


@dataclass(frozen=True)
class CaseView:
    id: int
    number: str
    item_code: str
    status: str
    stage: Optional[str]
    version: int
    applicant_name: str
    applicant_id_masked: Optional[str]
    origin_window_id: int
    channel: str
    created_at: object
    completed_at: object
    data: dict
    clock_status: str = "pre_acceptance"
    accepted_at: object = None
    promise_due: object = None
    legal_due: object = None
    warning: str = "none"
    deadline_provisional: bool = False
    lifecycle: str = "received"              # DOMAIN.md §6.3 (engine/domain/lifecycle.py)
    decision: Optional[str] = None
    decided_at: object = None
    delivery_method: Optional[str] = None
    delivered_at: object = None


def get_case(ctx, case_id: int, actor: Actor) -> CaseView:
    with ctx.uow.read() as conn:
        access.require_case_access(ctx, conn, actor, case_id)
        row = conn.execute(select(t.case, t.item_implementation.c.code.label("item_code"))
                           .join(t.item_implementation, t.item_implementation.c.id == t.case.c.item_id)
                           .where(t.case.c.id == case_id)).first()
        if row is None:
            raise NotFound(f"case {case_id} does not exist", code="case_not_found")
        definitions.load(ctx, conn, row.definition_id)
        wf = ctx.runtime.loads(row.state)
        return CaseView(row.id, row.number, row.item_code, row.status, row.stage, row.version, row.applicant_name,
                        mask_id_number(row.applicant.get("id_number")), row.origin_window_id, row.channel,
                        row.created_at, row.completed_at, mask_ids_in(ctx.runtime.data(wf)), row.clock_status,
                        row.accepted_at,
                        row.promise_due, row.legal_due, row.warning, row.deadline_provisional,
                        lifecycle=row.lifecycle, decision=row.decision, decided_at=row.decided_at,
                        delivery_method=row.delivery_method, delivered_at=row.delivered_at)


@dataclass(frozen=True)
class CaseSummary:
    id: int
    number: str
    item_code: str
    status: str
    stage: Optional[str]
    warning: str
    applicant_name: str
    promise_due: object
    created_at: object


def list_cases(ctx, actor: Actor, *, status: Optional[str] = None, item_code: Optional[str] = None,
               limit: int = 50, after_id: Optional[int] = None) -> list[CaseSummary]:
    """Cases the actor may see, newest id last (cursor: `after_id`): her own as an applicant;
    for staff those received at or routed to her units and those below what she supervises."""
    with ctx.uow.read() as conn:
        c = t.case.c
        q = (select(c.id, c.number, t.item_implementation.c.code, c.status, c.stage, c.warning, c.applicant_name,
                    c.promise_due, c.created_at).join(t.item_implementation, t.item_implementation.c.id == c.item_id))
        if not actor.has_role("admin"):
            if actor.kind == "applicant":
                q = q.where(c.applicant_account_id == actor.staff_id)
            else:
                posts = org.posts_of(ctx, conn, actor.staff_id) if actor.staff_id else []
                directory = org.directory(ctx, conn)
                units = {u for u, _d, r in posts if r != "supervisor"}
                supervised = {u for root, _d, r in posts if r == "supervisor" for u in directory.subtree(root)}
                routed = select(t.task.c.case_id).where(t.task.c.routed_org_unit_id.in_(units or {-1}))
                q = q.where(c.origin_org_unit_id.in_((units | supervised) or {-1}) | c.id.in_(routed))
        if status:
            q = q.where(c.status == status)
        if item_code:
            q = q.where(or_(t.item_implementation.c.code == item_code, t.item_implementation.c.local_code == item_code))
        if after_id:
            q = q.where(c.id > after_id)
        rows = conn.execute(q.order_by(c.id).limit(limit)).all()
    return [CaseSummary(r.id, r.number, r.code, r.status, r.stage, r.warning, r.applicant_name, r.promise_due,
                        r.created_at) for r in rows]


def audit_trail(ctx, case_id: int, actor: Actor) -> tuple[list[dict], Optional[int]]:
    """The case's events and where the hash chain breaks (None when intact)."""
    from engine.domain import audit as audit_rules
    from engine.services.audit import case_stream, events_of
    with ctx.uow.read() as conn:
        if conn.execute(select(t.case.c.id).where(t.case.c.id == case_id)).first() is None:
            raise NotFound(f"case {case_id} does not exist", code="case_not_found")
        access.require_case_access(ctx, conn, actor, case_id)
        events = events_of(conn, case_stream(case_id))
    return events, audit_rules.verify(events, case_stream(case_id))


def withdraw(ctx, case_id: int, reason: str, actor: Actor, *, conn: Optional[Connection] = None) -> None:
    """撤件: the applicant (or a clerk for her) withdraws a running case. Open tasks close, every
    pending timer is cancelled and the clock stops; the trail keeps the reason. In the caller's
    `conn` when given (a package withdraws its open children in one transaction)."""
    if not (reason or "").strip():
        raise ValidationError("a withdrawal needs a reason", code="withdraw_reason_required", field="reason")
    with nullcontext(conn) if conn is not None else ctx.uow.begin() as conn:
        case = progress.lock_case(ctx, conn, case_id)
        access.require_case_access(ctx, conn, actor, case_id)
        if case.status != "running":
            raise Conflict(f"case {case.number} is {case.status}", code="case_not_running")
        now = ctx.clock.now()
        lifecycle.move(conn, case, ["withdraw"], actor, now, reason=reason[:500])
        lifecycle.close(ctx, conn, case, "withdrawn", actor, now, "case_withdrawn", {"reason": reason[:500]})
        packages.child_closed(ctx, conn, case_id, actor, now)
