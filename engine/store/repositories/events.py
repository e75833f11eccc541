"""The audit trail: append-only events, hash-chained per stream (one stream per case, one for
the system, one per applicant's vault). A case's events are hashed by the command that adds them
(engine/domain/audit.py CaseAudit) and written here in one batch."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import select

from engine.domain import audit, correlation
from engine.domain.clock import as_utc
from engine.store import tables as t
from engine.store.fast import FastWrite
from engine.store.repositories.base import Repository

INSERT_EVENT = FastWrite(t.event.insert())
_E = t.event.c


class Events(Repository):
    __slots__ = ()

    def append(self, stream: str, type: str, actor, at: datetime, payload: dict) -> None:
        """One event on a stream that is not a case's (the system's, an applicant's vault); the
        caller serializes writers of the stream (vault: the account row lock; system: rare)."""
        last = self.conn.execute(select(_E.seq, _E.hash).where(_E.stream == stream)
                                 .order_by(_E.seq.desc()).limit(1)).first()
        seq, prev = (last.seq, last.hash) if last else (0, audit.GENESIS)
        at = as_utc(at)
        request_id = correlation.current()
        h = audit.event_hash(prev, stream=stream, seq=seq + 1, type=type, actor=actor.username, at=at,
                             payload=payload, request_id=request_id)
        INSERT_EVENT.execute(self.conn, {"stream": stream, "case_id": None, "seq": seq + 1, "type": type,
                                    "actor": actor.username, "window_id": actor.window_id, "at": at,
                                    "payload": payload, "prev_hash": prev, "hash": h, "request_id": request_id})

    def of_stream(self, stream: str) -> list[dict]:
        rows = self.conn.execute(select(t.event).where(_E.stream == stream).order_by(_E.seq))
        return [{"seq": e.seq, "type": e.type, "actor": e.actor, "window_id": e.window_id, "at": as_utc(e.at),
                 "payload": e.payload, "prev_hash": e.prev_hash, "hash": e.hash, "request_id": e.request_id}
                for e in rows]

    def broken_at(self, stream: str) -> Optional[int]:
        """None when the stream's chain is intact, else the seq of the first broken event."""
        return audit.verify(self.of_stream(stream), stream)
