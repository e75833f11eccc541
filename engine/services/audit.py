"""Audit events: append-only and hash-chained per stream (one stream per case, one for the
system). Events of a case are hashed in memory during the command and written in one batch."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import select
from sqlalchemy.engine import Connection

from engine.domain import audit
from engine.domain.actor import Actor
from engine.domain.clock import as_utc
from engine.store import tables as t
from engine.store.fast import FastWrite

_INSERT_EVENT = FastWrite(t.event.insert())


def case_stream(case_id: int) -> str:
    return f"case:{case_id}"


class CaseAudit:
    """Collects the events of one command on one case; `flush` writes them."""

    def __init__(self, case_id: int, seq: int, head: str):
        self.case_id = case_id
        self.stream = case_stream(case_id)
        self.seq = seq
        self.head = head
        self.rows: list[dict] = []

    def add(self, type: str, actor: Actor, at: datetime, payload: dict | None = None) -> None:
        self.seq += 1
        at = as_utc(at)
        payload = payload or {}
        stream = self.stream
        h = audit.event_hash(self.head, stream=stream, seq=self.seq, type=type, actor=actor.username,
                             at=at, payload=payload)
        self.rows.append({"stream": stream, "case_id": self.case_id, "seq": self.seq, "type": type,
                          "actor": actor.username, "window_id": actor.window_id, "at": at,
                          "payload": payload, "prev_hash": self.head, "hash": h})
        self.head = h

    def flush(self, conn: Connection) -> None:
        if self.rows:
            _INSERT_EVENT.execute(conn, self.rows)
            self.rows = []


def append_system_event(conn: Connection, type: str, actor: Actor, at: datetime, payload: dict) -> None:
    append_stream_event(conn, "system", type, actor, at, payload)


def append_stream_event(conn: Connection, stream: str, type: str, actor: Actor, at: datetime, payload: dict) -> None:
    """One event on a stream that is not a case's (the system's, an applicant's vault)."""
    last = conn.execute(select(t.event.c.seq, t.event.c.hash).where(t.event.c.stream == stream)
                        .order_by(t.event.c.seq.desc()).limit(1)).first()
    seq, prev = (last.seq, last.hash) if last else (0, audit.GENESIS)
    at = as_utc(at)
    h = audit.event_hash(prev, stream=stream, seq=seq + 1, type=type, actor=actor.username, at=at, payload=payload)
    _INSERT_EVENT.execute(conn, {"stream": stream, "case_id": None, "seq": seq + 1, "type": type,
                                 "actor": actor.username, "window_id": actor.window_id, "at": at,
                                 "payload": payload, "prev_hash": prev, "hash": h})


def events_of(conn: Connection, stream: str) -> list[dict]:
    rows = conn.execute(select(t.event).where(t.event.c.stream == stream).order_by(t.event.c.seq))
    return [{"seq": e.seq, "type": e.type, "actor": e.actor, "window_id": e.window_id, "at": as_utc(e.at),
             "payload": e.payload, "prev_hash": e.prev_hash, "hash": e.hash} for e in rows]


def verify_stream(conn: Connection, stream: str) -> Optional[int]:
    """None when the chain is intact, else the seq of the first broken event."""
    return audit.verify(events_of(conn, stream), stream)
