"""The content-addressed file store: one row per SHA-256, whoever uploads the bytes again."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from engine.store import tables as t
from engine.store.repositories.base import Repository

_B = t.blob.c
# the same bytes are stored once: a second upload of them inserts nothing
_STORE_ONCE_PG, _STORE_ONCE_SQLITE = (insert_(t.blob).on_conflict_do_nothing(index_elements=[_B.sha256])
                                      for insert_ in (pg_insert, sqlite_insert))
_GET = select(t.blob).where(_B.sha256 == bindparam("sha256"))


class Blobs(Repository):
    __slots__ = ()

    def store_once(self, sha256: str, size: int, media_type: str, content: bytes, now: datetime) -> None:
        self.conn.execute(_STORE_ONCE_PG if self.postgres else _STORE_ONCE_SQLITE,
                          {"sha256": sha256, "size": size, "media_type": media_type, "content": content,
                           "created_at": now})

    def get(self, sha256: str):
        """(sha256, size, media_type, content, created_at), or None."""
        return self.conn.execute(_GET, {"sha256": sha256}).first()
