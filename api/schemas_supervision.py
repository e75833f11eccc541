"""Schemas of the supervision endpoints added for issue 5's gaps: case-channel statistics
(网上受理率, 掌办率) and the Art. 44 delivery cards."""
from datetime import date

from marshmallow import Schema, fields, validate

from api.schemas import Id, Strict
from api.schemas_ratings import Figures
from engine.domain.input_limits import MAX_ID

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


# --- the supervisor dashboard (issue 12) ---------------------------------------------------------

_NODE_ID = validate.Range(min=0, max=MAX_ID)


class DashboardArgs(Strict):
    unit_id = Id(required=True)
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class DrillArgs(DashboardArgs):
    department_id = fields.Integer(validate=_NODE_ID, metadata={"description": "0: work of no department"})
    window_id = fields.Integer(validate=_NODE_ID, metadata={"description": "0: steps nobody at a window holds"})
    staff_id = fields.Integer(validate=_NODE_ID, metadata={"description": "0: cases no staff member took in"})
    table = fields.String(load_default="children", validate=validate.OneOf(["children", "items"]),
                          metadata={"description": "which table format=csv exports"})


class OnTimeSeriesArgs(DashboardArgs):
    since = fields.Date(required=True, validate=_DATES, metadata={"description": "first day (Beijing), included"})
    until = fields.Date(required=True, validate=_DATES, metadata={"description": "last day (Beijing), included"})
    period = fields.String(load_default="month", validate=validate.OneOf(["month", "week"]))


class LoadOut(Schema):
    open = fields.Integer()
    yellow = fields.Integer()
    red = fields.Integer()


class NodeOut(Schema):
    kind = fields.String(metadata={"description": "unit | department | window | staff"})
    id = fields.Integer(metadata={"description": "0 for the no-department / not-claimed / nobody bucket"})
    name = fields.String(allow_none=True)
    tier = fields.String(allow_none=True)


class ChildOut(NodeOut):
    cases = fields.Nested(LoadOut)
    steps = fields.Nested(LoadOut)


class TierLoadOut(Schema):
    tier = fields.String()
    cases = fields.Nested(LoadOut)
    steps = fields.Nested(LoadOut)


class SummaryOut(Schema):
    unit = fields.Nested(NodeOut)
    as_of = fields.DateTime()
    cases = fields.Nested(LoadOut)
    steps = fields.Nested(LoadOut)
    by_tier = fields.List(fields.Nested(TierLoadOut))
    ratings = fields.Nested(Figures, metadata={"description": "好差评: the subtree's figures in total"})
    open_incidents = fields.Integer(metadata={"description": "open incidents of cases received in the subtree "
                                                             "(docs/integration.md#incidents)"})


class CardItemOut(Schema):
    kind = fields.String(metadata={"description": "case (its clock card) | step (its own card)"})
    case_id = fields.Integer()
    task_id = fields.String(allow_none=True)
    number = fields.String()
    item = fields.String()
    applicant = fields.String(metadata={"description": "masked"})
    step = fields.String()
    warning = fields.String()
    due = fields.DateTime(allow_none=True)
    days_overdue = fields.Integer()
    deemed_accepted = fields.Boolean()


class DrillOut(Schema):
    path = fields.List(fields.Nested(NodeOut))
    node = fields.String()
    leaf = fields.Boolean()
    as_of = fields.DateTime()
    children = fields.List(fields.Nested(ChildOut))
    items = fields.List(fields.Nested(CardItemOut))


class OnTimePointOut(Schema):
    period = fields.String()
    first_day = fields.Date()
    last_day = fields.Date()
    completed = fields.Integer()
    with_promise = fields.Integer()
    on_promise = fields.Integer()
    promise_rate = fields.Float(allow_none=True)
    with_legal = fields.Integer()
    on_legal = fields.Integer()
    legal_rate = fields.Float(allow_none=True)
