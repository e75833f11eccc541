"""Starting cases and reading them."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from engine.bpmn.runtime import check_user_data
from engine.domain.audit import GENESIS
from engine.domain.clock import SHANGHAI
from engine.domain.errors import NotFound, ValidationError
from engine.domain.identity import mask_id_number
from engine.services import definitions, org, progress
from engine.services.audit import CaseAudit
from engine.services.context import Actor
from engine.store.models import Case, CaseCounter, ServiceItem

CHANNELS = ("window", "online", "mobile", "mail", "proxy")


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


def _check_applicant(applicant: dict) -> None:
    if not isinstance(applicant, dict):
        raise ValidationError("applicant must be an object", code="applicant_invalid", field="applicant")
    name = applicant.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("applicant.name is required", code="applicant_name_required", field="applicant.name")
    check_user_data(applicant, "applicant")


def start_case(ctx, cmd: StartCase, actor: Actor) -> Started:
    if cmd.channel not in CHANNELS:
        raise ValidationError(f"unknown channel {cmd.channel!r}", code="channel_unknown", field="channel")
    _check_applicant(cmd.applicant)
    check_user_data(cmd.form, "form")
    with ctx.uow.begin() as session:
        item = session.execute(select(ServiceItem).where(ServiceItem.code == cmd.item_code)).scalar_one_or_none()
        if item is None:
            raise NotFound(f"service item {cmd.item_code!r} does not exist", code="item_not_found", field="item_code")
        definition = definitions.latest(session, item.process_key)
        if definition is None:
            raise NotFound(f"process {item.process_key!r} of item {item.code} is not deployed",
                           code="definition_not_found", field="item_code")
        window = org.window(ctx, session, cmd.window_id)
        now = ctx.clock.now()
        number = next_case_number(session, item.code, now)
        definitions.load(ctx, session, definition.id)
        data = {"case": {"number": number, "item": item.code, "channel": cmd.channel},
                "applicant": dict(cmd.applicant), "form": dict(cmd.form)}
        wf = ctx.runtime.start(definition.id, data, ctx.clock)
        case_id = session.execute(insert(Case).values(
            number=number, item_id=item.id, definition_id=definition.id, origin_window_id=window.id,
            origin_org_unit_id=window.org_unit_id, channel=cmd.channel, applicant=dict(cmd.applicant),
            applicant_name=cmd.applicant["name"].strip()[:200], status="running", state="", version=0,
            audit_seq=0, audit_head=GENESIS, created_at=now, updated_at=now, created_by=actor.username)
            .returning(Case.id)).scalar_one()
        case = progress.LoadedCase(case_id, 0, "running", definition.id, window.org_unit_id, number,
                                   CaseAudit(case_id, 0, GENESIS), workflow=wf)
        case.audit.add("case_started", actor, now, {
            "number": number, "item": item.code, "definition": definition.id, "version": definition.version,
            "window": window.id, "channel": cmd.channel, "applicant": cmd.applicant["name"],
            "applicant_id": mask_id_number(cmd.applicant.get("id_number"))})
        version = progress.save(ctx, session, case, actor, now)
        status = session.execute(select(Case.status).where(Case.id == case_id)).scalar_one()
        return Started(case_id, number, version, status)


def next_case_number(session: Session, scope: str, now) -> str:
    """<item code>-<yyyymmdd>-<4-digit daily serial>. One upsert statement, so concurrent starts
    on PostgreSQL serialize on the counter row and never share a number."""
    day = now.astimezone(SHANGHAI).strftime("%Y%m%d")
    dialect_insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    stmt = dialect_insert(CaseCounter).values(scope=scope, day=day, value=1)
    stmt = stmt.on_conflict_do_update(index_elements=[CaseCounter.scope, CaseCounter.day],
                                      set_={"value": CaseCounter.value + 1}).returning(CaseCounter.value)
    value = session.execute(stmt).scalar_one()
    return f"{scope}-{day}-{value:04d}"


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


def get_case(ctx, case_id: int) -> CaseView:
    with ctx.uow.begin() as session:
        row = session.execute(select(Case, ServiceItem.code).join(ServiceItem, ServiceItem.id == Case.item_id)
                              .where(Case.id == case_id)).first()
        if row is None:
            raise NotFound(f"case {case_id} does not exist", code="case_not_found")
        case, code = row
        definitions.load(ctx, session, case.definition_id)
        wf = ctx.runtime.loads(case.state)
        return CaseView(case.id, case.number, code, case.status, case.stage, case.version, case.applicant_name,
                        mask_id_number(case.applicant.get("id_number")), case.origin_window_id, case.channel,
                        case.created_at, case.completed_at, ctx.runtime.data(wf))
