"""Messages and signals: the subscriptions of waiting cases (what each waits for, kept by the
case's save) and the delivered messages' ids with their answers (idempotent resends)."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable, Optional

from sqlalchemy import and_, bindparam, delete, exists, select
from sqlalchemy.exc import IntegrityError

from engine.domain.errors import Conflict
from engine.store import tables as t
from engine.store.fast import FastWrite
from engine.store.repositories.base import Repository

_S = t.event_subscription.c
_C = t.case.c
_D = t.message_delivery.c
_V = t.event_subscription_value.c
_M = t.message_start.c
_INSERT = FastWrite(t.event_subscription.insert())
_REMOVE = FastWrite(delete(t.event_subscription).where(
    _S.case_id == bindparam("cid"), _S.task_id == bindparam("tid"), _S.kind == bindparam("k"),
    _S.name == bindparam("n")))


class Messages(Repository):
    __slots__ = ()

    # --- subscriptions (written by the case's save) ------------------------------------------

    def subscribe(self, case_id: int, entries: Iterable[tuple[str, str, str, str]], now: datetime,
                  values: Optional[dict] = None) -> None:
        """Each entry (task id, kind, name, element id); `values`: task id -> {variable: canonical
        value} kept for a message subscription (correlation by variables)."""
        rows = [{"case_id": case_id, "task_id": tid, "kind": kind, "name": name[:255], "element_id": el[:255],
                 "created_at": now} for tid, kind, name, el in entries]
        if not values:
            if rows:
                _INSERT.execute(self.conn, rows)
            return
        kept = []
        for row in rows:
            found = values.get(row["task_id"]) if row["kind"] == "message" else None
            if not found:
                _INSERT.execute(self.conn, [row])
                continue
            sid = self.conn.execute(t.event_subscription.insert().values(**row).returning(_S.id)).scalar()
            kept += [{"subscription_id": sid, "name": name, "value": value} for name, value in found.items()]
        if kept:
            self.conn.execute(t.event_subscription_value.insert(), kept)

    def unsubscribe(self, case_id: int, keys: Iterable[tuple[str, str, str]]) -> None:
        """Each key (task id, kind, name)."""
        keys = list(keys)
        params = [{"cid": case_id, "tid": tid, "k": kind, "n": name[:255]} for tid, kind, name in keys]
        if not params:
            return
        for tid, kind, name in keys:
            if kind == "message":      # its kept variables first (a signal keeps none)
                self.conn.execute(delete(t.event_subscription_value).where(_V.subscription_id.in_(
                    select(_S.id).where(_S.case_id == case_id, _S.task_id == tid, _S.kind == kind,
                                        _S.name == name[:255]))))
        _REMOVE.execute(self.conn, params)

    def drop_case(self, case_id: int) -> None:
        """A case closed without its workflow (withdrawn, returned): it waits for nothing."""
        self.conn.execute(delete(t.event_subscription_value).where(_V.subscription_id.in_(
            select(_S.id).where(_S.case_id == case_id))))
        self.conn.execute(delete(t.event_subscription).where(_S.case_id == case_id))

    # --- finding the waiting cases ------------------------------------------------------------

    def waiting_cases(self, kind: str, name: str, *, case_id: Optional[int] = None, number: Optional[str] = None,
                      business_key: Optional[str] = None, values: Optional[dict] = None,
                      exclude_case: Optional[int] = None, limit: int = 2) -> list[int]:
        """Running cases waiting for this message that match every correlation given, by id,
        at most `limit` (a caller asking for 2 learns whether one is ambiguous). `values`:
        variable -> canonical value that the waiting subscription must have kept."""
        conditions = [_S.kind == kind, _S.name == name[:255], _C.status == "running"]
        for variable, value in (values or {}).items():
            conditions.append(exists().where(_V.subscription_id == _S.id, _V.name == variable, _V.value == value))
        if exclude_case is not None:
            conditions.append(_S.case_id != exclude_case)
        if case_id is not None:
            conditions.append(_S.case_id == case_id)
        if number is not None:
            conditions.append(_C.number == number)
        if business_key is not None:
            conditions.append(_C.business_key == business_key)
        query = (select(_S.case_id).select_from(t.event_subscription.join(t.case, _C.id == _S.case_id))
                 .where(and_(*conditions)).group_by(_S.case_id).order_by(_S.case_id).limit(limit))
        return list(self.conn.execute(query).scalars())

    def signal_waiters(self, name: str, after_case_id: int, limit: int) -> list[int]:
        """Running cases waiting for the signal, by id above `after_case_id` (a batch's cursor)."""
        query = (select(_S.case_id).select_from(t.event_subscription.join(t.case, _C.id == _S.case_id))
                 .where(_S.kind == "signal", _S.name == name[:255], _S.case_id > after_case_id,
                        _C.status == "running")
                 .group_by(_S.case_id).order_by(_S.case_id).limit(limit))
        return list(self.conn.execute(query).scalars())

    def is_package_parent(self, case_id: int) -> bool:
        """Does any case name this one its 一件事 parent? (Its wait is the engine's own.)"""
        return self.conn.execute(select(_C.id).where(_C.parent_case_id == case_id).limit(1)).first() is not None

    def of_case(self, case_id: int) -> list[tuple[str, str, str]]:
        """(kind, name, element id) of what the case waits for."""
        return [tuple(r) for r in self.conn.execute(
            select(_S.kind, _S.name, _S.element_id).where(_S.case_id == case_id).order_by(_S.id))]

    # --- message start events -----------------------------------------------------------------

    def add_starts(self, definition_id: int, process_key: str, entries: list[tuple[str, str]]) -> None:
        """Each entry (element id, message name) of a version just deployed."""
        if entries:
            self.conn.execute(t.message_start.insert(), [
                {"definition_id": definition_id, "process_key": process_key, "name": name[:255],
                 "element_id": element[:255]} for element, name in entries])

    def starts(self, name: str) -> list:
        """(process_key, definition_id, element_id) of every version with a message start of this name."""
        return self.conn.execute(select(_M.process_key, _M.definition_id, _M.element_id)
                                 .where(_M.name == name[:255]).order_by(_M.process_key, _M.definition_id)).all()

    # --- delivered messages -------------------------------------------------------------------

    def delivery(self, kind: str, message_id: str):
        """(name, request hash, response) of a delivered message id, or None."""
        return self.conn.execute(select(_D.name, _D.request, _D.response)
                                 .where(_D.kind == kind, _D.message_id == message_id)).first()

    def claim(self, kind: str, message_id: str, name: str, request_hash: str, account_id: Optional[int],
              now: datetime) -> None:
        """Reserve the id before delivering, in the delivering transaction. A concurrent sender of
        the same id waits here (PostgreSQL: for the first one's commit) and gets a Conflict
        `message_id_in_use`; its transaction rolls back, and it reads the first answer."""
        try:
            self.conn.execute(t.message_delivery.insert(), {
                "kind": kind, "message_id": message_id, "name": name[:255], "request": request_hash,
                "response": {}, "account_id": account_id, "created_at": now})
        except IntegrityError:
            raise Conflict("a message with this id is being delivered", code="message_id_in_use",
                           field="message_id") from None

    def answer(self, kind: str, message_id: str, response: dict) -> None:
        self.conn.execute(t.message_delivery.update().where(_D.kind == kind, _D.message_id == message_id)
                          .values(response=response))
