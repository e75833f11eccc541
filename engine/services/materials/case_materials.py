"""A case's materials (docs/materials.md#domain-rules): for each material of the case's
implementation, how it was satisfied — an upload (C until a window verifies it: B), a vault
document or e-licence (its trust level), a self-declaration (D), tolerated under 容缺 with a
committed deadline — or missing. "免证办": at case start, slots that accept an A/B document
already in the applicant's vault are filled from it. Every change is an event on the case."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Optional

import engine.services.materials.blobs as blobs
import engine.services.materials.mandates as mandates
import engine.services.materials.vault as vault
from engine.domain import deadlines as dl
from engine.domain import materials as rules
from engine.domain.actor import Actor
from engine.domain.clock import SHANGHAI
from engine.domain.errors import Conflict, Forbidden, NotFound, ValidationError
from engine.domain.identity import mask_id_number
from engine.services import calendar
from engine.services.accounts import access
from engine.services.materials.locking import LockedCase, finish, item_of, lock_for_materials
from engine.store.uow import Transaction


def _put(tx: Transaction, case_id: int, code: str, actor: Actor, now, **values) -> None:
    """One row per material: a new way of satisfying it replaces the old (the trail keeps both)."""
    row = {"blob_sha256": None, "filename": None, "document_id": None, "declaration": None, "deadline": None,
           "commitment": None, "trust_level": None, "auto_filled": False, "verified_at": None, "verified_by": None}
    tx.materials.replace(case_id, code, {**row, **values, "created_at": now, "created_by": actor.username})


# --- commands -----------------------------------------------------------------------------------

def upload(ctx, case_id: int, code: str, file: blobs.Upload, actor: Actor) -> None:
    """A scan or an electronic file for one material: trust level C until verified."""
    facts = blobs.check(ctx, file)             # refuse before opening a transaction
    with ctx.uow.begin() as tx:
        locked = lock_for_materials(ctx, tx, case_id, actor)
        rules.slot(locked.item.materials, code)
        now = ctx.clock.now()
        blobs.store(ctx, tx, file, now, facts)
        _put(tx, case_id, code, actor, now, mode="upload", trust_level="C", blob_sha256=facts.sha256,
             filename=file.safe_name)
        locked.loaded.audit.add("material_uploaded", actor, now, {
            "code": code, "sha256": facts.sha256, "size": facts.size, "media_type": facts.media_type,
            "trust_level": "C"})
        finish(tx, locked, now)


def attach_document(ctx, case_id: int, code: str, document_id: int, actor: Actor) -> None:
    """Reuse a document of the case's applicant from her vault (an e-licence is trust level A)."""
    with ctx.uow.begin() as tx:
        locked = lock_for_materials(ctx, tx, case_id, actor)
        s = rules.slot(locked.item.materials, code)
        doc = vault.document_row(tx, vault.owner_of_case(ctx, tx, case_id), document_id)
        now = ctx.clock.now()
        rules.check_document_fits(s, doc.kind, doc.valid_until, dl.local_date(now))
        _attach(tx, locked, s, doc, actor, now, auto=False)
        finish(tx, locked, now)


def _attach(tx: Transaction, locked: LockedCase, s: rules.Slot, doc, actor: Actor, now, *, auto: bool) -> None:
    mode = "e_licence" if doc.trust_level == "A" else "vault"
    _put(tx, locked.loaded.id, s.code, actor, now, mode=mode, trust_level=doc.trust_level, document_id=doc.id,
         auto_filled=auto)
    locked.loaded.audit.add("material_auto_filled" if auto else "material_from_vault", actor, now, {
        "code": s.code, "document": doc.id, "kind": doc.kind, "number": mask_id_number(doc.number),
        "trust_level": doc.trust_level})


