"""Schemas of the 好差评 endpoints (docs/ratings.md; the contract shared with the console)."""
from datetime import date

from marshmallow import Schema, fields, validate

from api.schemas import Id, Strict

_LEVEL = validate.Range(min=1, max=5)
_DATES = validate.Range(min=date(2000, 1, 1), max=date(2099, 12, 31))
_FORMAT = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class RatingIn(Strict):
    level = fields.Integer(required=True, strict=True, validate=_LEVEL)
    indicators = fields.Dict(keys=fields.String(validate=validate.Length(max=32)),
                             values=fields.Integer(strict=True, validate=_LEVEL), load_default=dict)
    comment = fields.String(allow_none=True, validate=validate.Length(max=500))


class RerateIn(Strict):
    level = fields.Integer(required=True, strict=True, validate=_LEVEL)
    comment = fields.String(allow_none=True, validate=validate.Length(max=500))


class VisitIn(Strict):
    case_id = Id(allow_none=True)


class RevisitIn(Strict):
    note = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class LedgerArgs(Strict):
    status = fields.String(validate=validate.OneOf(["verifying", "fixing", "explained", "fixed", "appealed",
                                                     "voided", "closed"]))
    unit_id = Id()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    format = _FORMAT


class FiguresArgs(Strict):
    group_by = fields.String(load_default="unit", validate=validate.OneOf(
        ["tier", "unit", "department", "window", "staff", "item", "month"]))
    unit_id = Id()
    since = fields.Date(validate=_DATES)
    until = fields.Date(validate=_DATES, metadata={"description": "last day (Beijing), included"})
    format = _FORMAT


class SummaryArgs(Strict):
    unit_id = Id()


class PublicArgs(Strict):
    unit_id = Id()
    month = fields.String(required=True, validate=validate.Regexp(r"^20[0-9]{2}-(0[1-9]|1[0-2])$"))


class Figures(Schema):
    total = fields.Integer()
    good = fields.Integer()
    bad = fields.Integer()
    good_rate = fields.Float(allow_none=True)
    bad_rate = fields.Float(allow_none=True)
    active = fields.Integer()
    active_rate = fields.Float(allow_none=True)
    active_good_rate = fields.Float(allow_none=True)
    unrated = fields.Integer()
    unrated_rate = fields.Float(allow_none=True)
    bad_fixed_rate = fields.Float(allow_none=True)
    revisit_rate = fields.Float(allow_none=True)


class FigureRow(Figures):
    key = fields.String(allow_none=True)
    name = fields.String(allow_none=True)


class FiguresOut(Schema):
    rows = fields.List(fields.Nested(FigureRow))


class RectificationBrief(Schema):
    id = fields.Integer()
    status = fields.String()
    path = fields.String(allow_none=True)
    reply = fields.String(allow_none=True)
    due_on = fields.Date(allow_none=True)
    replied_at = fields.DateTime(allow_none=True)


class RatingOut(Schema):
    id = fields.Integer()
    case_id = fields.Integer(allow_none=True)
    channel = fields.String()
    level = fields.Integer()
    bad = fields.Boolean()
    indicators = fields.Dict()
    comment = fields.String(allow_none=True)
    source = fields.String()
    created_at = fields.DateTime()
    parent_id = fields.Integer(allow_none=True)
    voided = fields.Boolean()
    rectification = fields.Nested(RectificationBrief, allow_none=True)
    can_rerate = fields.Boolean()


class VisitRatedOut(Schema):
    id = fields.Integer()
    level = fields.Integer()
    bad = fields.Boolean()


class VisitOut(Schema):
    token = fields.String()
    staff_no = fields.String(allow_none=True)
    expires_at = fields.DateTime()


class WindowInfoOut(Schema):
    code = fields.String()
    name = fields.String()
    hall_name = fields.String()
    unit_name = fields.String()


class WindowRatingOut(Schema):
    window = fields.Nested(WindowInfoOut)
    visit = fields.Nested(VisitOut, allow_none=True)


class InvitationOut(Schema):
    case_id = fields.Integer()
    case_number = fields.String()
    item_name = fields.String()
    invited_at = fields.DateTime()
    due_on = fields.DateTime()


class LedgerRow(Schema):
    id = fields.Integer()
    rating_id = fields.Integer()
    case_number = fields.String(allow_none=True)
    item_name = fields.String(allow_none=True)
    unit_name = fields.String()
    window_name = fields.String(allow_none=True)
    staff_no = fields.String(allow_none=True)
    level = fields.Integer()
    comment = fields.String(allow_none=True)
    status = fields.String()
    path = fields.String(allow_none=True)
    due_on = fields.Date(allow_none=True)
    card = fields.String(allow_none=True)
    review_case_id = fields.Integer(allow_none=True)
    real_name = fields.Boolean()
    revisited_at = fields.DateTime(allow_none=True)
    revisit_note = fields.String(allow_none=True)


class LedgerOut(Schema):
    items = fields.List(fields.Nested(LedgerRow))
    total = fields.Integer()


class RevisitOut(Schema):
    id = fields.Integer()
    revisited_at = fields.DateTime()


class PublicUnit(Schema):
    unit_id = fields.Integer()
    unit_name = fields.String()
    tier = fields.String()
    total = fields.Integer()
    good_rate = fields.Float(allow_none=True)
    bad_rate = fields.Float(allow_none=True)
    active_rate = fields.Float(allow_none=True)
    bad_count = fields.Integer()
    fixed_count = fields.Integer()


class PublicItem(Schema):
    item_code = fields.String()
    item_name = fields.String(allow_none=True)
    total = fields.Integer()
    good_rate = fields.Float(allow_none=True)
    bad_rate = fields.Float(allow_none=True)


class PublicRectification(Schema):
    id = fields.Integer()
    unit_name = fields.String()
    item_name = fields.String(allow_none=True)
    month = fields.String()
    status = fields.String()
    path = fields.String(allow_none=True)
    due_on = fields.Date(allow_none=True)
    closed_on = fields.Date(allow_none=True)


class PublicOut(Schema):
    units = fields.List(fields.Nested(PublicUnit))
    items = fields.List(fields.Nested(PublicItem))
    rectifications = fields.List(fields.Nested(PublicRectification))


class SchemeLevel(Schema):
    level = fields.Integer()
    name_zh = fields.String()
    name_en = fields.String()
    bad = fields.Boolean()


class SchemeIndicator(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()


class SchemeIndicators(Schema):
    online = fields.List(fields.Nested(SchemeIndicator))
    on_site = fields.List(fields.Nested(SchemeIndicator))


class SchemeOut(Schema):
    version = fields.Integer()
    levels = fields.List(fields.Nested(SchemeLevel))
    indicators = fields.Nested(SchemeIndicators)
    default_after_working_days = fields.Integer()
