"""Audit events: append-only and hash-chained per stream (one stream per case, one for the
system). Events of a case are hashed in memory during the command and written in one batch."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engine.domain import audit
from engine.domain.clock import as_utc
from engine.store.models import Event
from engine.services.context import Actor


def case_stream(case_id: int) -> str:
    return f"case:{case_id}"


class CaseAudit:
    """Collects the events of one command on one case; `flush` writes them."""

    def __init__(self, case_id: Optional[int], seq: int, head: str):
        self.case_id = case_id
        self.seq = seq
        self.head = head
        self.rows: list[dict] = []

    def add(self, type: str, actor: Actor, at: datetime, payload: dict | None = None) -> None:
        self.seq += 1
        at = as_utc(at)
        payload = payload or {}
        stream = case_stream(self.case_id)
        h = audit.event_hash(self.head, stream=stream, seq=self.seq, type=type, actor=actor.username,
                             at=at, payload=payload)
        self.rows.append({"stream": stream, "case_id": self.case_id, "seq": self.seq, "type": type,
                          "actor": actor.username, "window_id": actor.window_id, "at": at,
                          "payload": payload, "prev_hash": self.head, "hash": h})
        self.head = h

    def flush(self, session: Session) -> None:
        if self.rows:
            session.execute(insert(Event), self.rows)
            self.rows = []


def append_system_event(session: Session, type: str, actor: Actor, at: datetime, payload: dict) -> None:
    last = session.execute(select(Event.seq, Event.hash).where(Event.stream == "system")
                           .order_by(Event.seq.desc()).limit(1)).first()
    seq, prev = (last.seq, last.hash) if last else (0, audit.GENESIS)
    h = audit.event_hash(prev, stream="system", seq=seq + 1, type=type, actor=actor.username, at=at, payload=payload)
    session.execute(insert(Event).values(stream="system", case_id=None, seq=seq + 1, type=type,
                                         actor=actor.username, window_id=actor.window_id, at=at,
                                         payload=payload, prev_hash=prev, hash=h))


def events_of(session: Session, stream: str) -> list[dict]:
    rows = session.execute(select(Event).where(Event.stream == stream).order_by(Event.seq)).scalars()
    return [{"seq": e.seq, "type": e.type, "actor": e.actor, "window_id": e.window_id, "at": as_utc(e.at),
             "payload": e.payload, "prev_hash": e.prev_hash, "hash": e.hash} for e in rows]


def verify_stream(session: Session, stream: str) -> Optional[int]:
    """None when the chain is intact, else the seq of the first broken event."""
    return audit.verify(events_of(session, stream), stream)
