"""Schemas of a process's start schedule (its timer start event; docs/camunda-bpmn.md#timer-start-events),
kept apart from api/schemas.py to merge cleanly."""
from marshmallow import Schema, fields, validate


class StartScheduleIn(Schema):
    active = fields.Boolean(required=True, truthy={True}, falsy={False},
                            metadata={"description": "true starts a case at each time of the timer"})
    window_id = fields.Integer(validate=validate.Range(min=1, max=2147483647), allow_none=True,
                               metadata={"description": "the window that receives the cases (required to activate)"})
    item_code = fields.String(validate=validate.Length(min=1, max=64), allow_none=True,
                              metadata={"description": "the published item, when several run the process"})


class StartTimerOut(Schema):
    kind = fields.String(metadata={"description": "date | duration | cycle | cron"})
    text = fields.String()


class StartRunOut(Schema):
    due_at = fields.DateTime()
    case_id = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    at = fields.DateTime()


class ScheduleWindowOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    unit_name = fields.String()
    tier = fields.String()


class ScheduleChoiceOut(Schema):
    code = fields.String()
    local_code = fields.String(allow_none=True)
    name = fields.String()
    windows = fields.List(fields.Nested(ScheduleWindowOut),
                          metadata={"description": "the windows a case of the item may start at"})


class StartScheduleOut(Schema):
    process_key = fields.String()
    definition_id = fields.Integer()
    element_id = fields.String()
    timer = fields.Nested(StartTimerOut)
    status = fields.String(metadata={"description": "inactive | active | finished (no more times)"})
    active = fields.Boolean()
    window_id = fields.Integer(allow_none=True)
    item_code = fields.String(allow_none=True)
    next_due_at = fields.DateTime(allow_none=True)
    last_case_id = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    changed_by = fields.String(allow_none=True)
    updated_at = fields.DateTime()
    runs = fields.List(fields.Nested(StartRunOut), metadata={"description": "the latest due times, newest first"})
    choices = fields.List(fields.Nested(ScheduleChoiceOut), metadata={
        "description": "(GET) the published items that run the process, each with the windows it may be "
                       "activated with"})
