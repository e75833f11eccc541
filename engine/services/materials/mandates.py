"""代办服务委托书 (docs/materials.md#proxy-mandates): for a case taken in by proxy (帮办代办), the applicant (principal)
mandates a window agent — full proxy 全程代办, help with a step 环节帮办, or on-site guidance
现场导办 — by a signed mandate, kept as a file or a document of her vault.

Enforcement: a `proxy` case may be started before the mandate is recorded (the village agent
opens the case and records the mandate during intake, the first step of the seven-step flow
委托 → 受理 → …); the completeness check (materials.check_completeness) reports a proxy case
without a mandate as incomplete, so acceptance (受理) cannot rely on it being there."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional

import engine.services.materials.blobs as blobs
import engine.services.materials.locking as locking
import engine.services.materials.vault as vault
from engine.domain import deadlines as dl
from engine.domain.actor import Actor
from engine.domain.errors import Conflict, Forbidden, ValidationError
from engine.domain.materials import MANDATE_SCOPES
from engine.store.uow import Transaction


@dataclass(frozen=True)
class Mandate:
    scope: str
    signed_on: date
    document_id: Optional[int] = None


def record(ctx, case_id: int, mandate: Mandate, file: Optional[blobs.Upload], actor: Actor) -> None:
    """Record (or replace: 续办委托书) the mandate of a proxy case; the agent is the recording clerk."""
    if actor.kind != "staff" or actor.staff_id is None:
        raise Forbidden("a mandate is recorded by the window agent it names", code="mandate_staff_only")
    if mandate.scope not in MANDATE_SCOPES:
        raise ValidationError(f"scope is one of {', '.join(MANDATE_SCOPES)}", code="mandate_scope_invalid",
                              field="scope")
    if (file is None) == (mandate.document_id is None):
        raise ValidationError("attach the signed mandate as a file or name a vault document (one of them)",
                              code="mandate_document_required", field="file")
    facts = blobs.check(ctx, file) if file is not None else None
    with ctx.uow.begin() as tx:
        locked = locking.lock_for_materials(ctx, tx, case_id, actor)
        if locked.case.channel != "proxy":
            raise Conflict("only a case taken in by proxy (channel proxy) has a mandate", code="case_not_proxy")
        now = ctx.clock.now()
        if mandate.signed_on > dl.local_date(now):
            raise ValidationError("the mandate cannot be signed in the future", code="mandate_signed_in_future",
                                  field="signed_on")
        sha256 = filename = None
        if file is not None:
            sha256, filename = blobs.store(ctx, tx, file, now, facts).sha256, file.safe_name
        else:
            vault.document_row(tx, vault.owner_of_case(ctx, tx, case_id), mandate.document_id)
        tx.materials.replace_mandate(case_id, {
            "agent_account_id": actor.staff_id, "principal_name": locked.case.applicant_name,
            "scope": mandate.scope, "blob_sha256": sha256, "filename": filename, "document_id": mandate.document_id,
            "signed_on": mandate.signed_on, "created_at": now, "created_by": actor.username})
        locked.loaded.audit.add("mandate_recorded", actor, now, {
            "agent": actor.username, "principal": locked.case.applicant_name, "scope": mandate.scope,
            "signed_on": mandate.signed_on.isoformat(), "sha256": sha256, "document": mandate.document_id})
        locking.finish(tx, locked, now)


def exists(tx: Transaction, case_id: int) -> bool:
    return tx.materials.has_mandate(case_id)


def files(tx: Transaction, case_id: int) -> set:
    return tx.materials.mandate_files(case_id)


def view(tx: Transaction, case_id: int) -> Optional[dict]:
    row = tx.materials.mandate(case_id)
    if row is None:
        return None
    return {"agent": row.agent, "principal": row.principal_name, "scope": row.scope, "signed_on": row.signed_on,
            "sha256": row.blob_sha256, "filename": row.filename, "document_id": row.document_id,
            "recorded_at": row.created_at}
