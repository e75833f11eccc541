"""Schemas of the clerk workbench (window console): the worklist and a task's colleagues."""
from marshmallow import Schema, fields, validate

from api.schemas import Strict
from engine.services import tasks


class WorklistArgs(Strict):
    scope = fields.String(load_default="all", validate=validate.OneOf(tasks.SCOPES), metadata={
        "description": "all: hers and the unclaimed tasks of her queues (the inbox's set); mine: claimed by her; "
                       "unclaimed; window: routed to her posts' units, also those colleagues claimed (read-only)"})
    item_code = fields.String(validate=validate.Length(min=1, max=64),
                              metadata={"description": "the implementation code or its local code (exact)"})
    card = fields.String(validate=validate.OneOf(tasks.CARDS), metadata={"description": "the step's own card"})
    due_before = fields.Date(metadata={"description": "due on or before this day (China time)"})
    q = fields.String(validate=validate.Length(min=1, max=64),
                      metadata={"description": "part of the case number or of the applicant's name"})
    sort = fields.String(load_default="due_at", validate=validate.OneOf(tasks.SORTS),
                         metadata={"description": "due_at: tasks without a due date last"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class WorkItemOut(Schema):
    id = fields.String()
    name = fields.String()
    spec_id = fields.String()
    stage = fields.String(allow_none=True)
    state = fields.String()
    form_key = fields.String(allow_none=True)
    assignee_id = fields.Integer(allow_none=True)
    assignee_name = fields.String(allow_none=True, metadata={"description": "the claimer's display name"})
    claimed_by_me = fields.Boolean()
    can_work = fields.Boolean(metadata={"description": "the caller may claim or complete it now"})
    due_at = fields.DateTime(allow_none=True)
    warning = fields.String(metadata={"description": "the step's card: none | yellow | red"})
    created_at = fields.DateTime()
    case_id = fields.Integer()
    case_number = fields.String()
    case_version = fields.Integer()
    item_code = fields.String()
    item_name = fields.String()
    applicant_name_masked = fields.String(allow_none=True)
    applicant_id_masked = fields.String(allow_none=True)
    lifecycle = fields.String()
    working_days_left = fields.Integer(allow_none=True, metadata={
        "description": "working days from today to the due date; negative when overdue, null without one"})


class WorklistCountsOut(Schema):
    all = fields.Integer()
    mine = fields.Integer()
    unclaimed = fields.Integer()
    yellow = fields.Integer()
    red = fields.Integer()


class WorklistOut(Schema):
    items = fields.List(fields.Nested(WorkItemOut))
    total = fields.Integer(metadata={"description": "tasks of the scope that pass the filters"})
    page = fields.Integer()
    page_size = fields.Integer()
    counts = fields.Nested(WorklistCountsOut,
                           metadata={"description": "over the caller's `all` scope, without filters"})


class ColleagueOut(Schema):
    username = fields.String()
    display_name = fields.String()
