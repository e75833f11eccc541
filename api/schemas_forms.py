"""Schemas of the forms and 一件事 package endpoints (kept apart from api/schemas.py)."""
from marshmallow import Schema, fields, validate

from api.schemas import Applicant, Id, Strict


class FormOut(Schema):
    key = fields.String(allow_none=True, metadata={"description": "form key (file forms/<key>.schema.json)"})
    definition_id = fields.Integer(metadata={"description": "the process version whose snapshot this is"})
    process_key = fields.String()
    version = fields.Integer()
    schema = fields.Dict(allow_none=True, metadata={"description": "JSON Schema Draft 2020-12"})


class PackageIn(Strict):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    lead_department = fields.String(required=True, validate=validate.Length(min=1, max=32))
    members = fields.List(fields.String(validate=validate.Length(min=1, max=64)), required=True,
                          validate=validate.Length(min=2, max=20))
    promise_limit = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=45))


class PackageMember(Schema):
    code = fields.String()
    name = fields.String()
    fields_ = fields.List(fields.String(), data_key="fields")


class PackageOut(Schema):
    code = fields.String()
    name = fields.String()
    lead_department = fields.String()
    members = fields.List(fields.Nested(PackageMember))
    form = fields.Dict(metadata={"description": "the merged application form (一表申请), JSON Schema"})
    materials = fields.List(fields.Dict(), metadata={"description": "the merged material set (一套材料)"})
    promise_limit = fields.Integer()
    promise_unit = fields.String()


class StartPackageIn(Strict):
    window_id = Id(strict=True, required=True)
    applicant = fields.Nested(Applicant, required=True)
    form = fields.Dict(load_default=dict)
    channel = fields.String(load_default="window",
                            validate=validate.OneOf(["window", "online", "mobile", "mail", "proxy"]))


class ChildStarted(Schema):
    item_code = fields.String()
    case_id = fields.Integer()
    number = fields.String()
    tasks = fields.List(fields.String())


class PackageStartedOut(Schema):
    case_id = fields.Integer()
    number = fields.String()
    package = fields.String()
    children = fields.List(fields.Nested(ChildStarted))


class ChildResult(Schema):
    case_id = fields.Integer()
    number = fields.String()
    item_code = fields.String()
    item_name = fields.String()
    status = fields.String()
    outcome = fields.String(metadata={"description": "granted | refused | withdrawn | completed | open"})


class CombinedResult(Schema):
    status = fields.String()
    lifecycle = fields.String(metadata={"description": "in_progress | completed | partially_completed | withdrawn"})
    decision = fields.String(allow_none=True)


class PackageCaseOut(Schema):
    case_id = fields.Integer()
    number = fields.String()
    package = fields.String()
    name = fields.String()
    lead_department = fields.String()
    status = fields.String()
    promise_due = fields.DateTime(allow_none=True)
    result = fields.Nested(CombinedResult)
    children = fields.List(fields.Nested(ChildResult))
