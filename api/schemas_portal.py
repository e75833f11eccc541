"""Schemas of what the applicant portal reads beyond the existing endpoints (kept apart from
api/schemas.py and api/schemas_catalog.py to merge cleanly)."""
from marshmallow import Schema, fields


class PublicHall(Schema):
    """A hall and its opening hours (办公时间) as the public reads them."""
    name = fields.String()
    closes_at = fields.String(allow_none=True, metadata={"description": "its closing time (the simple form)"})
    hours = fields.Raw(allow_none=True, metadata={
        "type": "array", "nullable": True, "items": {"type": "object"},
        "description": "seasons of weekday rules (opens, closes, lunch): docs/organisation.md#opening-hours"})


class ReceivingWindow(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    unit = fields.String(metadata={"description": "org unit code"})
    unit_name = fields.String()
    tier = fields.String()
    hall = fields.Nested(PublicHall, metadata={"description": "the window's hall and its opening hours"})


class ApplicationOut(Schema):
    code = fields.String()
    local_code = fields.String(allow_none=True)
    name = fields.String()
    process_key = fields.String()
    form_key = fields.String(allow_none=True)
    schema = fields.Dict(allow_none=True, metadata={"description": "the application form (JSON Schema) case start "
                                                                   "validates `form` against; null: any object"})
    windows = fields.List(fields.Nested(ReceivingWindow),
                          metadata={"description": "windows that receive the item (window_id of POST /cases)"})
