"""Deployed process definitions: lookup, and loading their specs into the runtime once."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, func, select

from engine.bpmn.dialects import UserTaskMeta
from engine.domain.errors import NotFound
from engine.store import tables as t
from engine.store.fast import FastRead
from engine.store.uow import Transaction

_LATEST = FastRead(select(t.process_definition.c.id, t.process_definition.c.version, t.process_definition.c.key)
           .where(t.process_definition.c.key == bindparam("key"))
           .order_by(t.process_definition.c.version.desc()).limit(1))
_BY_ID = select(t.process_definition).where(t.process_definition.c.id == bindparam("id"))


@dataclass(frozen=True)
class LoadedDefinition:
    id: int
    key: str
    version: int
    user_tasks: dict   # (process id, element id) -> UserTaskMeta


def latest(ctx, tx: Transaction, key: str):
    """(id, version, key) of the newest version of a process, or None."""
    return _LATEST.first(tx, {"key": key})


def latest_version(tx: Transaction, key: str) -> int:
    return tx.execute(select(func.max(t.process_definition.c.version))
                        .where(t.process_definition.c.key == key)).scalar() or 0


def metas_from_json(rows: list[dict]) -> list[UserTaskMeta]:
    return [UserTaskMeta(**row) for row in rows]


def load(ctx, tx: Transaction, definition_id: int) -> LoadedDefinition:
    """Make sure the runtime has this definition's spec (parsed once per process; a version
    never changes once deployed) and return its user-task metadata."""
    cache = ctx.caches.definitions
    loaded = cache.get(definition_id)
    if loaded is not None and definition_id in ctx.runtime.specs:
        return loaded
    row = tx.execute(_BY_ID, {"id": definition_id}).first()
    if row is None:
        raise NotFound(f"process definition {definition_id} does not exist", code="definition_not_found")
    spec, subs = ctx.runtime.spec_from_json(row.spec)
    ctx.runtime.specs.add(definition_id, spec, subs)
    metas = {(m.process, m.id): m for m in metas_from_json(row.user_tasks)}
    loaded = cache.put(definition_id, LoadedDefinition(row.id, row.key, row.version, metas))
    return loaded


def external_resolver(ctx, tx: Transaction):
    """For the parser: a process called by a deployment but not part of it resolves to its
    latest deployed version (snapshotted into the caller's definition)."""
    def resolve(process_key: str):
        row = latest(ctx, tx, process_key)
        if row is None:
            return None
        full = tx.execute(_BY_ID, {"id": row.id}).first()
        spec, subs = ctx.runtime.spec_from_json(full.spec)
        return spec, subs, metas_from_json(full.user_tasks)
    return resolve
