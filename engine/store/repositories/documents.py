"""Documents (文书) issued to the applicant, stored as issued (the rendered HTML and its hash)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from engine.store import tables as t
from engine.store.models import CaseDocument
from engine.store.repositories.base import Repository

_D = CaseDocument.__table__
_INFO = (_D.c.id, _D.c.kind, _D.c.number, _D.c.format, _D.c.sha256, _D.c.created_at, _D.c.created_by,
         _D.c.event_seq)


class Documents(Repository):
    __slots__ = ()

    def case_facts(self, case_id: int):
        """What a document says about its case (number, applicant, dates, item and agency)."""
        c, i = t.case.c, t.item_implementation.c
        return self.conn.execute(
            select(c.number, c.applicant, c.applicant_name, c.created_at, c.accepted_at, c.deemed_accepted,
                   c.promise_due, c.legal_due, c.decided_at, i.name.label("item_name"), i.body_name)
            .join(t.item_implementation, i.id == c.item_id).where(c.id == case_id)).one()

    def count(self, case_id: int) -> int:
        return self.conn.execute(select(func.count()).select_from(_D).where(_D.c.case_id == case_id)).scalar()

    def add(self, case_id: int, kind: str, number: str, content: str, sha256: str, now: datetime, by: str,
            event_seq: int) -> None:
        self.conn.execute(_D.insert().values(case_id=case_id, kind=kind, number=number, format="html", content=content,
                                             sha256=sha256, created_at=now, created_by=by, event_seq=event_seq))

    def of_case(self, case_id: int) -> list:
        return self.conn.execute(select(*_INFO).where(_D.c.case_id == case_id).order_by(_D.c.id)).all()

    def get(self, case_id: int, document_id: int):
        """The document with its content, or None."""
        return self.conn.execute(select(*_INFO, _D.c.content)
                                 .where(_D.c.id == document_id, _D.c.case_id == case_id)).first()
