"""The applicant's vault (云档案, docs/materials.md#trust-levels-and-e-licences): her e-licences and
documents, reused across her cases. Who owns a case's documents:
- a case started by an applicant account (online/mobile/mail): that account's documents only —
  an ID number she typed is a claim, not a proof, so it never opens anyone's vault;
- a case started by staff for a walk-in applicant (identity checked at the window): the documents
  keyed by the HMAC of the ID number on the case (identity.id_key), plus none by account.
Applicants reach their own vault here; staff reach an applicant's documents only through a case
they may access (access.require_case_access). Document numbers are only ever shown masked."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional

import engine.services.materials.blobs as blobs
from engine.domain.actor import Actor
from engine.domain.errors import Forbidden, NotFound, ValidationError
from engine.domain.identity import id_key, mask_id_number
from engine.domain.materials import KIND, TRUST_LEVELS
from engine.services.accounts import access
from engine.store.uow import Transaction


@dataclass(frozen=True)
class Owner:
    account_id: Optional[int] = None
    key: Optional[str] = None

    @property
    def known(self) -> bool:
        return self.account_id is not None or self.key is not None

    @property
    def stream(self) -> str:
        """The audit stream of this vault (a 32-character column; the key is already a hash)."""
        return f"vault:a{self.account_id}" if self.account_id is not None else f"vault:k{self.key[:24]}"


def owner_of_case(ctx, tx: Transaction, case_id: int) -> Owner:
    row = tx.vault.case_owner(case_id)
    if row is None:
        raise NotFound(f"case {case_id} does not exist", code="case_not_found")
    if row.applicant_account_id is not None:
        return Owner(account_id=row.applicant_account_id)
    return Owner(key=id_key(ctx.settings.id_hash_secret, (row.applicant or {}).get("id_number")))


@dataclass(frozen=True)
class DocumentView:
    id: int
    kind: str
    title: str
    number_masked: Optional[str]
    issuer: Optional[str]
    valid_until: Optional[date]
    trust_level: str
    source: str
    has_file: bool
    media_type: Optional[str]
    size: Optional[int]
    created_at: object
    verified_at: object


def _view(r) -> DocumentView:
    return DocumentView(r.id, r.kind, r.title, mask_id_number(r.number), r.issuer, r.valid_until, r.trust_level,
                        r.source, r.blob_sha256 is not None, r.media_type, r.size, r.created_at, r.verified_at)


def documents_of(tx: Transaction, owner: Owner) -> list[DocumentView]:
    return [_view(r) for r in tx.vault.views_of(owner.account_id, owner.key)]


def document_row(tx: Transaction, owner: Owner, document_id: int):
    """The owner's document, or 404 — another applicant's document does not exist for her."""
    row = tx.vault.document_of(owner.account_id, owner.key, document_id)
    if row is None:
        raise NotFound(f"document {document_id} does not exist", code="document_not_found", field="document_id")
    return row


def _applicant(actor: Actor) -> Owner:
    if actor.kind != "applicant" or actor.staff_id is None:
        raise Forbidden("the vault is the applicant's own; staff reach it through a case",
                        code="vault_applicants_only")
    return Owner(account_id=actor.staff_id)


# --- the applicant's own vault ------------------------------------------------------------------

def my_documents(ctx, actor: Actor) -> list[DocumentView]:
    owner = _applicant(actor)
    with ctx.uow.read() as tx:
        return documents_of(tx, owner)


def my_document(ctx, document_id: int, actor: Actor) -> DocumentView:
    owner = _applicant(actor)
    with ctx.uow.read() as tx:
        document_row(tx, owner, document_id)
        return _view(tx.vault.view(document_id))


def my_file(ctx, document_id: int, actor: Actor) -> blobs.StoredFile:
    owner = _applicant(actor)
    with ctx.uow.read() as tx:
        row = document_row(tx, owner, document_id)
        if row.blob_sha256 is None:
            raise NotFound("this document has no file (an e-licence reference or a declaration)",
                           code="file_not_found")
        return blobs.read(tx, row.blob_sha256)


@dataclass(frozen=True)
class NewDocument:
    kind: str
    title: str
    number: Optional[str] = None
    issuer: Optional[str] = None
    valid_until: Optional[date] = None


def _check(doc: NewDocument) -> None:
    if not KIND.match(doc.kind or ""):
        raise ValidationError("kind is a lower-case name such as id_card or business_licence",
                              code="document_kind_invalid", field="kind")
    if not (doc.title or "").strip():
        raise ValidationError("a document needs a title", code="document_title_required", field="title")


def upload_mine(ctx, doc: NewDocument, upload: blobs.Upload, actor: Actor) -> DocumentView:
    """The applicant files a scan in her vault: trust level C until a window checks the original."""
    owner = _applicant(actor)
    _check(doc)
    facts = blobs.check(ctx, upload)          # refuse before opening a transaction
    with ctx.uow.begin() as tx:
        lock_vault(tx, owner)
        now = ctx.clock.now()
        blobs.store(ctx, tx, upload, now, facts)
        document_id = add_document(tx, owner, doc, "C", "upload", facts.sha256, actor, now)
        return _view(tx.vault.view(document_id))


def file_e_licences(ctx, username: str, id_number: str, docs: list[NewDocument], actor: Actor) -> list[int]:
    """E-licences issued to a person (her ID number) and bound to her real-name account, filed in
    her vault at trust level A: what the e-licence exchange hands over (and the demo's seed)."""
    access.require_role(actor, "admin")
    for doc in docs:
        _check(doc)
    key = id_key(ctx.settings.id_hash_secret, id_number)
    if key is None:
        raise ValidationError("an e-licence is issued to an ID number", code="id_number_required", field="id_number")
    with ctx.uow.begin() as tx:
        account_id = tx.accounts.id_of(username)
        if account_id is None:
            raise NotFound(f"account {username!r} does not exist", code="account_not_found", field="username")
        owner = Owner(account_id=account_id, key=key)
        lock_vault(tx, owner)
        now = ctx.clock.now()
        return [add_document(tx, owner, doc, "A", "e_licence", None, actor, now) for doc in docs]


def lock_vault(tx: Transaction, owner: Owner) -> None:
    """Serialize writers of one applicant's own vault stream (parallel uploads from her browser would
    race for the next sequence number): a lock on her account row, taken FIRST in the transaction —
    after the document insert its foreign-key share lock would turn two uploads into a deadlock.
    SQLite has a single writer anyway."""
    if owner.account_id is not None:
        tx.vault.lock_account(owner.account_id)


def _event(tx: Transaction, owner: Owner, type: str, actor: Actor, now, payload: dict, case_audit) -> None:
    """A vault change done through a case is an event of that case (whose row lock serializes it);
    the applicant's own changes go to her vault's stream (the caller holds lock_vault)."""
    if case_audit is not None:
        case_audit.add(type, actor, now, payload)
    else:
        tx.events.append(owner.stream, type, actor, now, payload)


def add_document(tx: Transaction, owner: Owner, doc: NewDocument, trust_level: str, source: str,
                 blob_sha256: Optional[str], actor: Actor, now, case_audit=None) -> int:
    """Write one vault document and its audit event (the number masked)."""
    assert trust_level in TRUST_LEVELS and owner.known
    document_id = tx.vault.add(
        owner_account_id=owner.account_id, owner_key=owner.key, kind=doc.kind, title=doc.title.strip()[:200],
        number=(doc.number or None), issuer=doc.issuer, valid_until=doc.valid_until, trust_level=trust_level,
        source=source, blob_sha256=blob_sha256, created_at=now, created_by=actor.username,
        verified_at=now if trust_level == "B" else None,
        verified_by=actor.username if trust_level == "B" else None)
    _event(tx, owner, "document_added", actor, now, {
        "document": document_id, "kind": doc.kind, "number": mask_id_number(doc.number), "trust_level": trust_level,
        "source": source, "sha256": blob_sha256}, case_audit)
    return document_id


def mark_verified(tx: Transaction, owner: Owner, document_id: int, actor: Actor, now, case_audit) -> None:
    """C → B: window staff checked the original (through a case, see materials.verify)."""
    tx.vault.mark_verified(document_id, actor.username, now)
    _event(tx, owner, "document_verified", actor, now, {"document": document_id, "trust_level": "B"}, case_audit)


# --- staff, through a case ----------------------------------------------------------------------

def documents_for_case(ctx, case_id: int, actor: Actor) -> list[DocumentView]:
    with ctx.uow.read() as tx:
        access.require_readable_case(ctx, tx, actor, case_id)
        return documents_of(tx, owner_of_case(ctx, tx, case_id))
