"""Schemas of what the designer studio reads beyond the definitions listing (kept apart from
api/schemas.py to merge cleanly)."""
from marshmallow import Schema, fields


class ProcessItemOut(Schema):
    process_key = fields.String()
    code = fields.String(metadata={"description": "national implementation code"})
    local_code = fields.String(allow_none=True)
    name = fields.String()
    version = fields.Integer(metadata={"description": "the newest catalogue version of this code"})
    status = fields.String(metadata={"description": "draft | published | retired"})
    accepting_tiers = fields.List(fields.String())


class CodeName(Schema):
    code = fields.String()
    name = fields.String()


class DepartmentOption(Schema):
    code = fields.String()
    name = fields.String()
    tiers = fields.List(fields.String(), metadata={"description": "the tiers with a unit that has this department"})


class RoutingOptionsOut(Schema):
    tiers = fields.List(fields.Nested(CodeName), metadata={"description": "top to bottom"})
    roles = fields.List(fields.Nested(CodeName))
    departments = fields.List(fields.Nested(DepartmentOption))
    stages = fields.List(fields.Nested(CodeName), metadata={"description": "the lifecycle stages a user task may "
                                                                           "declare (what completing it does)"})