def declare(ctx, case_id: int, code: str, text: str, actor: Actor) -> None:
    """告知承诺: the applicant declares the fact instead of proving it (trust level D)."""
    if not (text or "").strip():
        raise ValidationError("a declaration needs its text", code="declaration_required", field="text")
    with ctx.uow.begin() as tx:
        locked = lock_for_materials(ctx, tx, case_id, actor)
        rules.check_declarable(rules.slot(locked.item.materials, code))
        now = ctx.clock.now()
        _put(tx, case_id, code, actor, now, mode="declaration", trust_level="D", declaration=text.strip()[:4000])
        locked.loaded.audit.add("material_declared", actor, now, {"code": code, "trust_level": "D"})
        finish(tx, locked, now)


def tolerate(ctx, case_id: int, code: str, deadline: date, commitment: str, actor: Actor) -> None:
    """容缺受理: a secondary material may follow by a committed date within the promised
    limit, on the strength of the applicant's signed 容缺受理承诺书."""
    if not (commitment or "").strip():
        raise ValidationError("容缺受理 needs the applicant's commitment letter", code="commitment_required",
                              field="commitment")
    with ctx.uow.begin() as tx:
        locked = lock_for_materials(ctx, tx, case_id, actor)
        access.require_agency(actor)             # the window accepts 容缺 on the applicant's commitment
        s = rules.slot(locked.item.materials, code)
        now = ctx.clock.now()
        today = dl.local_date(now)
        case = locked.case
        promise_day = ((case.promise_due.astimezone(SHANGHAI) - timedelta(days=1)).date()
                       if case.promise_due is not None else None)
        bound = rules.promise_bound(calendar.current(ctx, tx), today, promise_day, case.promise_limit,
                                    case.promise_unit, case.convention)
        rules.check_tolerance(bool(locked.item.tolerant_acceptance), s, deadline, today, bound)
        _put(tx, case_id, code, actor, now, mode="tolerated", deadline=deadline, commitment=commitment.strip()[:4000])
        locked.loaded.audit.add("material_tolerated", actor, now, {"code": code, "deadline": deadline.isoformat(),
                                                                   "bound": bound.isoformat()})
        finish(tx, locked, now)


def verify(ctx, case_id: int, code: str, actor: Actor) -> None:
    """Window staff checked the original of a user upload: C → B. A vault document behind it is
    upgraded too; a checked scan of a licence-type material is filed in the applicant's vault (B)
    so that her next case reuses it."""
    if actor.kind == "applicant":
        raise Forbidden("only window staff verify originals", code="verification_staff_only")
    with ctx.uow.begin() as tx:
        locked = lock_for_materials(ctx, tx, case_id, actor)
        s = rules.slot(locked.item.materials, code)
        row = tx.materials.get(case_id, code)
        if row is None or row.trust_level != "C":
            raise Conflict(f"material {code} has no user upload waiting for verification",
                           code="material_not_verifiable")
        now = ctx.clock.now()
        owner = vault.owner_of_case(ctx, tx, case_id)
        document_id = row.document_id
        if document_id is not None:
            vault.mark_verified(tx, owner, document_id, actor, now, locked.loaded.audit)
        elif s.licence_types and owner.known and row.blob_sha256:
            document_id = vault.add_document(tx, owner, vault.NewDocument(s.licence_types[0], s.name), "B",
                                             "window", row.blob_sha256, actor, now, locked.loaded.audit)
        tx.materials.mark_verified(row.id, actor.username, now, document_id)
        locked.loaded.audit.add("material_verified", actor, now, {"code": code, "trust_level": "B",
                                                                  "document": document_id})
        finish(tx, locked, now)


