"""Schemas of the process diagrams: a case's diagram with its tokens and path, a version's
heatmap (docs/diagrams.md)."""
from marshmallow import Schema, fields, validate

from api.schemas import Strict


class ElementStateOut(Schema):
    element_id = fields.String(metadata={"description": "the BPMN element id (bpmn-js `data-element-id`)"})
    process = fields.String(metadata={"description": "the process or sub-process the element belongs to"})
    name = fields.String(allow_none=True)
    state = fields.String(metadata={"description": "active | overdue | completed | cancelled"})
    completed = fields.Integer(metadata={"description": "times a token passed the element"})
    active = fields.Integer(metadata={"description": "tokens on the element now"})
    overdue = fields.Boolean(metadata={"description": "open past its due instant, or completed after it"})
    due_at = fields.DateTime(allow_none=True)
    assignee = fields.String(allow_none=True, metadata={"description": "who holds the open step (staff only)"})


class CaseDiagramOut(Schema):
    case_id = fields.Integer()
    definition_id = fields.Integer()
    key = fields.String()
    version = fields.Integer()
    name = fields.String(allow_none=True)
    source = fields.String(metadata={"description": "the version's BPMN XML (an applicant's copy without "
                                                    "scripts, conditions and extension elements)"})
    elements = fields.List(fields.Nested(ElementStateOut))
    flows_taken = fields.List(fields.String(), metadata={"description": "ids of the sequence flows the tokens took"})


class HeatmapArgs(Strict):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class StepHeatOut(Schema):
    element_id = fields.String()
    process = fields.String()
    name = fields.String(allow_none=True)
    in_diagram = fields.Boolean(metadata={"description": "drawn in this version's file (false: a called process)"})
    completed = fields.Integer()
    mean_days = fields.Float(allow_none=True, metadata={"description": "mean working days spent (docs/diagrams.md)"})
    median_days = fields.Float(allow_none=True)
    max_days = fields.Integer(allow_none=True)
    overdue = fields.Integer(metadata={"description": "completed after the due instant, or open past it now"})
    open = fields.Integer()
    cancelled = fields.Integer()


class DefinitionVersionOut(Schema):
    id = fields.Integer()
    version = fields.Integer()
    name = fields.String(allow_none=True)
    created_at = fields.DateTime()


class HeatmapOut(Schema):
    definition_id = fields.Integer()
    key = fields.String()
    version = fields.Integer()
    name = fields.String(allow_none=True)
    cases = fields.Integer(metadata={"description": "cases of this version"})
    source = fields.String(metadata={"description": "the version's BPMN XML"})
    steps = fields.List(fields.Nested(StepHeatOut))
    versions = fields.List(fields.Nested(DefinitionVersionOut),
                           metadata={"description": "versions of the same process"})
