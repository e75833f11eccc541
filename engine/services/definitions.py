"""Deployed process definitions: lookup, and loading their specs into the runtime once."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.bpmn.dialects import UserTaskMeta
from engine.domain.errors import NotFound
from engine.store.models import ProcessDefinition


@dataclass(frozen=True)
class LoadedDefinition:
    id: int
    key: str
    version: int
    user_tasks: dict   # (process id, element id) -> UserTaskMeta


def latest(session: Session, key: str) -> Optional[ProcessDefinition]:
    return session.execute(select(ProcessDefinition).where(ProcessDefinition.key == key)
                           .order_by(ProcessDefinition.version.desc()).limit(1)).scalar_one_or_none()


def latest_version(session: Session, key: str) -> int:
    return session.execute(select(func.max(ProcessDefinition.version)).where(ProcessDefinition.key == key)).scalar() or 0


def metas_from_json(rows: list[dict]) -> list[UserTaskMeta]:
    return [UserTaskMeta(**{k: v for k, v in row.items()}) for row in rows]


def load(ctx, session: Session, definition_id: int) -> LoadedDefinition:
    """Make sure the runtime has this definition's spec; return its user-task metadata."""
    cache = ctx.caches.setdefault("definitions", {})
    loaded = cache.get(definition_id)
    if loaded is not None and definition_id in ctx.runtime.specs:
        return loaded
    row = session.get(ProcessDefinition, definition_id)
    if row is None:
        raise NotFound(f"process definition {definition_id} does not exist", code="definition_not_found")
    spec, subs = ctx.runtime.spec_from_json(row.spec)
    ctx.runtime.specs.add(definition_id, spec, subs)
    metas = {(m.process, m.id): m for m in metas_from_json(row.user_tasks)}
    loaded = cache[definition_id] = LoadedDefinition(row.id, row.key, row.version, metas)
    return loaded


def external_resolver(ctx, session: Session):
    """For the parser: a process called by a deployment but not part of it resolves to its
    latest deployed version (snapshotted into the caller's definition)."""
    def resolve(process_key: str):
        row = latest(session, process_key)
        if row is None:
            return None
        spec, subs = ctx.runtime.spec_from_json(row.spec)
        return spec, subs, metas_from_json(row.user_tasks)
    return resolve