def on_case_started(ctx, tx: Transaction, loaded, item, actor: Actor, now) -> None:
    """免证办: called by cases.start_case inside its transaction, after the case row exists,
    with the item row it read (materials, tolerant_acceptance: no query of its own).
    Each slot that accepts a licence type is filled from the applicant's best valid A/B document
    (A before B, newest first)."""
    wanting = [s for s in rules.slots(item.materials) if s.licence_types]
    if not wanting:
        return
    owner = vault.owner_of_case(ctx, tx, loaded.id)
    if not owner.known:
        return
    today = dl.local_date(now)
    docs = tx.vault.reusable_of(owner.account_id, owner.key, rules.REUSABLE)
    locked = LockedCase(loaded, None, item)
    for s in wanting:
        doc = next((d for d in docs if d.kind in s.licence_types
                    and (d.valid_until is None or d.valid_until >= today)), None)
        if doc is not None:
            _attach(tx, locked, s, doc, actor, now, auto=True)


# --- queries ------------------------------------------------------------------------------------

def satisfied(tx: Transaction, case_id: int) -> dict[str, object]:
    return {r.code: r for r in tx.materials.of_case(case_id)}


@dataclass(frozen=True)
class _State:
    slots: list
    rows: dict                      # code -> case_material row
    proxy: bool
    result: rules.Completeness


def _state(tx: Transaction, case_id: int) -> _State:
    case = tx.materials.case_item(case_id)
    if case is None:
        raise NotFound(f"case {case_id} does not exist", code="case_not_found")
    slots = rules.slots(item_of(tx, case.item_id).materials)
    rows, proxy = satisfied(tx, case_id), case.channel == "proxy"
    got = {code: rules.Satisfied(r.mode, r.trust_level) for code, r in rows.items()}
    return _State(slots, rows, proxy, rules.completeness(slots, got, proxy, mandates.exists(tx, case_id)))


def check_completeness(ctx, tx: Transaction, case_id: int) -> rules.Completeness:
    """For the acceptance step (受理): are all required materials there or tolerated, and does a
    proxy case carry its mandate? No access check: the caller has done it."""
    return _state(tx, case_id).result


@dataclass(frozen=True)
class MaterialView:
    code: str
    name: str
    required: bool
    tolerable: bool
    licence_types: list
    status: str                     # missing | satisfied | unverified | tolerated
    mode: Optional[str] = None
    trust_level: Optional[str] = None
    auto_filled: bool = False
    document_id: Optional[int] = None
    sha256: Optional[str] = None
    filename: Optional[str] = None
    deadline: Optional[date] = None
    verified_by: Optional[str] = None


def case_materials(ctx, case_id: int, actor: Actor) -> dict:
    with ctx.uow.read() as tx:
        access.require_readable_case(ctx, tx, actor, case_id)
        state = _state(tx, case_id)
        views = []
        for s in state.slots:
            r = state.rows.get(s.code)
            got = rules.Satisfied(r.mode, r.trust_level) if r is not None else None
            views.append(MaterialView(s.code, s.name, s.required, s.tolerable, list(s.licence_types),
                                      rules.status_of(s, got), *(
                                          (r.mode, r.trust_level, r.auto_filled, r.document_id, r.blob_sha256,
                                           r.filename, r.deadline, r.verified_by) if r is not None else ())))
        result = state.result
        return {"complete": result.complete, "ready": result.ready, "missing": list(result.missing),
                "unverified": list(result.unverified), "tolerated": list(result.tolerated),
                "mandate_required": state.proxy, "mandate": mandates.view(tx, case_id), "materials": views}


def case_file(ctx, case_id: int, sha256: str, actor: Actor) -> blobs.StoredFile:
    """A file the case refers to (a material, the mandate, its applicant's vault), for whoever may
    read the case. A hash the case does not refer to is not found, whoever stored it."""
    with ctx.uow.read() as tx:
        access.require_readable_case(ctx, tx, actor, case_id)
        referenced = {r.blob_sha256 for r in satisfied(tx, case_id).values()} | mandates.files(tx, case_id)
        owner = vault.owner_of_case(ctx, tx, case_id)
        # the applicant's vault as the case shows it (documents_for_case)
        referenced |= tx.vault.files_of(owner.account_id, owner.key)
        if sha256 not in referenced - {None}:
            raise NotFound("this case has no such file", code="file_not_found", field="sha256")
        return blobs.read(tx, sha256)
