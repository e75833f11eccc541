"""Content-addressed file storage: a file is checked (size, sniffed type, client hash) before
anything is written, then stored once per SHA-256 however often it is uploaded. Callers decide
who may read a blob; this module never answers "may I?"."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from engine.domain.errors import NotFound
from engine.domain.materials import FileFacts, check_file
from engine.store.uow import Transaction


@dataclass(frozen=True)
class Upload:
    """An uploaded file as the API (or CLI) received it."""
    content: bytes
    filename: Optional[str] = None
    declared_type: Optional[str] = None
    sha256: Optional[str] = None             # the client's hash, checked against the bytes

    @property
    def safe_name(self) -> Optional[str]:
        name = (self.filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
        return name[:255] or None


def check(ctx, upload: Upload) -> FileFacts:
    """Raise before any write when the upload is not acceptable."""
    return check_file(upload.content, upload.declared_type, upload.sha256,
                      max_bytes=ctx.settings.material_max_bytes, allowed=ctx.settings.allowed_material_types())


def store(ctx, tx: Transaction, upload: Upload, now, facts: Optional[FileFacts] = None) -> FileFacts:
    """Store (inside the caller's transaction) what `check` accepted — checking it now when the
    caller has not; the same bytes are stored once."""
    facts = facts or check(ctx, upload)
    tx.blobs.store_once(facts.sha256, facts.size, facts.media_type, upload.content, now)
    return facts


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    media_type: str
    size: int
    content: bytes


def read(tx: Transaction, sha256: str) -> StoredFile:
    row = tx.blobs.get(sha256)
    if row is None:
        raise NotFound("no such file", code="file_not_found", field="sha256")
    return StoredFile(row.sha256, row.media_type, row.size, bytes(row.content))
