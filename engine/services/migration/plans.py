"""A migration plan: the two versions, both described, and the full element mapping, checked
as a whole before any case is looked at."""
from __future__ import annotations

from dataclasses import dataclass

from engine.domain import migration as rules
from engine.domain.errors import NotFound, ValidationError
from engine.services import definitions
from engine.store.uow import Transaction

MAX_INSTRUCTIONS = 500


@dataclass(frozen=True)
class CheckedPlan:
    plan: rules.Plan
    source_version: int
    target_version: int
    key: str
    source: dict          # element id -> rules.Element
    target: dict


def check(ctx, tx: Transaction, source_id: int, target_id: int, explicit: dict) -> CheckedPlan:
    """The plan with its descriptions; MigrationRefused when the plan itself is wrong."""
    if not isinstance(explicit, dict) or len(explicit) > MAX_INSTRUCTIONS or not all(
            isinstance(k, str) and isinstance(v, str) and k and v for k, v in explicit.items()):
        raise ValidationError(f"mapping is an object of at most {MAX_INSTRUCTIONS} source element id: target "
                              "element id pairs", code="migration_mapping_invalid", field="mapping")
    if source_id == target_id:
        raise ValidationError("the source and target versions are the same", code="migration_same_version",
                              field="target_definition_id")
    source_def = _load(ctx, tx, source_id, "source_definition_id")
    target_def = _load(ctx, tx, target_id, "target_definition_id")
    source, target = ctx.runtime.describe(source_id), ctx.runtime.describe(target_id)
    problems = rules.check_plan(source, target, explicit, same_process=source_def.key == target_def.key)
    if problems:
        raise rules.MigrationRefused(problems)
    mapping = rules.full_mapping(source, target, explicit)
    return CheckedPlan(rules.Plan(source_id, target_id, mapping, dict(explicit)), source_def.version,
                       target_def.version, source_def.key, source, target)


def _load(ctx, tx: Transaction, definition_id: int, field: str):
    try:
        return definitions.load(ctx, tx, definition_id)
    except NotFound as exc:
        exc.field = field            # which of the two versions does not exist
        raise
