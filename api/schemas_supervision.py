"""Schemas of the supervision endpoints added for issue 5's gaps: case-channel statistics
(网上受理率, 掌办率) and the Art. 44 delivery cards."""
from datetime import date

from marshmallow import Schema, fields, validate

from api.schemas import Id, Strict

_DATES = validate.Range(min=date(2000, 1, 1), max=date(2099, 12, 31))


class CaseChannelArgs(Strict):
    unit_id = Id(required=True)
    since = fields.Date(required=True, validate=_DATES, metadata={"description": "first day (Beijing), included"})
    until = fields.Date(required=True, validate=_DATES, metadata={"description": "last day (Beijing), included"})
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class TierCaseChannelsOut(Schema):
    tier = fields.String(metadata={"description": "a tier of the subtree, or `all`"})
    received = fields.Integer()
    window = fields.Integer()
    online = fields.Integer()
    mobile = fields.Integer()
    mail = fields.Integer()
    proxy = fields.Integer()
    online_share = fields.Float(allow_none=True, metadata={"description": "网上受理率: (online + mobile) / received"})
    mobile_share = fields.Float(allow_none=True, metadata={"description": "掌办率: mobile / received"})
    delivered = fields.Integer()
    pickup = fields.Integer()
    mail_delivered = fields.Integer()
    e_licence = fields.Integer()


class DeliveryArgs(Strict):
    unit_id = Id(required=True)
    level = fields.String(validate=validate.OneOf(["yellow", "red"]))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class DeliveryWarningOut(Schema):
    id = fields.Integer()
    number = fields.String()
    item_code = fields.String()
    item_name = fields.String()
    warning = fields.String()
    decided_at = fields.DateTime(allow_none=True)
    delivery_due = fields.DateTime(allow_none=True)
    origin_unit = fields.String()
    applicant = fields.String()
