"""Schemas of the catalogue endpoints (实施清单, 办事指南, channel statistics)."""
from marshmallow import fields, validate

from api.schemas import Id, Schema, Strict
from api.schemas_portal import PublicHall

TIERS = ["district", "park", "township", "village"]
CATEGORIES = ["licensing", "confirmation", "adjudication", "benefit", "reward", "filing", "other_power",
              "public_service"]


class GuideListArgs(Strict):
    tier = fields.String(validate=validate.OneOf(TIERS), metadata={"description": "the implementing body's tier"})
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    keyword = fields.String(validate=validate.Length(max=100),
                            metadata={"description": "part of the name, a code or the implementing body"})
    accepting_tier = fields.String(validate=validate.OneOf(TIERS),
                                   metadata={"description": "a tier whose windows accept the item"})


class GuideSummary(Schema):
    code = fields.String()
    local_code = fields.String(allow_none=True)
    version = fields.Integer()
    name = fields.String()
    category = fields.String()
    tier = fields.String()
    org_unit = fields.String()
    org_unit_name = fields.String()
    body_name = fields.String(allow_none=True)
    accepting_tiers = fields.List(fields.String())
    delegation_mode = fields.String(allow_none=True)
    project_type = fields.String()
    promise_limit = fields.Integer(allow_none=True)
    promise_unit = fields.String()
    handle_forms = fields.List(fields.String())
    online_depth = fields.Integer(allow_none=True)
    mobile = fields.Boolean()
    express = fields.Boolean()
    onsite_visits = fields.Integer(allow_none=True)
    fee_required = fields.Boolean()


class GuideOut(GuideSummary):
    """办事指南: the basic item's fields, the implementation's fields, materials, fees and texts."""
    halls = fields.List(fields.Nested(PublicHall), metadata={
        "description": "the halls of the implementing body's unit with their opening hours (办公时间)"})
    basic_code = fields.String()
    legal_basis = fields.String()
    power_source = fields.String(allow_none=True)
    handling_item_code = fields.String(allow_none=True)
    process_key = fields.String()
    body_uscc = fields.String(allow_none=True)
    entrusting_department = fields.String(allow_none=True)
    deciding_tier = fields.String()
    deciding_department = fields.String(allow_none=True)
    legal_limit = fields.Integer(allow_none=True)
    legal_unit = fields.String()
    extension_limit = fields.Integer(allow_none=True)
    pay_online = fields.Boolean()
    fee_basis = fields.String(allow_none=True)
    fees = fields.List(fields.Dict())
    materials = fields.List(fields.Dict())
    tolerant_acceptance = fields.Boolean()
    application_form = fields.String(allow_none=True)
    guide = fields.Dict()
    published_at = fields.DateTime(allow_none=True)


class VersionOut(Schema):
    id = fields.Integer()
    code = fields.String()
    version = fields.Integer()
    status = fields.String()
    name = fields.String()
    created_at = fields.DateTime(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    retired_at = fields.DateTime(allow_none=True)


class ImportArgs(Strict):
    format = fields.String(validate=validate.OneOf(["json", "csv"]),
                           metadata={"description": "default: from the content type or the file name, else json"})
    publish = fields.Boolean(load_default=False, metadata={"description": "publish every new version at once"})


class ImportOut(Schema):
    rows = fields.Integer()
    basic_created = fields.Integer()
    basic_updated = fields.Integer()
    created = fields.List(fields.Dict(), metadata={"description": "new draft versions: {code, version}"})
    unchanged = fields.Integer()
    published = fields.List(fields.Dict())


class ExportArgs(Strict):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class ChannelArgs(Strict):
    unit_id = Id(required=True)
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class TierChannelsOut(Schema):
    tier = fields.String()
    items = fields.Integer()
    online = fields.Integer()
    mobile = fields.Integer()
    mail = fields.Integer()
    depth3 = fields.Integer()
    online_share = fields.Float(allow_none=True)
    mobile_share = fields.Float(allow_none=True)
    mail_share = fields.Float(allow_none=True)
    depth3_share = fields.Float(allow_none=True)
    average_depth = fields.Float(allow_none=True)
    targets_apply = fields.Boolean()
    online_met = fields.Boolean()
    mobile_met = fields.Boolean()
    mail_met = fields.Boolean()
    depth_met = fields.Boolean()


class NetworkUnit(Schema):
    code = fields.String()
    name = fields.String()
    tier = fields.String()
    depth = fields.Integer(metadata={"description": "0 for the district, 1 below it …"})


class NetworkOut(Schema):
    units = fields.List(fields.Nested(NetworkUnit))
    tiers = fields.Dict(keys=fields.String(), values=fields.Integer())
    published_items = fields.Integer()
    cases = fields.Integer()
