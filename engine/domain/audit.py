"""Hash chain for audit events: each event's hash covers its content and the previous hash of
its stream (one stream per case), so rewriting or deleting a row breaks the chain."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Iterable, Optional

GENESIS = "0" * 64

# json.dumps with options builds a new encoder on every call; the same options, built once
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode


def canonical(payload: dict) -> str:
    return _CANONICAL(payload)


def event_hash(prev_hash: str, *, stream: str, seq: int, type: str, actor: Optional[str],
               at: datetime, payload: dict) -> str:
    body = canonical({"stream": stream, "seq": seq, "type": type, "actor": actor,
                      "at": at.isoformat(), "payload": payload})
    return hashlib.sha256(f"{prev_hash}|{body}".encode()).hexdigest()


def verify(events: Iterable[dict], stream: str) -> Optional[int]:
    """Return the seq of the first event whose hash does not match, or None if intact."""
    prev = GENESIS
    expected_seq = 1
    for ev in events:
        if ev["seq"] != expected_seq or ev["prev_hash"] != prev:
            return ev["seq"]
        h = event_hash(prev, stream=stream, seq=ev["seq"], type=ev["type"], actor=ev["actor"],
                       at=ev["at"], payload=ev["payload"])
        if h != ev["hash"]:
            return ev["seq"]
        prev = h
        expected_seq += 1
    return None
