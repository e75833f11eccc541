"""Schemas of the lifecycle endpoints: 退件, 不予受理, 送达 and the case's documents (文书)."""
from marshmallow import Schema, fields, validate

from api.schemas import Strict


class ReturnIn(Strict):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class NotAcceptIn(Strict):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
    ground = fields.String(validate=validate.OneOf(["not_licensable", "outside_competence"]),
                           metadata={"description": "行政许可法第三十二条 (1) not subject to licensing, "
                                                    "(2) outside this agency's competence"})
    competent_agency = fields.String(validate=validate.Length(max=200),
                                     metadata={"description": "the agency to apply to (required for "
                                                              "outside_competence)"})


class DeliverIn(Strict):
    method = fields.String(required=True, validate=validate.OneOf(["pickup", "mail", "e_licence"]))
    tracking_number = fields.String(validate=validate.Length(max=40), metadata={"description": "mail: required"})
    carrier = fields.String(validate=validate.Length(max=60))
    address = fields.String(validate=validate.Length(max=300), metadata={"description": "mail: required"})
    recipient = fields.String(validate=validate.Length(max=100))
    phone = fields.String(validate=validate.Length(max=20))
    licence_no = fields.String(validate=validate.Length(max=60), metadata={"description": "e_licence: required"})


class IssuedOut(Schema):
    kind = fields.String()
    number = fields.String()
    sha256 = fields.String()


class DocumentOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    number = fields.String()
    format = fields.String()
    sha256 = fields.String()
    created_at = fields.DateTime()
    created_by = fields.String(allow_none=True)
    event_seq = fields.Integer()
