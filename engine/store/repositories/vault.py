"""The applicant's vault (云档案): her documents, owned by her account and/or by the keyed hash of
her ID number. Every owner query comes in three prebuilt shapes — by account, by key, by either —
so a statement names only the owner columns the caller knows (what the vault's indexes serve)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Callable, Optional

from sqlalchemy import bindparam, or_, select, update

from engine.store import tables as t
from engine.store.models import Staff
from engine.store.repositories.base import Repository

_D, _B, _C = t.applicant_document.c, t.blob.c, t.case.c


def _by_owner(statement: Callable) -> dict:
    """{(account known, key known): the statement with that owner condition}."""
    account, key = _D.owner_account_id == bindparam("account_id"), _D.owner_key == bindparam("key")
    return {(True, False): statement(account), (False, True): statement(key),
            (True, True): statement(or_(account, key))}


# what a document shows (its number is masked by the service), with its file's type and size
_VIEW = (select(_D.id, _D.kind, _D.title, _D.number, _D.issuer, _D.valid_until, _D.trust_level, _D.source,
                _D.blob_sha256, _D.created_at, _D.verified_at, _B.media_type, _B.size)
         .outerjoin(t.blob, _B.sha256 == _D.blob_sha256))
_VIEW_ONE = _VIEW.where(_D.id == bindparam("document_id"))
_VIEWS_OF = _by_owner(lambda owned: _VIEW.where(owned).order_by(_D.id))
_DOCUMENT_OF = _by_owner(lambda owned: select(t.applicant_document).where(_D.id == bindparam("document_id"), owned))
# 免证办: the owner's documents of the given trust levels, A before B, newest first
_REUSABLE_OF = _by_owner(lambda owned: select(t.applicant_document)
                         .where(owned, _D.trust_level.in_(bindparam("levels", expanding=True)))
                         .order_by(_D.trust_level, _D.id.desc()))
_FILES_OF = _by_owner(lambda owned: select(_D.blob_sha256).where(owned))

_CASE_OWNER = select(_C.applicant, _C.applicant_account_id).where(_C.id == bindparam("case_id"))
_LOCK_ACCOUNT = select(Staff.__table__.c.id).where(Staff.__table__.c.id == bindparam("account_id")).with_for_update()
_ADD = t.applicant_document.insert().returning(_D.id)
_VERIFY = (update(t.applicant_document).where(_D.id == bindparam("document"), _D.trust_level == "C")
           .values(trust_level="B", verified_at=bindparam("now"), verified_by=bindparam("by")))


class Vault(Repository):
    __slots__ = ()

    def _owned(self, statements: dict, account_id: Optional[int], key: Optional[str], params: dict):
        """Run the owner's variant of a statement; None when the owner is unknown (owns nothing)."""
        if account_id is None and key is None:
            return None
        return self.conn.execute(statements[account_id is not None, key is not None],
                                 {**params, "account_id": account_id, "key": key})

    # --- reading ---------------------------------------------------------------------------------

    def case_owner(self, case_id: int):
        """(applicant, applicant_account_id) of a case: whose vault its documents come from; None
        if there is no such case."""
        return self.conn.execute(_CASE_OWNER, {"case_id": case_id}).first()

    def views_of(self, account_id: Optional[int], key: Optional[str]) -> list:
        """The owner's documents as shown (with the file's media type and size), oldest first."""
        result = self._owned(_VIEWS_OF, account_id, key, {})
        return [] if result is None else result.all()

    def view(self, document_id: int):
        """One document as shown, or None."""
        return self.conn.execute(_VIEW_ONE, {"document_id": document_id}).first()

    def document_of(self, account_id: Optional[int], key: Optional[str], document_id: int):
        """The owner's document (every column), or None — also when it is someone else's."""
        result = self._owned(_DOCUMENT_OF, account_id, key, {"document_id": document_id})
        return None if result is None else result.first()

    def reusable_of(self, account_id: Optional[int], key: Optional[str], levels) -> list:
        """The owner's documents of the given trust levels (every column), by level, newest first."""
        result = self._owned(_REUSABLE_OF, account_id, key, {"levels": list(levels)})
        return [] if result is None else result.all()

    def files_of(self, account_id: Optional[int], key: Optional[str]) -> set:
        """The file hashes of the owner's documents (None for a document without a file)."""
        result = self._owned(_FILES_OF, account_id, key, {})
        return set() if result is None else set(result.scalars())

    # --- writing ---------------------------------------------------------------------------------

    def lock_account(self, account_id: int) -> None:
        """Lock the owning account's row (PostgreSQL; SQLite has a single writer anyway): the
        caller takes it FIRST in its transaction, see engine/services/materials/vault.py lock_vault."""
        if self.postgres:
            self.conn.execute(_LOCK_ACCOUNT, {"account_id": account_id})

    def add(self, *, owner_account_id: Optional[int], owner_key: Optional[str], kind: str, title: str,
            number: Optional[str], issuer: Optional[str], valid_until: Optional[date], trust_level: str,
            source: str, blob_sha256: Optional[str], created_at: datetime, created_by: str,
            verified_at: Optional[datetime], verified_by: Optional[str]) -> int:
        """A new document; its id."""
        return self.conn.execute(_ADD, {
            "owner_account_id": owner_account_id, "owner_key": owner_key, "kind": kind, "title": title,
            "number": number, "issuer": issuer, "valid_until": valid_until, "trust_level": trust_level,
            "source": source, "blob_sha256": blob_sha256, "created_at": created_at, "created_by": created_by,
            "verified_at": verified_at, "verified_by": verified_by}).scalar_one()

    def mark_verified(self, document_id: int, by: str, now: datetime) -> None:
        """C → B (a document already above C is left as it is)."""
        self.conn.execute(_VERIFY, {"document": document_id, "by": by, "now": now})
