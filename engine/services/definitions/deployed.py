"""Deployed process definitions: lookup, and loading their specs into the runtime once."""
from __future__ import annotations

from dataclasses import dataclass

from engine.bpmn.dialects import UserTaskMeta
from engine.domain.errors import NotFound
from engine.store.uow import Transaction


@dataclass(frozen=True)
class LoadedDefinition:
    id: int
    key: str
    version: int
    user_tasks: dict   # (process id, element id) -> UserTaskMeta


def latest(ctx, tx: Transaction, key: str):
    """(id, version, key) of the newest version of a process, or None."""
    return tx.definitions.latest(key)


def latest_version(tx: Transaction, key: str) -> int:
    return tx.definitions.latest_version(key)


def metas_from_json(rows: list[dict]) -> list[UserTaskMeta]:
    return [UserTaskMeta(**row) for row in rows]


def load(ctx, tx: Transaction, definition_id: int) -> LoadedDefinition:
    """Make sure the runtime has this definition's spec (parsed once per process; a version
    never changes once deployed) and return its user-task metadata."""
    cache = ctx.caches.definitions
    loaded = cache.get(definition_id)
    if loaded is not None and definition_id in ctx.runtime.specs:
        return loaded
    row = tx.definitions.by_id(definition_id)
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
        full = tx.definitions.by_id(row.id)
        spec, subs = ctx.runtime.spec_from_json(full.spec)
        return spec, subs, metas_from_json(full.user_tasks)
    return resolve


def versions(ctx) -> list[dict]:
    """Every deployed version (id, key, name, version, deployment_id, resource_name, created_at,
    deployed_by, deployment_name, user_tasks: how many), by key and newest first."""
    with ctx.uow.read() as tx:
        rows = [r._asdict() for r in tx.definitions.listing()]
    for row in rows:
        row["user_tasks"] = len(row["user_tasks"] or [])
    return rows


def source(ctx, definition_id: int) -> tuple[str, str]:
    """(file name, content) of the BPMN file a version was deployed from."""
    with ctx.uow.read() as tx:
        row = tx.definitions.source(definition_id)
    if row is None:
        raise NotFound(f"process definition {definition_id} does not exist", code="definition_not_found")
    return row.name, row.content
