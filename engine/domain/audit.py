"""Hash chain for audit events: each event's hash covers its content and the previous hash of
its stream (one stream per case), so rewriting or deleting a row breaks the chain."""
from __future__ import annotations

import hashlib
from datetime import datetime
from json.encoder import encode_basestring
from typing import Iterable, Optional

from engine.domain import json_text
from engine.domain.clock import as_utc
from engine.domain.correlation import REQUEST_ID

GENESIS = "0" * 64

# json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
canonical = json_text.encoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def event_hash(prev_hash: str, *, stream: str, seq: int, type: str, actor: Optional[str],
               at: datetime, payload: dict, request_id: Optional[str] = None) -> str:
    """The request id (engine/domain/correlation.py) is chained when the event has one: events
    written before it existed, or outside a request (the timer worker, the CLI), hash exactly as
    they always did, and nobody can move an event to another request unnoticed."""
    text = _content(stream, seq, type, actor, at, payload, request_id)
    return hashlib.sha256(f"{prev_hash}|{text}".encode()).hexdigest()


def _content(stream: str, seq: int, kind: str, actor: Optional[str], at: datetime, payload: dict,
             request_id: Optional[str]) -> str:
    """canonical() of an event's content: written field by field in sorted key order when they have
    the types events have (sorting and walking a dict cost more than the payload's text)."""
    if type(stream) is str and type(kind) is str and type(seq) is int and (actor is None or type(actor) is str) \
            and (request_id is None or type(request_id) is str):
        return "".join(('{"actor":', "null" if actor is None else encode_basestring(actor),
                        ',"at":', encode_basestring(at.isoformat()), ',"payload":', canonical(payload),
                        ',"request_id":' + encode_basestring(request_id) if request_id is not None else "",
                        ',"seq":', int.__repr__(seq), ',"stream":', encode_basestring(stream),
                        ',"type":', encode_basestring(kind), "}"))
    content = {"stream": stream, "seq": seq, "type": kind, "actor": actor, "at": at.isoformat(), "payload": payload}
    if request_id is not None:
        content["request_id"] = request_id
    return canonical(content)


def verify(events: Iterable[dict], stream: str) -> Optional[int]:
    """Return the seq of the first event whose hash does not match, or None if intact."""
    prev = GENESIS
    expected_seq = 1
    for ev in events:
        if ev["seq"] != expected_seq or ev["prev_hash"] != prev:
            return ev["seq"]
        h = event_hash(prev, stream=stream, seq=ev["seq"], type=ev["type"], actor=ev["actor"],
                       at=ev["at"], payload=ev["payload"], request_id=ev.get("request_id"))
        if h != ev["hash"]:
            return ev["seq"]
        prev = h
        expected_seq += 1
    return None


def case_stream(case_id: int) -> str:
    return f"case:{case_id}"


class CaseAudit:
    """Collects the events of one command on one case, each hashed onto the chain as it is
    added; the caller writes `take()`'s rows with the case row (one batch per command)."""

    __slots__ = ("case_id", "stream", "seq", "head", "rows")

    def __init__(self, case_id: int, seq: int, head: str):
        self.case_id = case_id
        self.stream = case_stream(case_id)
        self.seq = seq
        self.head = head
        self.rows: list[dict] = []

    def add(self, type: str, actor, at: datetime, payload: dict | None = None) -> None:
        """`actor` is an engine.domain.actor.Actor (its username and window are recorded)."""
        self.seq += 1
        at = as_utc(at)
        payload = payload or {}
        stream = self.stream
        request_id = REQUEST_ID.get()
        h = event_hash(self.head, stream=stream, seq=self.seq, type=type, actor=actor.username,
                       at=at, payload=payload, request_id=request_id)
        self.rows.append({"stream": stream, "case_id": self.case_id, "seq": self.seq, "type": type,
                          "actor": actor.username, "window_id": actor.window_id, "at": at,
                          "payload": payload, "prev_hash": self.head, "hash": h, "request_id": request_id})
        self.head = h

    def take(self) -> list[dict]:
        """The rows added since the last take (to be written now)."""
        rows, self.rows = self.rows, []
        return rows
