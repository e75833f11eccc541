"""Schemas of the instance migration endpoints (docs/migration.md)."""
from marshmallow import fields, validate

from api.schemas import Id, Strict
from engine.services.migration.cases import MAX_CASES
from engine.services.migration.plans import MAX_INSTRUCTIONS

_ELEMENT = fields.String(validate=validate.Length(min=1, max=255))


class MigrationIn(Strict):
    source_definition_id = Id(strict=True, required=True, metadata={"description": "the version the cases run"})
    target_definition_id = Id(strict=True, required=True, metadata={"description": "the version to move them to"})
    mapping = fields.Dict(keys=_ELEMENT, values=_ELEMENT, load_default=dict,
                          validate=validate.Length(max=MAX_INSTRUCTIONS),
                          metadata={"description": "source element id → target element id; elements with the "
                                                   "same id in both versions are mapped to themselves"})
    case_ids = fields.List(Id(strict=True), validate=validate.Length(min=1, max=MAX_CASES), allow_none=True,
                           load_default=None)
    all = fields.Boolean(load_default=False, metadata={"description": "every running case of the source version"})


class ProblemOut(Strict):
    code = fields.String()
    message = fields.String()
    element = fields.String()
    case_id = fields.Integer()


class CaseOutcomeOut(Strict):
    case_id = fields.Integer()
    status = fields.String(metadata={"description": "migrated | valid (validate) | refused | skipped"})
    reason = fields.String(allow_none=True)
    problems = fields.List(fields.Nested(ProblemOut))
    tasks = fields.List(fields.Dict())


class MigrationOut(Strict):
    source_definition_id = fields.Integer()
    target_definition_id = fields.Integer()
    source_version = fields.Integer()
    target_version = fields.Integer()
    mapping = fields.Dict(keys=fields.String(), values=fields.String())
    migrated = fields.Integer()
    valid = fields.Integer()
    refused = fields.Integer()
    skipped = fields.Integer()
    cases = fields.List(fields.Nested(CaseOutcomeOut))


class PlanQuery(Strict):
    source_definition_id = Id(required=True, metadata={"description": "the version the cases run"})
    target_definition_id = Id(required=True, metadata={"description": "the version to move them to"})


class ElementOut(Strict):
    id = fields.String()
    name = fields.String()
    kind = fields.String(metadata={"description": "BPMN element type (a multi-instance activity: what it repeats)"})
    scope = fields.String(metadata={"description": "the sub-process or called process it is in ('' : the process)"})
    loop = fields.String(metadata={"description": "how a multi-instance activity repeats ('' : once)"})


class StepOut(Strict):
    element = fields.String()
    name = fields.String()


class RunningCaseOut(Strict):
    case_id = fields.Integer()
    number = fields.String()
    created_at = fields.DateTime()
    activities = fields.List(fields.Nested(StepOut), metadata={"description": "its open steps"})


class PlanOut(Strict):
    source_definition_id = fields.Integer()
    target_definition_id = fields.Integer()
    key = fields.String()
    source_version = fields.Integer()
    target_version = fields.Integer()
    source_elements = fields.List(fields.Nested(ElementOut))
    target_elements = fields.List(fields.Nested(ElementOut))
    mapping = fields.Dict(keys=fields.String(), values=fields.String(),
                          metadata={"description": "the generated plan: equal ids of the same kind"})
    running = fields.Integer(metadata={"description": "running cases of the source version"})
    cases = fields.List(fields.Nested(RunningCaseOut), metadata={"description": "the first 1,000 of them"})
