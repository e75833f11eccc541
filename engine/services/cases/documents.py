"""文书: the documents a case's steps issue to the applicant (docs/lifecycle.md#documents), rendered from the
Jinja2 templates in engine/templates/documents/ with the case's data and stored in
`case_document` in the SAME transaction as the command that issued them, each with an audit event
carrying its hash. HTML only: no PDF library is part of the stack (see docs/status.md)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Optional

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from engine.domain.actor import Actor
from engine.domain.clock import SHANGHAI, as_utc
from engine.domain.errors import NotFound
from engine.domain.identity import mask_id_number
from engine.services.accounts import access
from engine.store.uow import Transaction

KINDS = {
    "acceptance_notice": "受理通知书",
    "correction_notice": "补正告知书",
    "non_acceptance_notice": "不予受理通知书",
    "special_procedure_notice": "特别程序告知书",
    "grant_decision": "准予行政许可决定书",
    "refusal_decision": "不予行政许可决定书",
    "return_notice": "退件通知书",
    "delivery_receipt": "送达回执",
}
_TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "documents"
_ENV = Environment(loader=FileSystemLoader(str(_TEMPLATES)), autoescape=select_autoescape(["html"]),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def chinese_date(at: Optional[datetime], *, deadline: bool = False) -> Optional[str]:
    """'2026年11月27日' in Beijing time. A deadline instant is the midnight that ends its day,
    so the day shown is the one before it."""
    if at is None:
        return None
    local = as_utc(at).astimezone(SHANGHAI) - (timedelta(microseconds=1) if deadline else timedelta(0))
    return f"{local.year}年{local.month}月{local.day}日"


def _case_facts(tx: Transaction, case_id: int) -> dict:
    row = tx.documents.case_facts(case_id)
    return {"number": row.number, "applicant_name": row.applicant_name,
            "applicant_id": mask_id_number((row.applicant or {}).get("id_number")),
            "item_name": row.item_name, "agency": row.body_name or "行政审批机关",
            "received_on": chinese_date(row.created_at), "accepted_on": chinese_date(row.accepted_at),
            "deemed": bool(row.deemed_accepted), "promise_due": chinese_date(row.promise_due, deadline=True),
            "legal_due": chinese_date(row.legal_due, deadline=True), "decided_on": chinese_date(row.decided_at)}


def issue(tx: Transaction, loaded, kind: str, actor: Actor, now: datetime, **extra) -> dict:
    """Render and store one document of `kind` for the locked case `loaded`; its audit event
    joins the command's events (the caller flushes them with the case row)."""
    facts = _case_facts(tx, loaded.id)
    number = f"{facts['number']}-{tx.documents.count(loaded.id) + 1:02d}"
    doc = {"number": number, "kind": kind, "issued_on": chinese_date(now)}
    content = _ENV.get_template(f"{kind}.html").render(title=KINDS[kind], case=facts, doc=doc, extra=extra)
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
    loaded.audit.add("document_issued", actor, now, {"kind": kind, "number": number, "sha256": digest})
    tx.documents.add(loaded.id, kind, number, content, digest, now, actor.username, loaded.audit.seq)
    return {"kind": kind, "number": number, "sha256": digest}


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    kind: str
    title: str
    number: str
    format: str
    sha256: str
    created_at: datetime
    created_by: Optional[str]
    event_seq: int


def _info(row) -> DocumentInfo:
    return DocumentInfo(row.id, row.kind, KINDS.get(row.kind, row.kind), row.number, row.format, row.sha256,
                        as_utc(row.created_at), row.created_by, row.event_seq)


def list_documents(ctx, case_id: int, actor: Actor) -> list[DocumentInfo]:
    with ctx.uow.read() as tx:
        access.require_readable_case(ctx, tx, actor, case_id)
        rows = tx.documents.of_case(case_id)
    return [_info(r) for r in rows]


def get_document(ctx, case_id: int, document_id: int, actor: Actor) -> tuple[DocumentInfo, str]:
    """One document and its content (the case's access rules: applicants their own)."""
    with ctx.uow.read() as tx:
        access.require_readable_case(ctx, tx, actor, case_id)
        row = tx.documents.get(case_id, document_id)
    if row is None:
        raise NotFound(f"case {case_id} has no document {document_id}", code="document_not_found",
                       field="document_id")
    return _info(row), row.content
