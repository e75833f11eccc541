"""Starting a case: checks, its number, its workflow run to the first wait, its clock, tasks and
timers, all in one transaction."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Optional

import engine.services.cases.once as once
import engine.services.cases.progress as progress
from engine import metrics
from engine.bpmn.user_data import check_user_data
from engine.domain import intake, sla
from engine.domain import lifecycle as lc
from engine.domain import ratings as ratings_rules
from engine.domain.actor import Actor
from engine.domain.audit import GENESIS, CaseAudit
from engine.domain.case import LoadedCase
from engine.domain.errors import NotFound, ValidationError
from engine.domain.identity import identity_problem, mask_id_number
from engine.services import calendar, catalogue, definitions, materials
from engine.services.accounts import access, org
from engine.services.caches import from_remembered
from engine.services.definitions import forms
from engine.store.uow import Transaction


@dataclass(frozen=True)
class StartCase:
    item_code: str
    window_id: int
    applicant: dict
    form: dict = field(default_factory=dict)
    channel: str = "window"
    business_key: Optional[str] = None     # Camunda's businessKey (a start through /engine-rest)
    # an internal case (a 差评's review, docs/ratings.md): no applicant's clock, so no 受理 deadline
    # and no deemed acceptance; only its steps' deadlines (and their cards) run
    internal: bool = False


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


_IDENTITY_MESSAGES = {"id_number_invalid": "the ID number is not a valid 18-character resident ID (GB 11643)",
                      "phone_invalid": "a phone number is an 11-digit mainland mobile number"}


def _check_identity(applicant: dict, form: dict) -> None:
    problem = identity_problem(applicant, form)
    if problem is not None:
        code, field_name = problem
        raise ValidationError(_IDENTITY_MESSAGES[code], code=code, field=field_name)


def _clock_values(ctx, cal, now, item, internal: bool, hours=None) -> dict:
    """The case clock's columns at receipt (after the receiving hall's hours: deemed received the
    next working day, docs/time-limits.md#deemed-receipt); an internal case (a 差评 review) runs no
    applicant's clock: no 受理 deadline, only its steps' deadlines."""
    values = sla.receipt_values(cal, now, item, correction_notice_workdays=ctx.settings.correction_notice_workdays,
                                convention=ctx.settings.start_day_convention, receipt_rule=ctx.settings.receipt_rule,
                                hours=hours)
    return {**values, "clock_status": "stopped", "acceptance_due": None} if internal else values


def start_case(ctx, cmd: StartCase, actor: Actor, *, tx: Optional[Transaction] = None,
               parent_case_id: Optional[int] = None, idempotency_key: Optional[str] = None) -> Started:
    """Start a case in its own transaction, or in the caller's `tx` (一件事 packages start a
    parent and its children in one, engine/services/packages/cases.py). With an
    `idempotency_key`, a retried request gets the first result instead of a second case."""
    if idempotency_key and tx is None and actor.staff_id:
        return _start_once(ctx, cmd, actor, idempotency_key)
    if cmd.channel not in intake.CHANNELS:
        raise ValidationError(f"unknown channel {cmd.channel!r}", code="channel_unknown", field="channel")
    _check_applicant(cmd.applicant)
    if not isinstance(cmd.form, dict):
        raise ValidationError("form must be an object", code="form_invalid", field="form")
    check_user_data(cmd.form, "form", top=False)
    _check_identity(cmd.applicant, cmd.form)
    if tx is not None:
        return _start(ctx, tx, cmd, actor, parent_case_id, None)

    def attempt(remembered) -> Started:
        with ctx.uow.begin() as own:
            return _start(ctx, own, cmd, actor, parent_case_id, remembered)
    items = ctx.caches.start_items
    return from_remembered(items.get(cmd.item_code), attempt, forget=lambda: items.discard(cmd.item_code))


def _start(ctx, tx: Transaction, cmd: StartCase, actor: Actor, parent_case_id: Optional[int], remembered) -> Started:
    """The start in `tx`. With `remembered`, the published item as an earlier start in this
    process read it (PostgreSQL: no read of its own; the check that it did not change goes with
    the command's first exchange and fails it with RowsChanged)."""
    if remembered is not None:
        item = tx.catalogue.unchanged_for_start(remembered)
    else:
        item = tx.catalogue.published_for_start(cmd.item_code)
        if item is not None and getattr(item, "item_xmin", None) is not None:
            tx.after_commit(partial(ctx.caches.start_items.put, cmd.item_code, item))
    if item is None:
        raise NotFound(f"service item {cmd.item_code!r} does not exist", code="item_not_found", field="item_code")
    if item.process_key == ratings_rules.REVIEW_PROCESS and not cmd.internal:
        raise ValidationError("a 差评's review is started by the 差评, not at a window", code="item_internal",
                              field="item_code")
    definition_id = item.definition_id          # its newest version, read with the item
    if definition_id is None:
        raise NotFound(f"process {item.process_key!r} of item {item.code} is not deployed",
                       code="definition_not_found", field="item_code")
    window = org.window(ctx, tx, cmd.window_id)
    access.require_window_post(ctx, tx, actor, window.id)
    catalogue.require_accepting_tier(ctx, tx, item.id, window)
    if actor.kind == "applicant" and cmd.channel not in intake.APPLICANT_CHANNELS:
        raise ValidationError("applicants apply online, by mobile or by mail", code="channel_not_allowed",
                              field="channel")
    forms.validate_application(ctx, tx, definition_id, item.application_form, cmd.form)
    now = ctx.clock.now()
    number, reserved_id = _number_and_id(tx, item.code, now)
    data = {"case": {"number": number, "item": item.code, "channel": cmd.channel},
            "applicant": dict(cmd.applicant), "form": dict(cmd.form)}
    cal = calendar.current(ctx, tx)
    clock_values = _clock_values(ctx, cal, now, item, cmd.internal, window.hours)
    case_id = tx.cases.insert({**clock_values,
        "number": number, "item_id": item.id, "definition_id": definition_id, "origin_window_id": window.id,
        "origin_org_unit_id": window.org_unit_id, "channel": cmd.channel, "applicant": dict(cmd.applicant),
        "applicant_name": cmd.applicant["name"].strip()[:200], "status": "running",
        "applicant_account_id": actor.staff_id if actor.kind == "applicant" else None, "stage": None, "state": "",
        "version": 0, "audit_seq": 0, "audit_head": GENESIS, "next_timer_at": None, "created_at": now,
        "updated_at": now, "completed_at": None, "created_by": actor.username,
        "parent_case_id": parent_case_id, "business_key": cmd.business_key}, reserved_id)
    tx.after_commit(metrics.case_started)
    if not cmd.internal:
        tx.timers.schedule(case_id, sla.ACCEPTANCE_DUE, "case", clock_values["acceptance_due"], now)
    tx.send_ahead()         # the database writes the case and its clock while the engine starts
    definitions.load(ctx, tx, definition_id)
    wf = ctx.runtime.start(definition_id, data, ctx.clock, calendar=cal,
                           convention=ctx.settings.start_day_convention, started_by=actor.username)
    case = LoadedCase(case_id, 0, "running", definition_id, window.org_unit_id, number,
                      CaseAudit(case_id, 0, GENESIS), workflow=wf, lifecycle=lc.RECEIVED,
                      parent_case_id=parent_case_id, parent_read=True, item_id=item.id)
    case.audit.add("case_started", actor, now, {
        "number": number, "item": item.code, "definition": definition_id, "version": item.definition_version,
        "window": window.id, "channel": cmd.channel, "applicant": cmd.applicant["name"],
        "applicant_id": mask_id_number(cmd.applicant.get("id_number")),
        "acceptance_due": clock_values["acceptance_due"] and clock_values["acceptance_due"].isoformat(),
        "calendar_version": cal.version,
        **({"deemed_received_on": clock_values["deemed_received_on"].isoformat()}
           if clock_values["deemed_received_on"] else {}),
        **({"business_key": cmd.business_key} if cmd.business_key is not None else {})})
    materials.on_case_started(ctx, tx, case, item, actor, now)       # 免证办: reuse the vault
    version = progress.save(ctx, tx, case, actor, now)
    if case.unroutable:
        # a first step nobody at or above this window can take would only land in a supervisor
        # queue: refuse the window instead (everything above rolls back)
        raise ValidationError(f"item {item.code} cannot be routed from this window: {'; '.join(case.unroutable)}",
                              code="item_not_routable_here", field="window_id")
    progress.remember_open_tasks(ctx, tx, case)
    return Started(case_id, number, version, case.status, tuple(case.new_tasks))


def _start_once(ctx, cmd: StartCase, actor: Actor, key: str) -> Started:
    """The case and the key in one transaction (engine/services/cases/once.py)."""
    request = [cmd.item_code, cmd.window_id, cmd.applicant, cmd.form, cmd.channel, cmd.business_key]

    def start(tx: Transaction) -> dict:
        started = start_case(ctx, cmd, actor, tx=tx)
        return {"case_id": started.case_id, "number": started.number, "version": started.version,
                "status": started.status, "tasks": list(started.tasks)}

    r = once.run_once(ctx, actor, key, "start", request, start)
    return Started(r["case_id"], r["number"], r["version"], r["status"], tuple(r["tasks"]))


def _number_and_id(tx: Transaction, implementation_code: str, now) -> tuple[str, Optional[int]]:
    """The case's 办件编号 and, when the store gives it before the INSERT (PostgreSQL: one round
    trip less per start), the id its row will have. The serial is one upsert of a counter row, so
    concurrent starts on PostgreSQL serialize on it and never share a number."""
    day = intake.case_day(now)
    serial, case_id = tx.cases.reserve(implementation_code, day)
    return intake.case_number(implementation_code, day, serial), case_id
