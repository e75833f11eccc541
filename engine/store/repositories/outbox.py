"""The event outbox: signals and messages thrown inside a case, waiting to reach the other cases
that wait for them (docs/integration.md#signals-thrown-inside-a-case,
docs/integration.md#messages-thrown-between-cases).

A row is written by the throwing case's save; a delivering worker leases it (PostgreSQL: the pick
skips rows another worker holds, FOR UPDATE SKIP LOCKED; SQLite has one writer), reads the
waiting cases page by page and delivers to each in that case's own transaction, which writes the
(outbox, case) receipt. The receipt's primary key is the exactly-once rule: a case that has one
is never delivered to again, whoever holds the lease and wherever a worker was killed. A message
has one receiver: its delivering transaction locks the row (`lock_message`) and finishes it with
the receipt, so a second worker finds it done. A message nobody waits for yet keeps its row
pending with `lock_expires_at` as the time of its next attempt (the back-off), so `lease` skips
it until then."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import and_, delete, exists, func, or_, select, update

from engine.store import tables as t
from engine.store.repositories.base import Repository

_O = t.event_outbox.c
_R = t.event_outbox_receipt.c
_S = t.event_subscription.c
_C = t.case.c
_COLUMNS = (_O.id, _O.uid, _O.kind, _O.name, _O.variables, _O.source_case_id, _O.element_id, _O.watermark,
            _O.state, _O.lock_owner, _O.lock_expires_at, _O.delivered, _O.created_at, _O.done_at,
            _O.correlation, _O.attempts, _O.expires_at)
_I = t.incident.c


class Outbox(Repository):
    __slots__ = ()

    # --- the throwing case's save ------------------------------------------------------------------

    def add(self, rows: list[dict], now: datetime) -> None:
        """Each row: uid, kind, name, variables, source_case_id, element_id. The watermark (the
        highest subscription id now) is read here, once per save that threw something."""
        if not rows:
            return
        watermark = self.conn.execute(select(func.coalesce(func.max(_S.id), 0))).scalar()
        self.conn.execute(t.event_outbox.insert(), [
            {"correlation": None, "expires_at": None, **row, "name": row["name"][:255], "watermark": watermark,
             "state": "pending", "delivered": 0, "attempts": 0, "created_at": now} for row in rows])

    # --- the delivering worker -----------------------------------------------------------------------

    def lease(self, worker: str, expires_at: datetime, now: datetime, limit: int) -> list:
        """Pending rows nobody holds (no lease, or an expired one), leased to `worker`."""
        pick = (select(_O.id).where(_O.state == "pending",
                                    or_(_O.lock_expires_at.is_(None), _O.lock_expires_at <= now))
                .order_by(_O.id).limit(limit))
        if self.postgres:
            pick = pick.with_for_update(skip_locked=True)
        ids = list(self.conn.execute(pick).scalars())
        if not ids:
            return []
        self.conn.execute(update(t.event_outbox).where(_O.id.in_(ids))
                          .values(lock_owner=worker, lock_expires_at=expires_at))
        return self.conn.execute(select(*_COLUMNS, _C.number.label("source_number"))
                                 .join(t.case, _C.id == _O.source_case_id)
                                 .where(_O.id.in_(ids)).order_by(_O.id)).all()

    def get(self, outbox_id: int):
        return self.conn.execute(select(*_COLUMNS, _C.number.label("source_number"))
                                 .join(t.case, _C.id == _O.source_case_id).where(_O.id == outbox_id)).first()

    def has_pending(self) -> bool:
        return self.conn.execute(select(_O.id).where(_O.state == "pending").limit(1)).first() is not None

    def waiting_cases(self, row, after_case_id: int, limit: int) -> list[int]:
        """Running cases other than the thrower that waited for the signal when it was thrown (a
        subscription no newer than the watermark) and have no receipt yet, by id above the cursor."""
        received = exists().where(_R.outbox_id == row.id, _R.case_id == _S.case_id)
        query = (select(_S.case_id).select_from(t.event_subscription.join(t.case, _C.id == _S.case_id))
                 .where(and_(_S.kind == row.kind, _S.name == row.name, _S.id <= row.watermark,
                             _S.case_id != row.source_case_id, _S.case_id > after_case_id,
                             _C.status == "running", ~received))
                 .group_by(_S.case_id).order_by(_S.case_id).limit(limit))
        return list(self.conn.execute(query).scalars())

    def still_waiting(self, row, case_id: int) -> bool:
        """Does the case (whose lock the caller holds) still wait as it did at the throw?"""
        return self.conn.execute(select(_S.id).where(
            _S.case_id == case_id, _S.kind == row.kind, _S.name == row.name, _S.id <= row.watermark)
            .limit(1)).first() is not None

    def received(self, outbox_id: int, case_id: int) -> bool:
        return self.conn.execute(select(_R.outcome).where(_R.outbox_id == outbox_id, _R.case_id == case_id)
                                 ).first() is not None

    def receipt(self, outbox_id: int, case_id: int, outcome: str, now: datetime) -> None:
        """Record the delivery to the case. The caller holds the case's lock and saw no receipt
        (received()), so a second worker delivering the same row waits for that lock and then sees
        this one; the primary key stops anything that got past that."""
        self.conn.execute(t.event_outbox_receipt.insert().values(
            outbox_id=outbox_id, case_id=case_id, outcome=outcome, created_at=now))
        if outcome == "delivered":
            self.conn.execute(update(t.event_outbox).where(_O.id == outbox_id)
                              .values(delivered=_O.delivered + 1))

    def receipts(self, outbox_id: int) -> list[tuple[int, str]]:
        return [tuple(r) for r in self.conn.execute(
            select(_R.case_id, _R.outcome).where(_R.outbox_id == outbox_id).order_by(_R.case_id))]

    def finish(self, outbox_id: int, worker: str, now: datetime) -> None:
        self.conn.execute(update(t.event_outbox).where(_O.id == outbox_id, _O.state == "pending")
                          .values(state="done", done_at=now, lock_owner=None, lock_expires_at=None))

    def extend(self, outbox_id: int, worker: str, expires_at: datetime) -> bool:
        """Keep the lease while a long broadcast runs; False when another worker took it over."""
        done = self.conn.execute(update(t.event_outbox).where(_O.id == outbox_id, _O.lock_owner == worker)
                                 .values(lock_expires_at=expires_at))
        return done.rowcount == 1

    # --- a message: one receiver ----------------------------------------------------------------------

    def lock_message(self, outbox_id: int):
        """The message row under its lock (PostgreSQL: FOR UPDATE; SQLite: the write lock), or None
        when it is no longer pending (another worker delivered it or gave up)."""
        query = select(*_COLUMNS, _C.number.label("source_number")).join(t.case, _C.id == _O.source_case_id) \
            .where(_O.id == outbox_id, _O.state == "pending")
        if self.postgres:
            query = query.with_for_update(of=t.event_outbox)
        return self.conn.execute(query).first()

    def retry_later(self, outbox_id: int, worker: str, at: datetime) -> None:
        """Nobody waits for the message yet: try again at `at` (the lease holds it until then)."""
        self.conn.execute(update(t.event_outbox).where(_O.id == outbox_id, _O.state == "pending")
                          .values(attempts=_O.attempts + 1, lock_owner=f"retry:{worker}"[:128], lock_expires_at=at))

    def give_up(self, outbox_id: int, now: datetime) -> None:
        """An incident on the sending case holds the message (undelivered, ambiguous, failed)."""
        self.conn.execute(update(t.event_outbox).where(_O.id == outbox_id)
                          .values(state="failed", done_at=now, lock_owner=None, lock_expires_at=None))

    # --- an incident's retry -------------------------------------------------------------------------

    def forget_failure(self, outbox_id: int, case_id: int, expires_at: Optional[datetime] = None) -> None:
        """The failed delivery to this case may be tried again: its receipt goes, the row is pending
        (a message: with its attempts counted afresh and a new time to live, `expires_at`)."""
        self.conn.execute(delete(t.event_outbox_receipt).where(
            _R.outbox_id == outbox_id, _R.case_id == case_id, _R.outcome == "failed"))
        values = {"state": "pending", "done_at": None, "lock_owner": None, "lock_expires_at": None}
        if expires_at is not None:
            values.update(attempts=0, expires_at=expires_at)
        self.conn.execute(update(t.event_outbox).where(_O.id == outbox_id).values(**values))

    # --- pruning ---------------------------------------------------------------------------------------

    def prunable(self, done_before: datetime, limit: int) -> list[int]:
        """Rows finished (state done) before `done_before` that no open incident refers to, oldest first."""
        open_incident = exists().where(_I.outbox_id == _O.id, _I.state == "open")
        return list(self.conn.execute(select(_O.id).where(_O.state == "done", _O.done_at < done_before,
                                                          ~open_incident)
                                      .order_by(_O.done_at, _O.id).limit(limit)).scalars())

    def delete(self, ids: list[int]) -> int:
        """The rows and their receipts (an incident's reference to them is cleared by its repository first)."""
        if not ids:
            return 0
        self.conn.execute(delete(t.event_outbox_receipt).where(_R.outbox_id.in_(ids)))
        return self.conn.execute(delete(t.event_outbox).where(_O.id.in_(ids))).rowcount

    def of_source(self, case_id: int) -> list:
        return self.conn.execute(select(*_COLUMNS).where(_O.source_case_id == case_id).order_by(_O.id)).all()

